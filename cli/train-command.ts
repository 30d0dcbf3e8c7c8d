// ringfence train: raw tables → features → identity graph → detectors → calibration → a new model version
import path from 'node:path';
import { z } from 'zod';
import { readTrainConfig } from '../training/train-config.js';
import { trainModel } from '../training/train-model.js';
import { commonOptions, defineCommand, EXIT_OK } from './cli-command.js';
import { formatMetricsSummary } from './format-metrics.js';
import { createProgressReporter } from './progress.js';

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'train a new model version from a data folder (labels, if present, only evaluate)',
  details: 'Set RINGFENCE_HASH_SECRET to key the identifier hashes with your own secret (use the same one when serving); otherwise each version gets a random key.',
  options: {
    data: { schema: z.string().min(1), description: 'data folder (accounts, logins, proposals, tests, payouts, optional labels)', placeholder: 'DIR' },
    models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
    name: commonOptions.modelName,
    seed: commonOptions.seed,
    config: { schema: z.string().optional(), description: 'JSON config: identity hub caps, policy, rules, detector sizes', placeholder: 'FILE' },
  },
  async run(args, io) {
    const config = await readTrainConfig(args.config ? path.resolve(io.cwd, args.config) : undefined);
    const progress = createProgressReporter(io);
    const started = Date.now();
    const result = await trainModel({
      dataDir: path.resolve(io.cwd, args.data),
      modelsRoot: path.resolve(io.cwd, args.models),
      name: args.name,
      seed: args.seed,
      config,
      ...(io.env['RINGFENCE_HASH_SECRET'] ? { hashSecret: io.env['RINGFENCE_HASH_SECRET'] } : {}),
      onProgress: progress,
      onStage: (message) => {
        progress.finish();
        io.stderr.write(`${message}\n`);
      },
    });
    progress.finish();
    if (result.metrics) io.stdout.write(formatMetricsSummary(result.metrics));
    io.stdout.write(`trained ${result.name}/${result.version} in ${((Date.now() - started) / 1000).toFixed(1)}s → ${result.dir}\nanalyst report: ${path.join(result.reportDir, 'report.html')} (tables: accounts.csv, clusters.csv, rings.csv)\n`);
    return EXIT_OK;
  },
});
