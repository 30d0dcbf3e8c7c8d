// How long a service takes to load a model version (what `ringfence serve` does at start and on reload), and the
// memory it holds, beside reading the same files' bytes (the floor: every file is read and its checksum checked).
// Each measurement runs in a fresh child process, so one's garbage and heap do not land on the next.
// Usage: npm run bench:build && node dist-bench/bench/model-load.bench.js MODELS_ROOT [NAME=default] [VERSION=latest] [runs=3]
// A model to load: `ringfence train --data D --models M` (the 1M-account model of bench/RESULTS.md is the large case).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHashSecret } from '../models/hash-secret.js';
import { readModelVersion } from '../models/read-model-version.js';
import { IdentityIndexMetaSchema, restoreIdentityIndex } from '../training/identity/identity-index.js';
import { FILES, loadScoringParts } from '../training/model-files.js';
import { peakRssMiB } from './bench-process.js';
import { median } from '../training/statistics.js';

const STEPS = ['read', 'identity', 'load'] as const;
type Step = (typeof STEPS)[number];
interface Measurement {
  readonly seconds: number;
  readonly heldMiB: number;
  readonly peakMiB: number;
}

const [root, name = 'default', versionArg = 'latest', runsArg] = process.argv.slice(2);
if (!root) throw new Error('usage: model-load.bench.js MODELS_ROOT [NAME] [VERSION] [runs]');
const version = versionArg === 'latest' ? undefined : versionArg;
const runs = Number(runsArg ?? 3);
const mib = (bytes: number) => bytes / 2 ** 20;

/** One step, once, in this process: its wall time and the RSS it leaves held after a collection. */
async function measure(step: Step, dir: string, files: readonly string[]): Promise<Measurement> {
  const identityInput =
    step === 'identity'
      ? {
          meta: IdentityIndexMetaSchema.parse(JSON.parse(await readFile(path.join(dir, FILES.identityMeta), 'utf8'))),
          bytes: await readFile(path.join(dir, FILES.identityIndex)),
          key: (await readHashSecret(root as string)).key,
        }
      : null;
  global.gc?.();
  const before = process.memoryUsage().rss;
  const start = performance.now();
  let kept: unknown;
  if (step === 'read') {
    for (const relative of files)
      createHash('sha256')
        .update(await readFile(path.join(dir, relative)))
        .digest('hex');
  } else if (identityInput) kept = restoreIdentityIndex(identityInput.meta, identityInput.bytes, identityInput.key);
  else kept = await loadScoringParts(root as string, name, path.basename(dir));
  const seconds = (performance.now() - start) / 1000;
  global.gc?.();
  const heldMiB = mib(process.memoryUsage().rss - before);
  if (kept === start) throw new Error('unreachable: keeps the result alive until measured');
  return { seconds, heldMiB, peakMiB: peakRssMiB() };
}

const childStep = process.env.RINGFENCE_MODEL_LOAD_STEP as Step | undefined;
if (childStep) {
  const { dir, files } = JSON.parse(process.env.RINGFENCE_MODEL_LOAD_FILES as string) as { dir: string; files: string[] };
  process.stdout.write(JSON.stringify(await measure(childStep, dir, files)));
} else {
  const stored = await readModelVersion(root, name, version);
  const fileList = JSON.stringify({ dir: stored.dir, files: Object.keys(stored.manifest.files) });
  const script = fileURLToPath(import.meta.url);
  const results = Object.fromEntries(
    STEPS.map((step) => {
      const measurements = Array.from({ length: runs }, () => {
        const out = execFileSync(process.execPath, ['--expose-gc', ...process.execArgv, script, ...process.argv.slice(2)], {
          env: { ...process.env, RINGFENCE_MODEL_LOAD_STEP: step, RINGFENCE_MODEL_LOAD_FILES: fileList },
          maxBuffer: 1 << 20,
        });
        return JSON.parse(out.toString('utf8')) as Measurement;
      });
      return [
        step,
        {
          seconds: median(measurements.map((m) => m.seconds)),
          heldMiB: median(measurements.map((m) => m.heldMiB)),
          peakMiB: Math.max(...measurements.map((m) => m.peakMiB)),
        },
      ];
    }),
  ) as Record<Step, Measurement>;
  const files = Object.values(stored.manifest.files);
  const totalMiB = mib(files.reduce((a, entry) => a + entry.bytes, 0));
  const indexMiB = mib(stored.manifest.files[FILES.identityIndex]?.bytes ?? 0);
  const read = results.read.seconds;
  // freed file buffers are not always returned to the system at once, so the reference's "held" figure says nothing
  const row = (label: string, m: Measurement, held = true) =>
    `| ${label} | ${m.seconds.toFixed(2)} | ${(m.seconds / read).toFixed(2)} | ${held ? m.heldMiB.toFixed(0) : '-'} | ${m.peakMiB.toFixed(0)} |`;
  console.log(
    [
      `Command: \`node dist-bench/bench/model-load.bench.js ${root} ${name} ${versionArg} ${runs}\` (${stored.manifest.name}/${stored.manifest.version}, ${files.length} files, ${totalMiB.toFixed(0)} MiB; each step in a fresh process, median of ${runs})`,
      '',
      '| step | seconds | ratio | MiB held after | peak RSS MiB |',
      '|---|---:|---:|---:|---:|',
      row('read every file and check its sha256 (reference)', results.read, false),
      row('load the version for scoring (`loadScoringParts`: the same, then parse and build the detectors and the identity index)', results.load),
      row(`the identity index alone, from its bytes in memory (${indexMiB.toFixed(0)} MiB of JSON lines)`, results.identity),
    ].join('\n'),
  );
}
