// ringfence review-queue: the accounts whose review would teach the model most (uncertain, unlike those already labelled)
import path from 'node:path';
import { z } from 'zod';
import { formatCsvRow, writeLinesAtomically } from '../data/csv-writer.js';
import { hashSecretSourceFromEnv, readHashSecret } from '../models/hash-secret.js';
import { featuriseDataset } from '../training/features/featurise-dataset.js';
import { loadScoringParts } from '../training/model-files.js';
import { REVIEW_QUEUE_COLUMNS, reviewQueue, reviewQueueCells } from '../training/supervised/review-queue.js';
import { commonOptions, defineCommand, EXIT_OK } from './cli-command.js';
import { createProgressReporter } from './progress.js';

export const reviewQueueCommand = defineCommand({
  name: 'review-queue',
  summary: 'list the accounts whose review would teach the model most',
  details:
    'Uncertain accounts (near the FLAG line) unlike those already labelled come first. Accounts are those of --data, by default the folder the version was trained on.',
  options: {
    models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
    name: commonOptions.modelName,
    version: { schema: z.string().optional(), description: 'version id (default: LATEST)', placeholder: 'V' },
    data: { schema: z.string().optional(), description: 'data folder of the candidate accounts (default: the training folder)', placeholder: 'DIR' },
    n: { schema: z.coerce.number().int().min(1).max(100_000).default(100), description: 'accounts to list', placeholder: 'N' },
    out: {
      schema: z
        .string()
        .regex(/\.csv$/, 'must end in .csv')
        .optional(),
      description: 'write the queue as CSV instead of printing it',
      placeholder: 'FILE',
    },
    secretFile: commonOptions.secretFile,
  },
  async run(args, io) {
    const root = path.resolve(io.cwd, args.models);
    const secretSource = hashSecretSourceFromEnv(io.env, args.secretFile && path.resolve(io.cwd, args.secretFile));
    const { parts, manifest } = await loadScoringParts(root, args.name, args.version, secretSource);
    const trainedOn = (manifest.training_data as { folder?: string }).folder;
    const folder = args.data ? path.resolve(io.cwd, args.data) : trainedOn;
    if (!folder) throw new Error(`${manifest.name}/${manifest.version} does not record its training folder: pass --data DIR`);
    const progress = createProgressReporter(io);
    const secret = await readHashSecret(root, secretSource);
    const data = await featuriseDataset(folder, { identity: parts.identityIndex.config, hashKey: secret.key, onProgress: progress });
    const queue = reviewQueue(parts, data, args.n);
    progress.finish();
    if (args.out) {
      const out = path.resolve(io.cwd, args.out);
      await writeLinesAtomically(out, [formatCsvRow(REVIEW_QUEUE_COLUMNS), ...queue.map((c) => formatCsvRow(reviewQueueCells(c)))]);
      io.stdout.write(
        `review queue: ${queue.length} accounts of ${data.accountIds.length} (${parts.supervised ? 'with' : 'no'} supervised layer) → ${out}\n`,
      );
    } else {
      io.stdout.write([REVIEW_QUEUE_COLUMNS.join('\t'), ...queue.map((c) => reviewQueueCells(c).join('\t'))].join('\n') + '\n');
    }
    return EXIT_OK;
  },
});
