// ringfence train: raw tables → features → identity graph → detectors → calibration → a new model version
import path from 'node:path';
import { z } from 'zod';
import { hashSecretSourceFromEnv, readHashSecret } from '../models/hash-secret.js';
import { openDecisionStore, readAllDecisions } from '../training/decisions/decision-store.js';
import type { LabelSource } from '../training/supervised/analyst-labels.js';
import { readTrainConfig } from '../training/train-config.js';
import { trainModel } from '../training/train-model.js';
import { type CliIo, commonOptions, defineCommand, EXIT_OK } from './cli-command.js';
import { decisionStoreExists, decisionStoreOf, decisionStoreOptions } from './decision-store-options.js';
import { formatMetricsSummary } from './format-metrics.js';
import { createProgressReporter } from './progress.js';

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'train a new model version from a data folder (labels, if present, only evaluate)',
  details:
    "Identifiers are keyed-hashed with the deployment's secret: RINGFENCE_HASH_SECRET, or the file of --secret-file (RINGFENCE_HASH_SECRET_FILE), else ROOT/.hash-secret, which the first train creates with mode 0600. The model records only the secret's fingerprint; score and serve need the same secret.",
  options: {
    data: {
      schema: z.string().min(1),
      description: 'data folder (accounts, logins, proposals, tests, payouts, optional labels)',
      placeholder: 'DIR',
    },
    models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
    name: commonOptions.modelName,
    seed: commonOptions.seed,
    config: { schema: z.string().optional(), description: 'JSON config: identity hub caps, policy, rules, detector sizes', placeholder: 'FILE' },
    secretFile: commonOptions.secretFile,
    feedback: {
      schema: z.string().optional(),
      description:
        "analyst labels, CSV account_id,label[,kind] (1 fraud, 0 honest): fits the supervised layer (default: the account decisions of the model name's decision store, when it has any)",
      placeholder: 'FILE',
    },
    ...decisionStoreOptions,
  },
  async run(args, io) {
    const config = await readTrainConfig(args.config ? path.resolve(io.cwd, args.config) : undefined);
    const progress = createProgressReporter(io);
    const started = Date.now();
    const secretSource = hashSecretSourceFromEnv(io.env, args.secretFile && path.resolve(io.cwd, args.secretFile));
    const labelSource = args.feedback ? { feedbackFile: path.resolve(io.cwd, args.feedback) } : await storedDecisions(args, io, secretSource);
    const result = await trainModel({
      dataDir: path.resolve(io.cwd, args.data),
      modelsRoot: path.resolve(io.cwd, args.models),
      name: args.name,
      seed: args.seed,
      config,
      ...secretSource,
      ...(labelSource ? { labelSource } : {}),
      onProgress: progress,
      onStage: (message) => {
        progress.finish();
        io.stderr.write(`${message}\n`);
      },
    });
    progress.finish();
    if (result.secret.created)
      io.stderr.write(
        `created the deployment's hashing secret: ${result.secret.origin.replace(/^secret file /, '')} (mode 0600; score and serve need it, and it never enters a model version)\n`,
      );
    if (result.metrics) io.stdout.write(formatMetricsSummary(result.metrics));
    io.stdout.write(
      `trained ${result.name}/${result.version} in ${((Date.now() - started) / 1000).toFixed(1)}s → ${result.dir}\nanalyst report: ${path.join(result.reportDir, 'report.html')} (tables: accounts.csv, clusters.csv, rings.csv)\n`,
    );
    return EXIT_OK;
  },
});

/**
 * Without --feedback: the decisions of the model name's decision store (where `ringfence serve` records them), or
 * null when there is no store or it holds none (the model is then the unsupervised one).
 */
async function storedDecisions(
  args: { models: string; name: string; decisionStore?: string | undefined; identityStore?: string | undefined },
  io: CliIo,
  secretSource: ReturnType<typeof hashSecretSourceFromEnv>,
): Promise<LabelSource | null> {
  const root = path.resolve(io.cwd, args.models);
  const location = decisionStoreOf(io, root, args.name, args);
  if (!(await decisionStoreExists(location))) {
    io.stderr.write(`no decision store at ${location}: no analyst labels, the model stays unsupervised\n`);
    return null;
  }
  const secret = await readHashSecret(root, secretSource);
  const store = await openDecisionStore(location, secret.fingerprint);
  try {
    const decisions = (await readAllDecisions(store)).map((s) => s.decision);
    io.stderr.write(`read ${decisions.length} decision${decisions.length === 1 ? '' : 's'} from ${store.description}\n`);
    return decisions.length > 0 ? { decisions, description: store.description } : null;
  } finally {
    await store.close();
  }
}
