// ringfence score: every account of a folder scored with a saved version → CSV or JSONL, and the predicted rings
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { formatCsvRow, writeLinesAtomically } from '../data/csv-writer.js';
import { DEFAULT_SHARD_INPUT_MIB } from '../data/dataset-shards.js';
import { hashSecretSourceFromEnv } from '../models/hash-secret.js';
import { loadScoringParts } from '../training/model-files.js';
import type { RiskAssessment } from '../training/scoring/risk-assessment.js';
import { scoreDataset } from '../training/scoring/score-dataset.js';
import { commonOptions, CliUsageError, defineCommand, EXIT_OK } from './cli-command.js';
import { createProgressReporter } from './progress.js';

const CSV_COLUMNS = ['account_id', 'risk_score', 'action', 'cluster', 'reasons'];
const csvLine = (a: RiskAssessment) => formatCsvRow([a.account_id, a.risk_score, a.action, a.cluster, a.reasons.slice(0, 5).map((r) => `${r.code}:${r.name}=${r.value}`).join('; ')]);
const jsonLine = (a: RiskAssessment) => `${JSON.stringify(a)}\n`;

export const scoreCommand = defineCommand({
  name: 'score',
  summary: 'score every account of a data folder with a saved model version',
  details: `Accounts are read in shards of about --shard-mib MiB of input (default ${DEFAULT_SHARD_INPUT_MIB}), so folders larger than memory are scored; the output keeps the order of the accounts file.`,
  options: {
    data: { schema: z.string().min(1), description: 'data folder to score', placeholder: 'DIR' },
    models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
    name: commonOptions.modelName,
    version: { schema: z.string().optional(), description: 'version id (default: LATEST)', placeholder: 'V' },
    out: { schema: z.string().regex(/\.(csv|jsonl)$/, 'must end in .csv or .jsonl'), description: `output file: .csv with the columns ${CSV_COLUMNS.join(', ')}, or .jsonl with whole assessments`, placeholder: 'FILE' },
    ringsOut: { schema: z.string().optional(), description: 'also write ring_id, account_id for every predicted ring of 2+ accounts', placeholder: 'FILE' },
    secretFile: commonOptions.secretFile,
    shardMib: { schema: z.coerce.number().int().min(16).max(1_048_576).optional(), description: `input per shard in MiB (default ${DEFAULT_SHARD_INPUT_MIB})`, placeholder: 'MIB' },
  },
  async run(args, io) {
    const out = path.resolve(io.cwd, args.out);
    const ringsOut = args.ringsOut ? path.resolve(io.cwd, args.ringsOut) : null;
    if (ringsOut === out) throw new CliUsageError('--rings-out must differ from --out');
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
      withIdentityIndex: ringsOut !== null,
      ...(args.shardMib ? { shardInputMib: args.shardMib } : {}),
      onProgress: progress,
    });
    progress.finish();
    if (ringsOut && scored.identityIndex) {
      await mkdir(path.dirname(ringsOut), { recursive: true });
      const rings = scored.identityIndex.rings;
      await writeLinesAtomically(
        ringsOut,
        (function* () {
          yield formatCsvRow(['ring_id', 'account_id']);
          for (const ring of rings.values()) for (const member of ring.members) yield formatCsvRow([ring.ring_id, member]);
        })(),
      );
    }
    const { BLOCK_ACCOUNT, FLAG_FOR_REVIEW, MONITOR } = scored.actions;
    io.stdout.write(`scored ${scored.accounts} accounts with ${manifest.name}/${manifest.version}${scored.shards > 1 ? ` in ${scored.shards} shards` : ''}: ${BLOCK_ACCOUNT} BLOCK_ACCOUNT, ${FLAG_FOR_REVIEW} FLAG_FOR_REVIEW, ${MONITOR} MONITOR → ${out}\n`);
    return EXIT_OK;
  },
});
