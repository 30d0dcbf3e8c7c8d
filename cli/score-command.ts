// ringfence score: every account of a folder scored with a saved version → CSV or JSONL, and the predicted rings
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { formatCsvRow } from '../data/csv-writer.js';
import { loadDataset } from '../data/load-dataset.js';
import { buildIdentityIndex } from '../training/identity/identity-graph.js';
import { loadScoringParts } from '../training/model-files.js';
import { assessAccount } from '../training/scoring/risk-score.js';
import { commonOptions, CliUsageError, defineCommand, EXIT_OK } from './cli-command.js';
import { createProgressReporter } from './progress.js';

async function writeAtomically(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.partial`, content);
  await rename(`${file}.partial`, file);
}

export const scoreCommand = defineCommand({
  name: 'score',
  summary: 'score every account of a data folder with a saved model version',
  options: {
    data: { schema: z.string().min(1), description: 'data folder to score', placeholder: 'DIR' },
    models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
    name: commonOptions.modelName,
    version: { schema: z.string().optional(), description: 'version id (default: LATEST)', placeholder: 'V' },
    out: { schema: z.string().regex(/\.(csv|jsonl)$/, 'must end in .csv or .jsonl'), description: 'output file: account_id, risk_score, action, reasons (.csv or .jsonl)', placeholder: 'FILE' },
    ringsOut: { schema: z.string().optional(), description: 'also write ring_id, account_id for every predicted ring of 2+ accounts', placeholder: 'FILE' },
  },
  async run(args, io) {
    const out = path.resolve(io.cwd, args.out);
    if (args.ringsOut && path.resolve(io.cwd, args.ringsOut) === out) throw new CliUsageError('--rings-out must differ from --out');
    const { parts, manifest } = await loadScoringParts(path.resolve(io.cwd, args.models), args.name, args.version);
    const progress = createProgressReporter(io);
    const dataset = await loadDataset(path.resolve(io.cwd, args.data), { onProgress: progress });
    const assessments = dataset.accounts.map((account, i) => {
      if (i % 2000 === 0) progress({ stage: 'scoring', done: i, total: dataset.accounts.length, unit: 'accounts' });
      return assessAccount(parts, account);
    });
    progress.finish();
    const content = out.endsWith('.jsonl')
      ? assessments.map((a) => `${JSON.stringify(a)}\n`).join('')
      : formatCsvRow(['account_id', 'risk_score', 'action', 'cluster', 'reasons']) +
        assessments.map((a) => formatCsvRow([a.account_id, a.risk_score, a.action, a.cluster, a.reasons.slice(0, 5).map((r) => `${r.code}:${r.name}=${r.value}`).join('; ')])).join('');
    await writeAtomically(out, content);
    if (args.ringsOut) {
      // rings among the scored accounts, with the model's own hub caps and link rule
      const index = buildIdentityIndex(dataset.accounts, { config: parts.identityIndex.config, hashKey: parts.identityIndex.hashKey });
      const rows = [...index.rings.values()].flatMap((ring) => ring.members.map((m) => formatCsvRow([ring.ring_id, m])));
      await writeAtomically(path.resolve(io.cwd, args.ringsOut), formatCsvRow(['ring_id', 'account_id']) + rows.join(''));
    }
    const counts = { BLOCK_ACCOUNT: 0, FLAG_FOR_REVIEW: 0, MONITOR: 0 };
    for (const a of assessments) counts[a.action]++;
    io.stdout.write(`scored ${assessments.length} accounts with ${manifest.name}/${manifest.version}: ${counts.BLOCK_ACCOUNT} BLOCK_ACCOUNT, ${counts.FLAG_FOR_REVIEW} FLAG_FOR_REVIEW, ${counts.MONITOR} MONITOR → ${out}\n`);
    return EXIT_OK;
  },
});
