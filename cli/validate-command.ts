// ringfence validate: load a data folder with full validation; print rows, time range, labels and problems
import path from 'node:path';
import { z } from 'zod';
import { loadDataset } from '../data/load-dataset.js';
import { defineCommand, EXIT_OK } from './cli-command.js';
import { formatTable } from './format-table.js';
import { createProgressReporter } from './progress.js';

export const validateCommand = defineCommand({
  name: 'validate',
  summary: 'load a data folder and report per-table rows, time range and problems',
  options: {
    data: { schema: z.string().min(1), description: 'folder with accounts, logins, proposals, tests, payouts (and labels) files', placeholder: 'DIR' },
    maxErrors: { schema: z.coerce.number().int().min(1).max(10_000).default(20), description: 'errors listed from the first bad file', placeholder: 'N' },
    rejects: { schema: z.string().optional(), description: 'write every bad row to this JSONL file and go on', placeholder: 'FILE' },
  },
  async run(args, io) {
    const progress = createProgressReporter(io);
    const folder = path.resolve(io.cwd, args.data);
    const dataset = await loadDataset(folder, {
      maxErrors: args.maxErrors,
      ...(args.rejects ? { rejectsFile: path.resolve(io.cwd, args.rejects) } : {}),
      onProgress: progress,
    });
    progress.finish();
    const { summary } = dataset;
    const rows = Object.entries(summary.tables).map(([table, t]) => [table, path.basename(t.file), t.rows, t.rejected_rows, Math.round(t.bytes / 1024)] as (string | number)[]);
    io.stdout.write(formatTable(['table', 'file', 'rows', 'rejected', 'KiB'], rows));
    io.stdout.write(`time range: ${summary.time_range.from ?? '-'} .. ${summary.time_range.to ?? '-'}\n`);
    if (summary.label_counts) {
      const kinds = Object.entries(summary.label_counts.by_kind).map(([k, v]) => `${k} ${v}`).join(', ');
      io.stdout.write(`labels: ${summary.label_counts.normal} normal, ${summary.label_counts.fraud} fraud${kinds ? ` (${kinds})` : ''}\n`);
    }
    for (const warning of summary.warnings) {
      io.stdout.write(`warning: ${warning.count} × ${warning.message} [${warning.code}] e.g. ${warning.examples.join(', ')}\n`);
    }
    if (summary.rejects_file) io.stdout.write(`rejected rows written to ${summary.rejects_file}\n`);
    const rejected = Object.values(summary.tables).reduce((a, t) => a + t.rejected_rows, 0);
    io.stdout.write(`valid: ${summary.accounts} accounts, ${Object.values(summary.tables).reduce((a, t) => a + t.rows, 0)} rows${rejected ? `, ${rejected} rejected` : ''}\n`);
    return EXIT_OK;
  },
});
