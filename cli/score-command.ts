// ringfence score: every account of a folder scored with a saved version → CSV or JSONL, and the predicted rings
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type AtomicFileWriter, createAtomicFileWriter, formatCsvRow } from '../data/csv-writer.js';
import { loadDataset } from '../data/load-dataset.js';
import { buildIdentityIndex } from '../training/identity/identity-graph.js';
import { loadScoringParts } from '../training/model-files.js';
import type { RiskAssessment } from '../training/scoring/risk-assessment.js';
import { assessAccount } from '../training/scoring/risk-score.js';
import { commonOptions, CliUsageError, defineCommand, EXIT_OK } from './cli-command.js';
import { createProgressReporter } from './progress.js';

async function openOutput(file: string): Promise<AtomicFileWriter> {
  await mkdir(path.dirname(file), { recursive: true });
  return createAtomicFileWriter(file);
}

const CSV_COLUMNS = ['account_id', 'risk_score', 'action', 'cluster', 'reasons'];
const csvLine = (a: RiskAssessment) => formatCsvRow([a.account_id, a.risk_score, a.action, a.cluster, a.reasons.slice(0, 5).map((r) => `${r.code}:${r.name}=${r.value}`).join('; ')]);
const jsonLine = (a: RiskAssessment) => `${JSON.stringify(a)}\n`;

/** Writes every line, then renames the file into place; a failure leaves no half-written file. */
async function writeLines(writer: AtomicFileWriter, lines: Iterable<string>): Promise<void> {
  try {
    for (const line of lines) await writer.write(line);
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
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
    // assessments are written as they are made, never held together: a million of them do not fit in one string
    const counts = { BLOCK_ACCOUNT: 0, FLAG_FOR_REVIEW: 0, MONITOR: 0 };
    const isJsonl = out.endsWith('.jsonl');
    function* scoredLines(): Generator<string> {
      if (!isJsonl) yield formatCsvRow(CSV_COLUMNS);
      for (const [i, account] of dataset.accounts.entries()) {
        if (i % 2000 === 0) progress({ stage: 'scoring', done: i, total: dataset.accounts.length, unit: 'accounts' });
        const assessment = assessAccount(parts, account);
        counts[assessment.action]++;
        yield isJsonl ? jsonLine(assessment) : csvLine(assessment);
      }
    }
    await writeLines(await openOutput(out), scoredLines());
    progress.finish();
    if (args.ringsOut) {
      // rings among the scored accounts, with the model's own hub caps and link rule
      const index = buildIdentityIndex(dataset.accounts, { config: parts.identityIndex.config, hashKey: parts.identityIndex.hashKey });
      const ringLines = function* (): Generator<string> {
        yield formatCsvRow(['ring_id', 'account_id']);
        for (const ring of index.rings.values()) for (const member of ring.members) yield formatCsvRow([ring.ring_id, member]);
      };
      await writeLines(await openOutput(path.resolve(io.cwd, args.ringsOut)), ringLines());
    }
    io.stdout.write(`scored ${dataset.accounts.length} accounts with ${manifest.name}/${manifest.version}: ${counts.BLOCK_ACCOUNT} BLOCK_ACCOUNT, ${counts.FLAG_FOR_REVIEW} FLAG_FOR_REVIEW, ${counts.MONITOR} MONITOR → ${out}\n`);
    return EXIT_OK;
  },
});
