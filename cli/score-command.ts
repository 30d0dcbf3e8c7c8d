// ringfence score: every account of a folder scored with a saved version → CSV or JSONL, and the predicted rings.
// The folder is first added to an in-memory live identity state (the model's index plus the folder's accounts, in
// sign-up order; never the service's store), then each account is scored against it by the service's code.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { formatCsvRow, writeLinesAtomically } from '../data/csv-writer.js';
import { DEFAULT_SHARD_INPUT_MIB } from '../data/dataset-shards.js';
import { hashSecretSourceFromEnv } from '../models/hash-secret.js';
import { GROUP_COLUMNS, groupRows, RING_COLUMNS, ringRows } from '../training/identity/group-tables.js';
import { asGroupRecord } from '../training/identity/live-identity-graph.js';
import { loadScoringParts } from '../training/model-files.js';
import type { LiveAssessment } from '../training/identity/live-assessment.js';
import { scoreDataset } from '../training/scoring/score-dataset.js';
import { commonOptions, CliUsageError, defineCommand, EXIT_OK } from './cli-command.js';
import { createProgressReporter } from './progress.js';

const CSV_COLUMNS = ['account_id', 'risk_score', 'action', 'cluster', 'reasons', 'ring_id'];
const csvLine = (a: LiveAssessment) =>
  formatCsvRow([
    a.account_id,
    a.risk_score,
    a.action,
    a.cluster,
    a.reasons
      .slice(0, 5)
      .map((r) => `${r.code}:${r.name}=${r.value}`)
      .join('; '),
    a.ring_id ?? '',
  ]);
const jsonLine = (a: LiveAssessment) => `${JSON.stringify(a)}\n`;

export const scoreCommand = defineCommand({
  name: 'score',
  summary: 'score every account of a data folder with a saved model version',
  details: `The folder's accounts are first added, in sign-up order, to an in-memory identity state (the model's index plus these accounts; the service's store is not read or written), then each is scored against it as POST /v1/predict scores: a ring among the folder's accounts sees itself, and ring_id names the ring (ring score >= policy.ring_above) an account is in. Accounts are read in shards of about --shard-mib MiB of input (default ${DEFAULT_SHARD_INPUT_MIB}), so folders larger than memory are scored; the output keeps the order of the accounts file.`,
  options: {
    data: { schema: z.string().min(1), description: 'data folder to score', placeholder: 'DIR' },
    models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
    name: commonOptions.modelName,
    version: { schema: z.string().optional(), description: 'version id (default: LATEST)', placeholder: 'V' },
    out: {
      schema: z.string().regex(/\.(csv|jsonl)$/, 'must end in .csv or .jsonl'),
      description: `output file: .csv with the columns ${CSV_COLUMNS.join(', ')}, or .jsonl with whole assessments`,
      placeholder: 'FILE',
    },
    ringsOut: {
      schema: z.string().optional(),
      description:
        'also write the rings among the scored accounts (ring_id, account_id, ring_score, reasons), and groups.csv beside it: candidate groups below policy.ring_above with why they are not rings',
      placeholder: 'FILE',
    },
    secretFile: commonOptions.secretFile,
    shardMib: {
      schema: z.coerce.number().int().min(16).max(1_048_576).optional(),
      description: `input per shard in MiB (default ${DEFAULT_SHARD_INPUT_MIB})`,
      placeholder: 'MIB',
    },
  },
  async run(args, io) {
    const out = path.resolve(io.cwd, args.out);
    const ringsOut = args.ringsOut ? path.resolve(io.cwd, args.ringsOut) : null;
    if (ringsOut === out) throw new CliUsageError('--rings-out must differ from --out');
    const groupsOut = ringsOut ? path.join(path.dirname(ringsOut), 'groups.csv') : null;
    if (groupsOut !== null && (groupsOut === ringsOut || groupsOut === out))
      throw new CliUsageError(`groups.csv is written beside --rings-out: name --rings-out and --out other than ${groupsOut}`);
    const { parts, manifest } = await loadScoringParts(
      path.resolve(io.cwd, args.models),
      args.name,
      args.version,
      hashSecretSourceFromEnv(io.env, args.secretFile && path.resolve(io.cwd, args.secretFile)),
    );
    const progress = createProgressReporter(io);
    await mkdir(path.dirname(out), { recursive: true });
    const isJsonl = out.endsWith('.jsonl');
    const scored = await scoreDataset(path.resolve(io.cwd, args.data), parts, out, {
      ...(isJsonl ? {} : { header: formatCsvRow(CSV_COLUMNS) }),
      formatLine: isJsonl ? jsonLine : csvLine,
      ...(args.shardMib ? { shardInputMib: args.shardMib } : {}),
      onProgress: progress,
    });
    progress.finish();
    if (ringsOut && groupsOut) {
      await mkdir(path.dirname(ringsOut), { recursive: true });
      const ringAbove = parts.identityIndex.judgement.ring_above;
      const rings = scored.groups.filter((g) => g.is_ring).map((g) => g.ring);
      const groups = scored.groups.filter((g) => !g.is_ring).map((g) => asGroupRecord(g.ring, ringAbove));
      const csvLines = function* (columns: readonly string[], rows: Iterable<(string | number)[]>) {
        yield formatCsvRow(columns);
        for (const row of rows) yield formatCsvRow(row);
      };
      await writeLinesAtomically(ringsOut, csvLines(RING_COLUMNS, ringRows(rings)));
      await writeLinesAtomically(groupsOut, csvLines(GROUP_COLUMNS, groupRows(groups)));
      io.stdout.write(`${rings.length} rings (ring score >= ${ringAbove}) → ${ringsOut}; ${groups.length} candidate groups below → ${groupsOut}\n`);
    }
    const { BLOCK_ACCOUNT, FLAG_FOR_REVIEW, MONITOR } = scored.actions;
    io.stdout.write(
      `scored ${scored.accounts} accounts with ${manifest.name}/${manifest.version}${scored.shards > 1 ? ` in ${scored.shards} shards` : ''}: ${BLOCK_ACCOUNT} BLOCK_ACCOUNT, ${FLAG_FOR_REVIEW} FLAG_FOR_REVIEW, ${MONITOR} MONITOR → ${out}\n`,
    );
    return EXIT_OK;
  },
});
