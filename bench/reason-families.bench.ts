// Do the reasons point at what the fraud did? Trains on one synthetic marketplace, scores another seed's with the saved
// model, and for each flagged fraud account of a kind whose trace lies in known feature families (a bot's proposal
// bursts and data-centre logins, a takeover's logins and payout change, a test cheat's tests, a bid abuser's bids)
// counts how often its feature reasons lie in them: the reasons the service gives (every detector's contributions,
// weighted by its share of the anomaly) beside the autoencoder's contributions alone (the reasons before 2026-12-04).
// Rings are left out: their evidence is the identity part's, not a feature's.
// Usage: npm run bench:build && node dist-bench/bench/reason-families.bench.js [accounts=20000] [trainSeed=2002] [blindSeed=2003]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDataset } from '../data/load-dataset.js';
import type { FraudKind } from '../data/synthetic/generate-marketplace.js';
import { anomalyFeatureShares, DETECTOR_NAMES, type DetectorName, scoreAnomalyEnsemble } from '../training/detectors/anomaly-ensemble.js';
import { createFeatureMatrix } from '../training/detectors/detector.js';
import { computeAccountFeatures, toModelInput } from '../training/features/account-features.js';
import { DETECTOR_FEATURE_NAMES, FEATURES, type FeatureFamily } from '../training/features/feature-registry.js';
import { loadScoringParts } from '../training/model-files.js';
import { assessAccount } from '../training/scoring/risk-score.js';
import { trainModel } from '../training/train-model.js';
import { generateInChild } from './bench-process.js';

const accounts = Number(process.argv[2] ?? 20_000);
const trainSeed = Number(process.argv[3] ?? 2002);
const blindSeed = Number(process.argv[4] ?? 2003);

/** where each kind's generator leaves its trace (data/synthetic/generate-marketplace.ts) */
const TRACE: Partial<Record<FraudKind, readonly FeatureFamily[]>> = {
  bot: ['proposal', 'login'],
  takeover: ['login', 'payout'],
  test_cheat: ['skills-test'],
  bid_abuse: ['proposal'],
};
const TOP = 3;

const familyOf = new Map(FEATURES.map((f) => [f.name, f.family]));
const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');

const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-reasons-'));
try {
  const trainDir = path.join(root, 'train');
  const blindDir = path.join(root, 'blind');
  generateInChild(trainDir, accounts, trainSeed);
  generateInChild(blindDir, Math.max(2000, Math.round(accounts / 2)), blindSeed);
  const result = await trainModel({
    dataDir: trainDir,
    modelsRoot: path.join(root, 'models'),
    name: 'bench',
    seed: 1,
    onStage: (m) => console.error(m),
  });
  const { parts } = await loadScoringParts(path.join(root, 'models'), 'bench', result.version);
  const blind = await loadDataset(blindDir);
  const kindOf = new Map([...(blind.labels?.values() ?? [])].filter((l) => l.label === 1).map((l) => [l.account_id, l.kind as FraudKind]));

  type Tally = { accounts: number; firstEnsemble: number; firstAutoencoder: number; anyEnsemble: number; anyAutoencoder: number };
  const emptyTally = (): Tally => ({ accounts: 0, firstEnsemble: 0, firstAutoencoder: 0, anyEnsemble: 0, anyAutoencoder: 0 });
  const GROUPS = ['flagged', 'every'] as const;
  const tallies = new Map<string, Tally>();
  for (const account of blind.accounts) {
    const kind = kindOf.get(account.account_id);
    const trace = kind ? TRACE[kind] : undefined;
    if (!kind || !trace) continue;
    const assessment = assessAccount(parts, account);
    const inTrace = (feature: string) => trace.includes(familyOf.get(feature) as FeatureFamily);
    const ensembleTop = assessment.reasons.filter((r) => r.kind === 'feature').map((r) => r.name);
    const features = computeAccountFeatures(account, { referenceTime: parts.referenceTime, identityIndex: parts.identityIndex });
    const scaled = parts.scaler.transformRow(toModelInput(features.values));
    const autoencoderTop = parts.ensemble.detectors.autoencoder
      .featureContributions(scaled)
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, TOP)
      .map((c) => c.feature);
    for (const group of GROUPS) {
      if (group === 'flagged' && assessment.action === 'MONITOR') continue;
      const t = tallies.get(`${group}/${kind}`) ?? emptyTally();
      t.accounts++;
      if (ensembleTop[0] !== undefined && inTrace(ensembleTop[0])) t.firstEnsemble++;
      if (autoencoderTop[0] !== undefined && inTrace(autoencoderTop[0])) t.firstAutoencoder++;
      if (ensembleTop.some(inTrace)) t.anyEnsemble++;
      if (autoencoderTop.some(inTrace)) t.anyAutoencoder++;
      tallies.set(`${group}/${kind}`, t);
    }
  }
  const cells = (t: Tally) =>
    `${t.accounts} | ${pct(t.firstEnsemble, t.accounts)} / ${pct(t.anyEnsemble, t.accounts)} | ${pct(t.firstAutoencoder, t.accounts)} / ${pct(t.anyAutoencoder, t.accounts)}`;
  console.log(
    `\nCommand: \`npm run bench:build && node dist-bench/bench/reason-families.bench.js ${accounts} ${trainSeed} ${blindSeed}\`. Fraud accounts of the blind marketplace (seed ${blindSeed}), scored by a model trained on seed ${trainSeed}; cells: share whose first feature reason / any of the ${TOP} lies in the kind's trace.\n`,
  );
  console.log(
    '| fraud kind | trace (feature families) | flagged (FLAG or BLOCK) | every detector (served) | autoencoder alone | all of the kind | every detector (served) | autoencoder alone |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  const sums = { flagged: emptyTally(), every: emptyTally() };
  for (const [kind, trace] of Object.entries(TRACE) as [FraudKind, readonly FeatureFamily[]][]) {
    const row = GROUPS.map((group) => {
      const t = tallies.get(`${group}/${kind}`) ?? emptyTally();
      for (const key of Object.keys(t) as (keyof Tally)[]) sums[group][key] += t[key];
      return cells(t);
    });
    console.log(`| ${kind} | ${trace.join(', ')} | ${row.join(' | ')} |`);
  }
  console.log(`| **all four** | | ${GROUPS.map((group) => cells(sums[group])).join(' | ')} |`);

  // what the explanations cost per account, beside a whole assessment, on the first 2,000 blind accounts
  const sample = blind.accounts.slice(0, 2000);
  const rows = sample.map((account) => {
    const features = computeAccountFeatures(account, { referenceTime: parts.referenceTime, identityIndex: parts.identityIndex });
    const scaled = parts.scaler.transformRow(toModelInput(features.values));
    const raw = scoreAnomalyEnsemble(parts.ensemble, createFeatureMatrix(DETECTOR_FEATURE_NAMES, scaled));
    return { scaled, raw: Object.fromEntries(DETECTOR_NAMES.map((name) => [name, raw[name][0] as number])) as Record<DetectorName, number> };
  });
  const microsPerAccount = (work: (i: number) => unknown) => {
    const times: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < sample.length; i++) work(i);
      times.push(Number(process.hrtime.bigint() - t) / 1000 / sample.length);
    }
    return times.sort((a, b) => a - b)[2] as number;
  };
  const assess = microsPerAccount((i) => assessAccount(parts, sample[i] as (typeof sample)[number]));
  const shares = microsPerAccount((i) => anomalyFeatureShares(parts.ensemble, rows[i]!.scaled, rows[i]!.raw));
  const autoencoderOnly = microsPerAccount((i) => parts.ensemble.detectors.autoencoder.featureContributions(rows[i]!.scaled));
  console.log(
    `\nCost per account (µs, median of 5 passes over ${sample.length} accounts): a whole assessment ${assess.toFixed(1)}; its feature shares from every detector ${shares.toFixed(1)}; the autoencoder's contributions alone ${autoencoderOnly.toFixed(1)}.`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
