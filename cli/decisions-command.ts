// ringfence decisions import|export: analysts' decisions in and out of a model name's decision store as CSV or JSONL
// (by extension). An import is all or nothing: a file with a bad row imports no row, and each bad field is reported
// with its file, line and field. Raw list identifiers are hashed with the deployment secret before they are stored.
import path from 'node:path';
import { z } from 'zod';
import { readDecisionsFile, writeDecisionsFile } from '../data/decision-files.js';
import { hashSecretSourceFromEnv, readHashSecret } from '../models/hash-secret.js';
import { openDecisionStore, readAllDecisions, recordDecisions } from '../training/decisions/decision-store.js';
import { keyedDecision } from '../training/decisions/keyed-decision.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import { decisionStoreOf, decisionStoreOptions } from './decision-store-options.js';
import { CliUsageError, commonOptions, defineCommand, defineCommandGroup, EXIT_OK, type CliCommand, type CliIo } from './cli-command.js';

const storeOptions = {
  models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
  name: commonOptions.modelName,
  ...decisionStoreOptions,
  secretFile: commonOptions.secretFile,
};

type StoreArgs = {
  models: string;
  name: string;
  decisionStore?: string | undefined;
  identityStore?: string | undefined;
  secretFile?: string | undefined;
};

/** Opens the decision store of ROOT/NAME where `ringfence serve` finds it, with the deployment's secret (its key hashes raw list entries). */
async function openStoreOf(args: StoreArgs, io: CliIo): Promise<{ store: KeyValueStore; hashKey: string }> {
  const root = path.resolve(io.cwd, args.models);
  const location = decisionStoreOf(io, root, args.name, args);
  const secret = await readHashSecret(root, hashSecretSourceFromEnv(io.env, args.secretFile ? path.resolve(io.cwd, args.secretFile) : undefined));
  return { store: await openDecisionStore(location, secret.fingerprint), hashKey: secret.key };
}

const importCommand = defineCommand({
  name: 'decisions import',
  summary: "record the decisions of FILE (.csv or .jsonl) in the model name's decision store",
  details:
    'Every row must be a valid decision: one bad field fails the whole file, nothing is recorded, and each error names its line and field. ' +
    'A decision the store already holds (same content) is counted, not recorded twice. A running service applies new decisions at its next score.',
  options: storeOptions,
  operand: { placeholder: 'FILE', description: 'the decisions file, CSV (columns as export writes them) or JSONL (one decision per line)' },
  async run(args, io, file) {
    const source = path.resolve(io.cwd, file);
    const rows = await readDecisionsFile(source);
    const { store, hashKey } = await openStoreOf(args, io);
    try {
      const decisions = rows.map((row) => keyedDecision(row.decision, hashKey));
      const { added, known } = await recordDecisions(store, decisions, `import of ${path.basename(source)}`);
      const repeated = decisions.length - added.length - known;
      io.stdout.write(
        `imported ${added.length} decision${added.length === 1 ? '' : 's'} from ${file} into ${store.description}` +
          `; ${known} already recorded${repeated > 0 ? `, ${repeated} repeated within the file` : ''} (${rows.length} rows)\n`,
      );
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
});

const exportCommand = defineCommand({
  name: 'decisions export',
  summary: "write every decision of the model name's decision store to FILE (.csv or .jsonl), in the order recorded",
  options: storeOptions,
  operand: { placeholder: 'FILE', description: 'the file to write, CSV or JSONL by its extension (replaced atomically)' },
  async run(args, io, file) {
    if (!/\.(csv|jsonl)$/i.test(file))
      throw new CliUsageError(`'ringfence decisions export' writes a .csv or .jsonl file, got ${JSON.stringify(file)}`);
    const { store } = await openStoreOf(args, io);
    try {
      const stored = await readAllDecisions(store);
      await writeDecisionsFile(
        path.resolve(io.cwd, file),
        stored.map((s) => s.decision),
      );
      io.stdout.write(`exported ${stored.length} decision${stored.length === 1 ? '' : 's'} from ${store.description} to ${file}\n`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
});

export const decisionsCommand: CliCommand = defineCommandGroup({
  name: 'decisions',
  summary: "import or export analysts' decisions",
  help: () =>
    [
      'ringfence decisions import --models ROOT [--name NAME] [--decision-store PATH] [--secret-file FILE] FILE',
      'ringfence decisions export --models ROOT [--name NAME] [--decision-store PATH] [--secret-file FILE] FILE',
      '',
      "FILE is CSV or JSONL by its extension. 'ringfence decisions import --help' for the options.",
      '',
    ].join('\n'),
  subcommands: { import: importCommand, export: exportCommand },
});
