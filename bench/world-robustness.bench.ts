// Robustness across worlds: train on world A, score world A and a folder of every other world B, and print per pair
// ring precision / recall, honest accounts in rings, PR-AUC, ROC-AUC, FLAG-or-higher and BLOCK precision / recall,
// recall per fraud kind and what happens to each kind of honest group. A scored folder's groups are judged as
// training judges its own (scoring pass 1, groups judged with its members' anomaly scores, pass 2).
//
// Settings are chosen on development seeds (2001-2003) and reported on seeds 1001-1003, never tuned on those.
// Usage: npm run bench:build && node dist-bench/bench/world-robustness.bench.js [--accounts 6000] [--seeds 2001]
//        [--worlds baseline,agency-heavy,household-heavy|FILE.json] [--groups] [--data-root DIR] [--config FILE]
// --groups: every candidate group with its truth and evidence (for choosing settings on development seeds);
// --data-root: read world folders DIR/<world>-<seed> made elsewhere (another generator) instead of generating them.
// --config: a training config (as `ringfence train --config`), to try a setting on development seeds before it becomes a default.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { LabelRow } from '../data/tables.js';
import { readTrueRings } from '../data/true-rings.js';
import { averagePrecision, rocAuc } from '../training/evaluation/metrics.js';
import { matchRings } from '../training/evaluation/ring-metrics.js';
import type { AccountFeatures } from '../training/features/account-features.js';
import { featuriseDataset } from '../training/features/featurise-dataset.js';
import type { IdentityIndex } from '../training/identity/identity-index.js';
import { loadScoringParts } from '../training/model-files.js';
import { judgeGroupsAfterFirstPass, judgementOf } from '../training/scoring/judge-groups.js';
import type { RiskAssessment } from '../training/scoring/risk-assessment.js';
import { assessAccountFeatures, type ScoringParts } from '../training/scoring/risk-score.js';
import { readTrainConfig } from '../training/train-config.js';
import { trainModel } from '../training/train-model.js';
import { generateInChild } from './bench-process.js';

const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '6000' },
    seeds: { type: 'string', default: '2001' },
    worlds: { type: 'string', default: 'baseline,agency-heavy,household-heavy' },
    groups: { type: 'boolean', default: false },
    'data-root': { type: 'string' },
    config: { type: 'string' },
  },
});
const accounts = Number(args.accounts);
const seeds = args.seeds.split(',').map(Number);
const worlds = args.worlds.split(',');
// a world is a preset name or a JSON world file (as `ringfence generate --world`); folders, models and rows go by its name
const worldName = (world: string) => (world.endsWith('.json') ? path.basename(world, '.json') : world);
const HASH_SECRET = 'world-robustness-bench';
const config = await readTrainConfig(args.config);

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
const ratio = (a: number, b: number) => (b === 0 ? NaN : a / b);

interface ScoredFolder {
  readonly assessments: RiskAssessment[];
  readonly index: IdentityIndex;
  readonly labels: ReadonlyMap<string, LabelRow>;
  readonly trueRings: string[][];
}

/** Scores every account of `folder` with `parts`, against the folder's own judged groups. */
async function scoreFolder(parts: ScoringParts, folder: string): Promise<ScoredFolder> {
  const index = parts.identityIndex;
  const data = await featuriseDataset(folder, { identity: index.config, hashKey: index.hashKey, ringAbove: index.judgement.ring_above });
  const { identityIndex } = judgeGroupsAfterFirstPass(parts, data, judgementOf(data, parts.config.policy));
  const withRings: ScoringParts = { ...parts, identityIndex, useRingEvidence: true };
  const assessments = data.accountIds.map((id, i) => assessAccountFeatures(withRings, id, data.features[i] as AccountFeatures));
  if (!data.labels) throw new Error(`${folder} has no labels`);
  const trueRings = (await readTrueRings(folder, new Set(data.accountIds)))?.map((r) => [...r.members]) ?? [];
  return { assessments, index: identityIndex, labels: data.labels, trueRings };
}

interface PairFigures {
  readonly pair: string;
  readonly ringPrecision: number;
  readonly ringRecall: number;
  readonly rings: number;
  readonly honestInRings: number;
  readonly prAuc: number;
  readonly rocAuc: number;
  readonly flagPrecision: number;
  readonly flagRecall: number;
  readonly blockPrecision: number;
  readonly blockRecall: number;
  readonly blocked: number;
  /** fraud kind → [FLAG-or-higher recall, accounts] */
  readonly byFraudKind: Record<string, [number, number]>;
  /** honest group kind → [share FLAG-or-higher, share in rings, accounts] */
  readonly byHonestGroup: Record<string, [number, number, number]>;
}

function figures(pair: string, scored: ScoredFolder): PairFigures {
  const { assessments, labels, index } = scored;
  const y = Uint8Array.from(assessments, (a) => labels.get(a.account_id)?.label ?? 0);
  const risk = Float64Array.from(assessments, (a) => a.risk_score);
  const honest = new Set(assessments.filter((_, i) => y[i] === 0).map((a) => a.account_id));
  const rings = matchRings(
    [...index.rings.values()].map((r) => r.members),
    scored.trueRings,
    honest,
  );
  let flagged = 0;
  let flaggedFraud = 0;
  let blocked = 0;
  let blockedFraud = 0;
  const fraud = y.reduce((s, v) => s + v, 0);
  const byFraudKind: Record<string, [number, number]> = {};
  const byHonestGroup: Record<string, [number, number, number]> = {};
  assessments.forEach((a, i) => {
    const isFlagged = a.action !== 'MONITOR';
    const label = labels.get(a.account_id);
    if (isFlagged) {
      flagged++;
      flaggedFraud += y[i] as number;
    }
    if (a.action === 'BLOCK_ACCOUNT') {
      blocked++;
      blockedFraud += y[i] as number;
    }
    const kind = label?.kind ?? '';
    if (y[i] === 1) {
      const entry = (byFraudKind[kind || 'fraud'] ??= [0, 0]);
      entry[0] += isFlagged ? 1 : 0;
      entry[1]++;
    } else if (kind) {
      const entry = (byHonestGroup[kind] ??= [0, 0, 0]);
      entry[0] += isFlagged ? 1 : 0;
      entry[1] += index.ringOfAccount.has(a.account_id) ? 1 : 0;
      entry[2]++;
    }
  });
  for (const entry of Object.values(byFraudKind)) entry[0] = entry[0] / entry[1];
  for (const entry of Object.values(byHonestGroup)) {
    entry[0] = entry[0] / entry[2];
    entry[1] = entry[1] / entry[2];
  }
  return {
    pair,
    ringPrecision: rings.precision,
    ringRecall: rings.recall,
    rings: rings.predictedRings,
    honestInRings: rings.honestInRingsShare,
    prAuc: averagePrecision(risk, y),
    rocAuc: rocAuc(risk, y),
    flagPrecision: ratio(flaggedFraud, flagged),
    flagRecall: ratio(flaggedFraud, fraud),
    blockPrecision: ratio(blockedFraud, blocked),
    blockRecall: ratio(blockedFraud, fraud),
    blocked,
    byFraudKind,
    byHonestGroup,
  };
}

/** Every candidate group with its majority truth and evidence, for choosing weights on development seeds. */
function printGroups(scored: ScoredFolder): void {
  const ringOf = new Map<string, number>();
  scored.trueRings.forEach((ring, r) => ring.forEach((m) => ringOf.set(m, r)));
  const all = [
    ...[...scored.index.rings.values()].map((r) => ({ id: r.ring_id, ...r })),
    ...[...scored.index.groups.values()].map((g) => ({ id: g.group_id, ...g })),
  ];
  for (const group of all.sort((a, b) => b.ring_score - a.ring_score)) {
    const kinds = new Map<string, number>();
    for (const m of group.members) {
      const label = scored.labels.get(m);
      const kind = label?.label === 1 ? `F:${label.kind ?? ''}` : `H:${label?.kind || 'plain'}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const truth = [...kinds].map(([k, n]) => `${k}×${n}`).join(' ');
    const evidence = group.evidence.map((e) => `${e.side === 'honest' ? '-' : '+'}${e.code}=${e.strength.toFixed(2)}`).join(' ');
    console.log(`  ${group.ring_score.toFixed(1).padStart(5)} ${String(group.members.length).padStart(3)} ${truth.padEnd(34)} ${evidence}`);
  }
}

const HEADER =
  '| trained on → scored | ring precision | ring recall | rings | honest in rings | PR-AUC | ROC-AUC | FLAG+ precision | FLAG+ recall | BLOCK precision | BLOCK recall (blocked) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
const row = (f: PairFigures) =>
  `| ${f.pair} | ${pct(f.ringPrecision)} | ${pct(f.ringRecall)} | ${f.rings} | ${pct(f.honestInRings)} | ${f.prAuc.toFixed(3)} | ${f.rocAuc.toFixed(3)} | ${pct(f.flagPrecision)} | ${pct(f.flagRecall)} | ${pct(f.blockPrecision)} | ${pct(f.blockRecall)} (${f.blocked}) |`;

const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-bench-worlds-'));
try {
  const results: PairFigures[] = [];
  for (const seed of seeds) {
    const folders = new Map<string, string>();
    for (const world of worlds) {
      const folder = path.join(args['data-root'] ?? root, `${worldName(world)}-${seed}`);
      if (!args['data-root']) generateInChild(folder, accounts, seed, ['--world', world]);
      folders.set(world, folder);
    }
    for (const trainWorld of worlds) {
      const modelsRoot = path.join(root, 'models');
      const started = performance.now();
      const trained = await trainModel({
        dataDir: folders.get(trainWorld) as string,
        modelsRoot,
        name: `${worldName(trainWorld)}-${seed}`,
        seed: 1,
        config,
        hashSecret: HASH_SECRET,
      });
      console.error(`trained on ${worldName(trainWorld)} seed ${seed} in ${((performance.now() - started) / 1000).toFixed(0)}s`);
      const { parts } = await loadScoringParts(modelsRoot, trained.name, trained.version, { hashSecret: HASH_SECRET });
      for (const scoreWorld of worlds) {
        const scored = await scoreFolder(parts, folders.get(scoreWorld) as string);
        const f = figures(`${worldName(trainWorld)} → ${worldName(scoreWorld)} (seed ${seed})`, scored);
        results.push(f);
        console.log(row(f));
        console.log(
          `    fraud FLAG+ recall: ${Object.entries(f.byFraudKind)
            .sort()
            .map(([k, [r, n]]) => `${k} ${pct(r)} of ${n}`)
            .join(', ')}`,
        );
        console.log(
          `    honest groups FLAG+ / in rings: ${
            Object.entries(f.byHonestGroup)
              .sort()
              .map(([k, [fl, inRing, n]]) => `${k} ${pct(fl)} / ${pct(inRing)} of ${n}`)
              .join(', ') || 'none labelled'
          }`,
        );
        if (args.groups && trainWorld === scoreWorld) {
          printGroups(scored);
          for (const a of scored.assessments.filter((x) => x.action === 'BLOCK_ACCOUNT' && scored.labels.get(x.account_id)?.label !== 1)) {
            console.log(
              `  honest blocked ${a.account_id} (${scored.labels.get(a.account_id)?.kind || 'plain'}) risk ${a.risk_score} [${a.evidence.join(' ')}] ${JSON.stringify(a.components)} ${a.reasons
                .slice(0, 3)
                .map((r) => r.code + ':' + r.name)
                .join(' ')}`,
            );
          }
        }
      }
    }
  }
  console.log(`\n${accounts} accounts per world, seeds ${seeds.join(', ')}\n${HEADER}\n${results.map(row).join('\n')}`);
} finally {
  await rm(root, { recursive: true, force: true });
}
