// ringfence validate: load a data folder with full validation; print rows, time range, labels and problems
import path from 'node:path';
import { z } from 'zod';
import { DatasetError } from '../data/data-errors.js';
import type { DatasetSummary } from '../data/dataset.js';
import { TABLE_NAMES } from '../data/tables.js';
import { DEFAULT_MAX_ERRORS, loadDataset } from '../data/load-dataset.js';
import { type CliIo, defineCommand, EXIT_FAILURE, EXIT_OK } from './cli-command.js';
import { formatTable } from './format-table.js';
import { createProgressReporter } from './progress.js';

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function printSummary(summary: DatasetSummary, io: CliIo): void {
  const tableRows = Object.entries(summary.tables).map(([table, t]) => [
    table,
    path.basename(t.file),
    t.format + (t.compressed ? '+gzip' : ''),
    t.rows,
    t.rejected_rows,
    formatBytes(t.bytes),
  ]);
  io.stdout.write(formatTable(['table', 'file', 'format', 'rows', 'rejected', 'size'], tableRows));
  io.stdout.write(`\naccounts:   ${summary.accounts}\n`);
  io.stdout.write(`time range: ${summary.time_range.from ?? '-'} .. ${summary.time_range.to ?? '-'} (events)\n`);
  if (summary.label_counts) {
    const { normal, fraud, by_kind: byKind } = summary.label_counts;
    const kinds = Object.entries(byKind)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    io.stdout.write(`labels:     ${normal} normal, ${fraud} fraud${kinds ? ` (${kinds})` : ''}\n`);
  } else io.stdout.write('labels:     none (no labels table)\n');

  const problems: string[] = [];
  for (const warning of summary.warnings)
    problems.push(`warning: ${warning.count} ${warning.message} [${warning.code}], e.g. ${warning.examples.join(', ')}`);
  for (const [table, t] of Object.entries(summary.tables)) {
    if (t.ignored_columns.length > 0)
      problems.push(`note: ${path.basename(t.file)} columns not in the contract were ignored: ${t.ignored_columns.join(', ')} (${table})`);
  }
  for (const table of TABLE_NAMES) {
    // labels are reported above; an absent event table is allowed, but its features then count nothing for anyone
    if (table !== 'labels' && !(table in summary.tables))
      problems.push(`note: no ${table} table (optional): every account counts as having no ${table}`);
  }
  if (summary.ignored_files.length > 0) problems.push(`note: files that are not input tables were ignored: ${summary.ignored_files.join(', ')}`);
  const rejected = Object.values(summary.tables).reduce((a, t) => a + t.rejected_rows, 0);
  if (summary.rejects_file) problems.push(`rejected: ${rejected} bad row${rejected === 1 ? '' : 's'} written to ${summary.rejects_file}`);
  io.stdout.write(problems.length > 0 ? `\n${problems.join('\n')}\n` : '\nproblems:   none\n');
}

export const validateCommand = defineCommand({
  name: 'validate',
  summary: 'load a data folder with full validation and report per-table rows, time range, labels and problems',
  details: [
    'Exit codes: 0 the folder loads; 1 bad data (every listed error names file, line and column); 2 bad usage.',
    'By default the first bad file stops the load and up to --max-errors of its errors are listed. With',
    '--rejects FILE every bad row is written to FILE (JSONL: table, file, line, column, reason, raw) and the',
    'load goes on; the command still exits 1 when any row was rejected, so a script cannot miss them.',
  ].join('\n'),
  options: {
    data: {
      schema: z.string().min(1),
      description: 'folder with accounts, logins, proposals, tests, payouts (and labels) files',
      placeholder: 'DIR',
    },
    maxErrors: {
      schema: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_MAX_ERRORS),
      description: `errors listed from the first bad file (default ${DEFAULT_MAX_ERRORS})`,
      placeholder: 'N',
    },
    rejects: { schema: z.string().min(1).optional(), description: 'write every bad row to this JSONL file and go on', placeholder: 'FILE' },
  },
  async run(args, io) {
    const progress = createProgressReporter(io);
    const folder = path.resolve(io.cwd, args.data);
    let summary: DatasetSummary;
    try {
      ({ summary } = await loadDataset(folder, {
        maxErrors: args.maxErrors,
        ...(args.rejects ? { rejectsFile: path.resolve(io.cwd, args.rejects) } : {}),
        onProgress: progress,
      }));
    } catch (error) {
      progress.finish();
      if (!(error instanceof DatasetError) || error.errors.length === 0) throw error;
      io.stderr.write(`error: ${error.message}\n`);
      io.stderr.write('Fix these rows, or run again with --rejects FILE to load the good rows and write every bad one to FILE.\n');
      return EXIT_FAILURE;
    }
    progress.finish();
    printSummary(summary, io);
    const rejected = Object.values(summary.tables).reduce((a, t) => a + t.rejected_rows, 0);
    return rejected > 0 ? EXIT_FAILURE : EXIT_OK;
  },
});
