// Development sets for the detectors, kept apart from the five ODDS sets the targets are measured on: the detector
// configuration is chosen on these, then measured once on ODDS (choosing it by its ODDS score would be tuning on the
// test data). Two families, each built the way the anomaly-detection literature builds them:
// - classification sets that scikit-learn ships (Debian package python3-sklearn), one class downsampled to a few
//   percent as the anomalies (the ODDS recipe; none of these is one of the five test sets);
// - ODDS sets other than the five, built by ODDS's own recipe from the copies in Debian's weka package (glass,
//   ionosphere, pima), and weka's naturally unbalanced drug-activity set;
// - synthetic sets with ADBench's four anomaly types (Han et al. 2022): local, global, dependency, clustered.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { NumericTable } from '../data/read-numeric-csv.js';
import { createSeededRandom, type SeededRandom } from '../data/seeded-random.js';

export const SKLEARN_DATA = '/usr/lib/python3/dist-packages/sklearn/datasets/data';
export const WEKA_EXAMPLES = process.env.RINGFENCE_WEKA_EXAMPLES ?? path.join(homedir(), '.cache/ringfence/weka-examples');

export interface DevSet {
  readonly name: string;
  readonly table: NumericTable;
}

function tableOf(rows: number[][], labels: number[]): NumericTable {
  const d = rows[0]?.length ?? 0;
  return {
    featureNames: Array.from({ length: d }, (_, j) => `x${j}`),
    values: Float64Array.from(rows.flat()),
    labels: Uint8Array.from(labels),
    rowCount: rows.length,
  };
}

/** Rows of a class-labelled CSV (last column the class); `skipHeader` for scikit-learn's "n,d,names" first line. */
function parseClassRows(text: string, skipHeader: boolean): { features: number[]; label: number }[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(skipHeader ? 1 : 0).map((line, i) => {
    const cells = line.split(',').map(Number);
    if (cells.some((v) => !Number.isFinite(v))) throw new Error(`line ${i + 1}: not numeric`);
    return { features: cells.slice(0, -1), label: cells[cells.length - 1] as number };
  });
}

/** Inliers: every row of `normalClasses`; anomalies: `anomalies` rows drawn from `anomalyClass`. */
function downsampledSet(
  name: string,
  rows: { features: number[]; label: number }[],
  normalClasses: number[],
  anomalyClass: number,
  anomalies: number,
  random: SeededRandom,
): DevSet {
  const normal = rows.filter((r) => normalClasses.includes(r.label));
  const rare = random.shuffle(rows.filter((r) => r.label === anomalyClass)).slice(0, anomalies);
  const all = random.shuffle([...normal.map((r) => ({ ...r, y: 0 })), ...rare.map((r) => ({ ...r, y: 1 }))]);
  return {
    name,
    table: tableOf(
      all.map((r) => r.features),
      all.map((r) => r.y),
    ),
  };
}

async function sklearnSets(random: SeededRandom): Promise<DevSet[]> {
  if (!existsSync(SKLEARN_DATA)) throw new Error(`${SKLEARN_DATA} is missing: install it with 'bash scripts/install-system-deps.sh peers'`);
  const breast = parseClassRows(await readFile(path.join(SKLEARN_DATA, 'breast_cancer.csv'), 'utf8'), true);
  const wine = parseClassRows(await readFile(path.join(SKLEARN_DATA, 'wine_data.csv'), 'utf8'), true);
  const digits = parseClassRows(gunzipSync(await readFile(path.join(SKLEARN_DATA, 'digits.csv.gz'))).toString('utf8'), false);
  return [
    // 0 = malignant, 1 = benign in scikit-learn's file
    downsampledSet('breast-cancer', breast, [1], 0, 20, random.fork('breast')),
    downsampledSet('wine', wine, [0, 2], 1, 10, random.fork('wine')),
    downsampledSet('digits', digits, [1, 2, 3, 4, 5, 6, 7, 8, 9], 0, 50, random.fork('digits')),
  ];
}

/** Rows of an ARFF file whose attributes are numeric but for the last, a nominal class. */
function parseArffRows(text: string, file: string): { features: number[]; label: string }[] {
  const lines = text.split('\n').map((l) => l.trim());
  const dataAt = lines.findIndex((l) => l.toLowerCase() === '@data');
  if (dataAt < 0) throw new Error(`${file}: no @data section`);
  const rows: { features: number[]; label: string }[] = [];
  lines.forEach((line, i) => {
    if (i <= dataAt || line === '' || line.startsWith('%')) return;
    const cells = line.split(',');
    const features = cells.slice(0, -1).map(Number);
    if (features.some((v) => !Number.isFinite(v))) throw new Error(`${file}:${i + 1}: a feature is missing or not numeric`);
    rows.push({ features, label: (cells[cells.length - 1] as string).trim().replace(/^'|'$/g, '') });
  });
  return rows;
}

/** Inliers: rows of every other class; anomalies: every row of `anomalyClass` (ODDS's recipe for these sets). */
function minorityClassSet(name: string, rows: { features: number[]; label: string }[], anomalyClass: string, random: SeededRandom): DevSet {
  if (!rows.some((r) => r.label === anomalyClass)) throw new Error(`${name}: no row of class ${anomalyClass}`);
  const all = random.shuffle(rows.map((r) => ({ ...r, y: r.label === anomalyClass ? 1 : 0 })));
  return {
    name,
    table: tableOf(
      all.map((r) => r.features),
      all.map((r) => r.y),
    ),
  };
}

async function wekaSets(random: SeededRandom): Promise<DevSet[]> {
  if (!existsSync(path.join(WEKA_EXAMPLES, 'glass.arff')))
    throw new Error(`${WEKA_EXAMPLES} is missing: unpack it with 'bash scripts/fetch-weka-examples.sh'`);
  const read = async (file: string) => parseArffRows(await readFile(path.join(WEKA_EXAMPLES, file), 'utf8'), file);
  return [
    minorityClassSet('glass', await read('glass.arff'), 'tableware', random.fork('glass')),
    minorityClassSet('ionosphere', await read('ionosphere.arff'), 'b', random.fork('ionosphere')),
    minorityClassSet('pima', await read('diabetes.arff'), 'tested_positive', random.fork('pima')),
    minorityClassSet('unbalanced', await read('unbalanced.arff'), 'Active', random.fork('unbalanced')),
  ];
}

/** A Gaussian mixture with random means and per-dimension scales (the inliers of ADBench's synthetic sets). */
function gaussianMixture(random: SeededRandom, d: number, components: number) {
  return Array.from({ length: components }, () => ({
    mean: Array.from({ length: d }, () => random.normal(0, 3)),
    sd: Array.from({ length: d }, () => 0.5 + random.next()),
  }));
}

type Mixture = ReturnType<typeof gaussianMixture>;
const drawFrom = (random: SeededRandom, mixture: Mixture, sdFactor = 1) => {
  const c = mixture[random.int(0, mixture.length - 1)] as Mixture[number];
  return c.mean.map((m, j) => random.normal(m, (c.sd[j] as number) * sdFactor));
};

function syntheticSet(kind: 'local' | 'global' | 'dependency' | 'clustered', random: SeededRandom, n = 4000, d = 8, rate = 0.05): DevSet {
  const mixture = gaussianMixture(random, d, 4);
  const rows: number[][] = [];
  const labels: number[] = [];
  const anomalies = Math.round(n * rate);
  for (let i = 0; i < n - anomalies; i++) {
    rows.push(drawFrom(random, mixture));
    labels.push(0);
  }
  const lo = Array.from({ length: d }, (_, j) => Math.min(...rows.map((r) => r[j] as number)));
  const hi = Array.from({ length: d }, (_, j) => Math.max(...rows.map((r) => r[j] as number)));
  const clusterCentre = mixture[0]!.mean.map((m) => m * 2.5);
  for (let i = 0; i < anomalies; i++) {
    if (kind === 'local') rows.push(drawFrom(random, mixture, 5));
    else if (kind === 'global') rows.push(lo.map((l, j) => l * 1.1 + random.next() * ((hi[j] as number) - l) * 1.1));
    else if (kind === 'clustered') rows.push(clusterCentre.map((m) => random.normal(m, 0.5)));
    else rows.push([]); // dependency anomalies are drawn below, once the inliers are mixed
    labels.push(1);
  }
  if (kind === 'dependency') {
    // inliers x = A z carry dependence between dimensions; each anomaly takes every dimension from a different
    // inlier: the right marginals, the dependence broken
    const mixing = Array.from({ length: d }, () => Array.from({ length: d }, () => random.normal()));
    const inliers = rows.slice(0, n - anomalies).map((r) => mixing.map((a) => a.reduce((s, w, k) => s + w * (r[k] as number), 0)));
    const shuffled = rows
      .slice(n - anomalies)
      .map(() => Array.from({ length: d }, (_, j) => (inliers[random.int(0, inliers.length - 1)] as number[])[j] as number));
    rows.splice(0, rows.length, ...inliers, ...shuffled);
  }
  return { name: `synthetic-${kind}`, table: tableOf(rows, labels) };
}

/** The development sets (seeded: the same sets on every run). */
export async function developmentSets(seed = 7): Promise<DevSet[]> {
  const random = createSeededRandom(seed);
  const synthetic = (['local', 'global', 'dependency', 'clustered'] as const).map((kind) => syntheticSet(kind, random.fork(kind)));
  return [...(await sklearnSets(random.fork('sklearn'))), ...(await wekaSets(random.fork('weka'))), ...synthetic];
}
