// Dataset: an input folder's rows grouped by account, plus what was read (the summary goes into manifests).
import { z } from 'zod';
import type { AccountEvents, LabelRow } from './tables.js';

export const TableReadSummarySchema = z.object({
  file: z.string().describe('path of the file read'),
  format: z.enum(['csv', 'jsonl', 'parquet']),
  compressed: z.boolean(),
  rows: z.number().int().nonnegative().describe('rows accepted'),
  rejected_rows: z.number().int().nonnegative().describe('rows written to the rejects file instead (0 unless --rejects)'),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().describe('sha256 of the file bytes as stored'),
  ignored_columns: z.array(z.string()).describe('columns of the file that are not in the input contract'),
});
export type TableReadSummary = z.infer<typeof TableReadSummarySchema>;

export const DatasetWarningSchema = z.object({
  code: z.string().describe('kebab-case warning kind, e.g. event-before-account-creation'),
  table: z.string(),
  count: z.number().int().positive(),
  message: z.string(),
  examples: z.array(z.string()).describe('up to a few locations (file:line)'),
});
export type DatasetWarning = z.infer<typeof DatasetWarningSchema>;

export const DatasetSummarySchema = z.object({
  folder: z.string(),
  accounts: z.number().int().nonnegative(),
  tables: z.record(z.string(), TableReadSummarySchema),
  time_range: z.object({ from: z.string().nullable(), to: z.string().nullable() }).describe('ISO-8601 UTC, over every event'),
  label_counts: z.object({ normal: z.number().int(), fraud: z.number().int(), by_kind: z.record(z.string(), z.number().int()) }).nullable(),
  warnings: z.array(DatasetWarningSchema),
  ignored_files: z.array(z.string()).describe('files in the folder that are not input tables (e.g. rings.csv)'),
  rejects_file: z.string().nullable(),
});
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

export interface Dataset {
  /** one entry per `accounts` row, in file order; each event list in canonical order (data/event-order.ts) */
  readonly accounts: readonly AccountEvents[];
  /** where each account is listed in the accounts file (line; row for Parquet): file order across shards */
  readonly accountLines: readonly number[];
  /** labels by account id when the folder has a `labels` table */
  readonly labels: ReadonlyMap<string, LabelRow> | null;
  readonly summary: DatasetSummary;
}
