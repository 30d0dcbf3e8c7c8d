// How long a service takes to load a model version (what `ringfence serve` does at start and on reload), and the
// memory it holds, beside reading the same files' bytes in the same run (the floor: every file is read and its
// checksum checked). Usage: npm run bench:build && node dist-bench/bench/model-load.bench.js MODELS_ROOT [NAME=default] [VERSION=latest] [runs=3]
// A model to load: `ringfence train --data D --models M` (the 1M-account model of bench/RESULTS.md is the large case).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readModelVersion } from '../models/read-model-version.js';
import { loadScoringParts } from '../training/model-files.js';
import { peakRssMiB } from './bench-process.js';

const [root, name = 'default', versionArg = 'latest', runsArg] = process.argv.slice(2);
const version = versionArg === 'latest' ? undefined : versionArg;
if (!root) throw new Error('usage: model-load.bench.js MODELS_ROOT [NAME] [VERSION] [runs]');
const runs = Number(runsArg ?? 3);
const mib = (bytes: number) => bytes / 2 ** 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const stored = await readModelVersion(root, name, version);
const files = Object.entries(stored.manifest.files);
const totalBytes = files.reduce((a, [, entry]) => a + entry.bytes, 0);

const readSeconds: number[] = [];
for (let run = 0; run < runs; run++) {
  const start = performance.now();
  for (const [relative] of files) createHash('sha256').update(await readFile(path.join(stored.dir, relative))).digest('hex');
  readSeconds.push((performance.now() - start) / 1000);
}

const loadSeconds: number[] = [];
let heldMiB = 0;
for (let run = 0; run < runs; run++) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const start = performance.now();
  const loaded = await loadScoringParts(root, name, version);
  loadSeconds.push((performance.now() - start) / 1000);
  global.gc?.();
  heldMiB = Math.max(heldMiB, mib(process.memoryUsage().rss - before));
  if (loaded.parts.identityIndex.rings.size < 0) throw new Error('unreachable: keeps the model alive until measured');
}

const read = median(readSeconds);
const load = median(loadSeconds);
console.log(
  [
    `Command: \`node --expose-gc dist-bench/bench/model-load.bench.js ${root} ${name} ${versionArg} ${runs}\` (${stored.manifest.name}/${stored.manifest.version}, ${files.length} files, ${mib(totalBytes).toFixed(0)} MiB; median of ${runs})`,
    '',
    '| step | seconds | ratio |',
    '|---|---:|---:|',
    `| read every file and check its sha256 (reference) | ${read.toFixed(2)} | 1.00 |`,
    `| load the version for scoring (\`loadScoringParts\`: the same, then parse and build the detectors and the identity index) | ${load.toFixed(2)} | ${(load / read).toFixed(2)} |`,
    '',
    `Memory held by one loaded version (RSS after a collection, minus before): ${heldMiB.toFixed(0)} MiB; peak RSS of the process ${peakRssMiB().toFixed(0)} MiB.`,
  ].join('\n'),
);
