// ringfence demo: the whole job on an embedded default: generate a marketplace, train, score, show the report
import { access } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { generateMarketplace } from '../data/synthetic/generate-marketplace.js';
import { loadDataset } from '../data/load-dataset.js';
import { hashSecretSourceFromEnv } from '../models/hash-secret.js';
import { loadScoringParts } from '../training/model-files.js';
import { assessAccount } from '../training/scoring/risk-score.js';
import { trainModel } from '../training/train-model.js';
import { defineCommand, EXIT_OK, integerOption } from './cli-command.js';
import { formatMetricsSummary } from './format-metrics.js';
import { formatTable } from './format-table.js';
import { createProgressReporter } from './progress.js';

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'generate a synthetic marketplace, train on it, score a fresh one, and print where the report is',
  details: 'Relative folders start at the current one: by default the data and the model go under ./.ringfence (which git ignores).',
  options: {
    accounts: integerOption({ min: 200, max: 1_000_000, default: 5000, description: 'accounts in the synthetic marketplace', placeholder: 'N' }),
    dir: { schema: z.string().default('.ringfence/demo'), description: 'folder for the generated data', placeholder: 'DIR' },
    models: { schema: z.string().default('.ringfence/models'), description: 'model root folder; the model is named demo', placeholder: 'ROOT' },
  },
  async run(args, io) {
    const dir = path.resolve(io.cwd, args.dir);
    const progress = createProgressReporter(io);
    const trainData = path.join(dir, `train-${args.accounts}-seed7`);
    const freshData = path.join(dir, `fresh-${Math.max(200, Math.round(args.accounts / 5))}-seed8`);
    for (const [folder, accounts, seed] of [
      [trainData, args.accounts, 7],
      [freshData, Math.max(200, Math.round(args.accounts / 5)), 8],
    ] as const) {
      const isThere = await access(path.join(folder, 'accounts.csv')).then(
        () => true,
        () => false,
      );
      if (!isThere) {
        await generateMarketplace(folder, { accounts, seed, onProgress: progress });
        progress.finish();
        io.stderr.write(`generated ${accounts} synthetic accounts (seed ${seed}) → ${folder}\n`);
      }
    }
    const result = await trainModel({
      dataDir: trainData,
      modelsRoot: path.resolve(io.cwd, args.models),
      name: 'demo',
      seed: 7,
      ...hashSecretSourceFromEnv(io.env),
      onProgress: progress,
      onStage: (message) => {
        progress.finish();
        io.stderr.write(`${message}\n`);
      },
    });
    progress.finish();
    if (result.metrics) io.stdout.write(formatMetricsSummary(result.metrics));
    // blind check: the saved model scores a marketplace generated with another seed
    const { parts } = await loadScoringParts(path.resolve(io.cwd, args.models), 'demo', result.version, hashSecretSourceFromEnv(io.env));
    const fresh = await loadDataset(freshData);
    const scored = fresh.accounts.map((a) => assessAccount(parts, a)).sort((a, b) => b.risk_score - a.risk_score);
    io.stdout.write(`\ntop accounts of a fresh marketplace (seed 8) scored by the saved model:\n`);
    io.stdout.write(
      formatTable(
        ['account', 'risk', 'action', 'true label', 'top reason'],
        scored.slice(0, 8).map((a) => {
          const label = fresh.labels?.get(a.account_id);
          return [a.account_id, a.risk_score, a.action, label ? (label.label ? (label.kind ?? 'fraud') : 'normal') : '?', a.reasons[0]?.detail ?? ''];
        }),
      ),
    );
    io.stdout.write(`\nmodel demo/${result.version} → ${result.dir}\nanalyst report: ${path.join(result.reportDir, 'report.html')}\n`);
    return EXIT_OK;
  },
});
