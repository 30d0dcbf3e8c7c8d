// Detector speed beside the peers, in the same run: k-means fit on 1M × 16 against scikit-learn (1 thread), autoencoder
// training rows/s against PyTorch (1 thread), batch scoring rows/s and single-row latency; the Mahalanobis distance's fit
// and scoring on the same rows (no peer script measures one). The peers' scripts are run
// from a temporary copy of ../shared/peers (they write data/ and out/ beside themselves); they need Debian's
// python3-sklearn, python3-torch and python3-numpy. Usage: npm run bench:build && node dist-bench/bench/detector-speed.bench.js [peers folder]
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDenseNetwork, createNetworkTrainer } from '../training/detectors/dense-network.js';
import { autoencoderDetectorSpec } from '../training/detectors/autoencoder-detector.js';
import { createFeatureMatrix, type FeatureMatrix, type FittedDetector } from '../training/detectors/detector.js';
import { kmeansDetectorSpec } from '../training/detectors/kmeans-detector.js';
import { mahalanobisDetectorSpec } from '../training/detectors/mahalanobis-detector.js';
import { createSeededRandom } from '../data/seeded-random.js';
import { median } from '../training/statistics.js';

/** Median of 3 timings (s) of scoring the whole matrix at once. */
function batchScoringSeconds(detector: FittedDetector, matrix: FeatureMatrix): number {
  const times: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    detector.anomalyScores(matrix);
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

/** Median over 10k calls (µs) of scoring one row, after 2k warm-up calls: the serving path. */
function singleRowMicros(detector: FittedDetector, oneRow: FeatureMatrix): number {
  for (let i = 0; i < 2000; i++) detector.anomalyScores(oneRow);
  const single: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const t = process.hrtime.bigint();
    detector.anomalyScores(oneRow);
    single.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(single);
}

const peersSource = path.resolve(process.argv[2] ?? '../shared/peers');
const work = await mkdtemp(path.join(os.tmpdir(), 'ringfence-peers-'));
const python = '/usr/bin/python3';
const D = 16;
try {
  await cp(peersSource, work, { recursive: true });
  execFileSync('node', [path.join(work, 'gen_data.mjs')], { cwd: work, stdio: 'ignore' });
  const bytes = await readFile(path.join(work, 'data', `blobs_1000000x${D}.f32`));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const names = Array.from({ length: D }, (_, j) => `f${j}`);

  // 1. k-means fit on 1M × 16, k = 8 as the peers
  const matrix = createFeatureMatrix(names, Float64Array.from(all));
  const kmFits: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    await kmeansDetectorSpec.fit(matrix, kmeansDetectorSpec.paramsSchema.parse({ k: 8 }), { seed: rep });
    kmFits.push((performance.now() - t) / 1000);
  }
  execFileSync(python, ['bench_kmeans.py', '--sizes', '1000000', '--threads', '1', '--reps', '3'], { cwd: work, stdio: 'ignore' });
  const sk = JSON.parse(await readFile(path.join(work, 'out', 'kmeans_py.json'), 'utf8')) as { results: { fit_s_median: number }[] };
  const skFit = sk.results[0]!.fit_s_median;

  // 2. autoencoder training throughput: 16-32-8-32-16, Adam, batch 256, 3 epochs over 200k z-scored rows (the peers' setup)
  const n = 200_000;
  const train = new Float32Array(n * D);
  for (let j = 0; j < D; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += all[i * D + j] as number;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += ((all[i * D + j] as number) - mean) ** 2;
    const sd = Math.sqrt(variance / n) || 1;
    for (let i = 0; i < n; i++) train[i * D + j] = ((all[i * D + j] as number) - mean) / sd;
  }
  const trainTimes: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const layers = createDenseNetwork([16, 32, 8, 32, 16], rep);
    const trainer = createNetworkTrainer(layers, 256);
    const random = createSeededRandom(rep);
    const order = Array.from({ length: n }, (_, i) => i);
    const batch = new Float32Array(256 * D);
    const t = performance.now();
    for (let epoch = 0; epoch < 3; epoch++) {
      random.shuffle(order);
      for (let start = 0; start < n; start += 256) {
        const rows = Math.min(256, n - start);
        for (let r = 0; r < rows; r++) batch.set(train.subarray((order[start + r] as number) * D, ((order[start + r] as number) + 1) * D), r * D);
        trainer.step(batch, rows, 1e-3);
      }
    }
    trainTimes.push((performance.now() - t) / 1000);
  }
  execFileSync(python, ['bench_ae.py', '--threads', '1', '--reps', '3'], { cwd: work, stdio: 'ignore' });
  const torch = JSON.parse(await readFile(path.join(work, 'out', 'ae_torch.json'), 'utf8')) as {
    results: { train_rows_per_s: number; infer_b4096_rows_per_s: number; infer_whole_rows_per_s: number }[];
  };
  const torchTrain = torch.results[0]!.train_rows_per_s;
  const oursTrain = (3 * n) / median(trainTimes);

  // 3. batch scoring and 4. single-row latency with the fitted autoencoder detector (the serving path)
  const scored = createFeatureMatrix(names, Float64Array.from(train));
  const { detector } = await autoencoderDetectorSpec.fit(
    createFeatureMatrix(names, Float64Array.from(train.subarray(0, 50_000 * D))),
    autoencoderDetectorSpec.paramsSchema.parse({ epochs: 3, hidden_units: 32, bottleneck_units: 8 }),
    { seed: 1 },
  );
  const batchSeconds = batchScoringSeconds(detector, scored);
  const single = singleRowMicros(detector, createFeatureMatrix(names, Float64Array.from(train.subarray(0, D))));

  // 5. the Mahalanobis distance: fit on 1M × 16, then the same scoring measures
  const mahalanobisFit: number[] = [];
  let mahalanobis = null as FittedDetector | null;
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    mahalanobis = (await mahalanobisDetectorSpec.fit(matrix, mahalanobisDetectorSpec.paramsSchema.parse({}), { seed: rep })).detector;
    mahalanobisFit.push((performance.now() - t) / 1000);
  }
  const mahalanobisBatch = batchScoringSeconds(mahalanobis!, scored);
  const mahalanobisSingle = singleRowMicros(mahalanobis!, createFeatureMatrix(names, Float64Array.from(train.subarray(0, D))));
  const torchInfer = Math.max(torch.results[0]!.infer_b4096_rows_per_s, torch.results[0]!.infer_whole_rows_per_s);
  console.log('\n## Detector speed beside scikit-learn and PyTorch (issue 5)\n');
  console.log(
    'Command: `npm run bench:build && node dist-bench/bench/detector-speed.bench.js` (peers: `../shared/peers`, run from a temporary copy in the same run; 1 thread each).\n',
  );
  console.log('| measure | ringfence | peer | ratio | target |\n|---|---:|---:|---:|---|');
  console.log(
    `| k-means fit, 1M × 16, k = 8 (s, median of 3) | ${median(kmFits).toFixed(2)} | scikit-learn ${skFit.toFixed(2)} | ${(median(kmFits) / skFit).toFixed(2)}× the time | ≤ 2× |`,
  );
  console.log(
    `| autoencoder training 16-32-8-32-16 (rows/s) | ${(oursTrain / 1000).toFixed(0)}k | PyTorch ${(torchTrain / 1000).toFixed(0)}k | ${(oursTrain / torchTrain).toFixed(2)}× the throughput | ≥ 0.5× |`,
  );
  console.log(
    `| autoencoder batch scoring, 200k rows (rows/s) | ${(n / batchSeconds / 1e6).toFixed(2)}M | PyTorch ${(torchInfer / 1e6).toFixed(2)}M | ${(n / batchSeconds / torchInfer).toFixed(2)}× | ≥ 1M rows/s |`,
  );
  console.log(`| single-row autoencoder score (µs, median of 10k) | ${single.toFixed(2)} | | | ≤ 10 µs |`);
  console.log(`| Mahalanobis fit, 1M × 16 (s, median of 3) | ${median(mahalanobisFit).toFixed(2)} | | | |`);
  console.log(`| Mahalanobis batch scoring, 200k rows (rows/s) | ${(n / mahalanobisBatch / 1e6).toFixed(2)}M | | | ≥ 1M rows/s |`);
  console.log(`| single-row Mahalanobis score (µs, median of 10k) | ${mahalanobisSingle.toFixed(2)} | | | ≤ 10 µs |`);
} finally {
  await rm(work, { recursive: true, force: true });
}
