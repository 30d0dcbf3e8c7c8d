import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFileError, DatasetError, MissingColumnError } from '../../data/data-errors.js';
import { DatasetSummarySchema } from '../../data/dataset.js';
import { loadDataset } from '../../data/load-dataset.js';
import type { ProgressEvent } from '../../data/progress-event.js';

const BROKEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/broken');
const ACCOUNTS = 'account_id,created_at,country,has_2fa\nA1,2026-01-01T00:00:00Z,DE,true\nA2,2026-01-02T00:00:00Z,US,false\n';
const LOGINS = 'account_id,ts,ip,country,device_id\n';

let root: string;
let count = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ringfence-load-dataset-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folderWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = path.join(root, `case-${++count}`);
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

async function loadError(folder: string, options = {}): Promise<Error> {
  return loadDataset(folder, options).then(
    () => {
      throw new Error('expected the load to fail');
    },
    (error: unknown) => error as Error,
  );
}

describe('loadDataset', () => {
  it('groups events by account, sorted by time, and fills the summary', async () => {
    // Arrange
    const folder = await folderWith({
      'accounts.csv': ACCOUNTS,
      'logins.csv': `${LOGINS}A1,2026-01-09T00:00:00Z,10.0.0.1,DE,d1\nA2,2026-01-03T00:00:00Z,10.0.0.2,US,d2\nA1,2026-01-05T00:00:00Z,10.0.0.1,DE,d1\n`,
      'payouts.jsonl': '{"account_id":"A2","added_at":"2026-01-04T00:00:00Z","bank_hash":"b1"}\n',
      'labels.csv': 'account_id,label,kind\nA1,0,\nA2,1,ring\n',
      'rings.csv': 'ring_id,account_id\nR1,A2\n',
    });
    // Act
    const dataset = await loadDataset(folder);
    // Assert
    const a1 = dataset.accounts[0];
    expect(a1?.account_id).toBe('A1');
    expect(a1?.logins.map((l) => new Date(l.ts).toISOString())).toEqual(['2026-01-05T00:00:00.000Z', '2026-01-09T00:00:00.000Z']);
    expect(a1?.logins[0]).toEqual({ ts: Date.parse('2026-01-05T00:00:00Z'), ip: '10.0.0.1', country: 'DE', device_id: 'd1' });
    expect(dataset.accounts[1]?.payouts).toEqual([{ added_at: Date.parse('2026-01-04T00:00:00Z'), bank_hash: 'b1' }]);
    expect(dataset.labels?.get('A2')).toEqual({ account_id: 'A2', label: 1, kind: 'ring' });
    const summary = DatasetSummarySchema.parse(dataset.summary);
    expect(summary.accounts).toBe(2);
    expect(summary.tables['logins']).toMatchObject({ rows: 3, format: 'csv', rejected_rows: 0 });
    expect(summary.tables['payouts']).toMatchObject({ rows: 1, format: 'jsonl' });
    expect(summary.time_range).toEqual({ from: '2026-01-03T00:00:00.000Z', to: '2026-01-09T00:00:00.000Z' });
    expect(summary.label_counts).toEqual({ normal: 1, fraud: 1, by_kind: { ring: 1 } });
    expect(summary.ignored_files).toEqual(['rings.csv']);
    expect(summary.warnings).toEqual([]);
  });

  it('counts events dated before their account was created as a warning and keeps them', async () => {
    const folder = await folderWith({ 'accounts.csv': ACCOUNTS, 'logins.csv': `${LOGINS}A2,2025-12-31T00:00:00Z,10.0.0.2,US,d2\n` });
    const dataset = await loadDataset(folder);
    expect(dataset.accounts[1]?.logins).toHaveLength(1);
    expect(dataset.summary.warnings).toEqual([
      expect.objectContaining({ code: 'event-before-account-creation', table: 'logins', count: 1, examples: ['logins.csv:2'] }),
    ]);
  });

  it('reports progress in bytes up to the total size of the tables', async () => {
    const folder = await folderWith({ 'accounts.csv': ACCOUNTS, 'logins.csv.gz': gzipSync(`${LOGINS}A1,2026-01-09T00:00:00Z,10.0.0.1,DE,d1\n`) });
    const events: ProgressEvent[] = [];
    const dataset = await loadDataset(folder, { onProgress: (event) => events.push(event) });
    const last = events.at(-1) as ProgressEvent;
    expect(last.done).toBe(last.total);
    expect(last.total).toBe(dataset.summary.tables['accounts']!.bytes + dataset.summary.tables['logins']!.bytes);
  });

  describe('broken input corpus (test/fixtures/broken)', () => {
    const cases: [folder: string, message: string][] = [
      ['bad-timestamp', 'logins.csv line 3, column ts: "2026-13-01T00:00:00Z" is not an ISO-8601 UTC timestamp (expected an ISO-8601 UTC timestamp'],
      ['non-numeric-amount', 'proposals.csv line 5, column bid_amount: "twelve" is not a number (expected a number >= 0)'],
      ['ragged-row', 'logins.csv line 4, column device_id: the row has 4 fields but the header has 5'],
      ['unknown-account', 'logins.csv line 4, column account_id: account "A7" is not in the accounts table'],
      ['wrong-type-jsonl', 'tests.jsonl line 2, column score: the JSON boolean true is not a number'],
    ];
    it.each(cases)('lists the bad row of %s with file, line and column', async (name, message) => {
      const error = await loadError(path.join(BROKEN, name));
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).errors).toHaveLength(1);
      expect(error.message).toContain(message);
    });

    it('names file, line and column of an unterminated quote: the line where the quote opened', async () => {
      const error = await loadError(path.join(BROKEN, 'unterminated-quote'));
      expect(error).toBeInstanceOf(DataFileError);
      expect(error.message).toBe(
        'proposals.csv line 3, column text: unterminated quoted field: the quote opened here is never closed (expected RFC 4180 CSV)',
      );
    });

    it('names the missing column and the present ones', async () => {
      const error = await loadError(path.join(BROKEN, 'missing-column'));
      expect(error).toBeInstanceOf(MissingColumnError);
      expect(error.message).toBe('logins.csv line 1 (header): missing required column device_id (columns present: account_id, ts, ip, country)');
    });

    it('names the file of a truncated gzip', async () => {
      const lines = Array.from({ length: 2000 }, (_, i) => `A${(i % 2) + 1},2026-01-05T10:00:00Z,10.0.${i % 200}.1,DE,device-${i}`);
      const gz = gzipSync(`${LOGINS}${lines.join('\n')}\n`);
      const folder = await folderWith({ 'accounts.csv': ACCOUNTS, 'logins.csv.gz': gz.subarray(0, gz.length - 40) });
      const error = await loadError(folder);
      expect(error).toBeInstanceOf(DataFileError);
      expect(error.message).toMatch(/^logins\.csv\.gz line \d+: the gzip data is truncated or corrupt/);
    });
  });

  it('lists at most maxErrors errors of the first bad file and counts the rest', async () => {
    const bad = Array.from({ length: 30 }, (_, i) => `A1,2026-01-05T10:00:00Z,10.0.0.1,XX${i},d1`).join('\n');
    const folder = await folderWith({ 'accounts.csv': ACCOUNTS, 'logins.csv': `${LOGINS}${bad}\n` });
    const error = (await loadError(folder, { maxErrors: 3 })) as DatasetError;
    expect(error.errors.map((e) => (e as DataFileError).line)).toEqual([2, 3, 4]);
    expect(error.moreErrors).toBe(27);
    expect(error.message).toMatch(/^logins\.csv has 30 bad rows; the data set was not loaded\n {2}- logins\.csv line 2, column country: "XX0"/);
    expect(error.message).toContain('... and 27 more');
  });

  it('writes every bad row to the rejects file and loads the good ones when a rejects file is given', async () => {
    // Arrange
    const folder = await folderWith({
      'accounts.csv': `${ACCOUNTS}A1,2026-01-03T00:00:00Z,FR,true\n`,
      'logins.csv': `${LOGINS}A1,2026-01-09T00:00:00Z,10.0.0.1,DE,d1\nA9,2026-01-09T00:00:00Z,10.0.0.1,DE,d1\nA2,not-a-time,10.0.0.2,US,d2\n`,
    });
    const rejectsFile = path.join(root, `rejects-${count}.jsonl`);
    // Act
    const dataset = await loadDataset(folder, { rejectsFile });
    // Assert
    expect(dataset.accounts.map((a) => a.account_id)).toEqual(['A1', 'A2']);
    expect(dataset.accounts[0]?.logins).toHaveLength(1);
    expect(dataset.summary.tables['accounts']).toMatchObject({ rows: 2, rejected_rows: 1 });
    expect(dataset.summary.tables['logins']).toMatchObject({ rows: 1, rejected_rows: 2 });
    expect(dataset.summary.rejects_file).toBe(rejectsFile);
    const rejects = (await readFile(rejectsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rejects.map((r) => [r['table'], path.basename(r['file'] as string), r['line'], r['column']])).toEqual([
      ['accounts', 'accounts.csv', 4, 'account_id'],
      ['logins', 'logins.csv', 3, 'account_id'],
      ['logins', 'logins.csv', 4, 'ts'],
    ]);
    expect(rejects[2]).toMatchObject({ reason: '"not-a-time" is not an ISO-8601 UTC timestamp', raw: 'A2,not-a-time,10.0.0.2,US,d2' });
  });

  it('leaves no partial rejects file behind when the load fails', async () => {
    const folder = await folderWith({ 'accounts.csv': ACCOUNTS, 'logins.csv': `${LOGINS}A1,"open\n` });
    const rejectsDir = path.join(root, `rejects-dir-${count}`);
    await mkdir(rejectsDir);
    await loadError(folder, { rejectsFile: path.join(rejectsDir, 'rejects.jsonl') });
    expect(await readdir(rejectsDir)).toEqual([]);
  });

  it('refuses duplicate account ids, naming both lines through the error', async () => {
    const folder = await folderWith({ 'accounts.csv': `${ACCOUNTS}A2,2026-01-02T00:00:00Z,US,false\n` });
    const error = await loadError(folder);
    expect(error.message).toContain('accounts.csv line 4, column account_id: account "A2" is listed twice');
  });

  it('refuses an empty folder, a folder without accounts, two files for one table and an accounts table without rows', async () => {
    expect((await loadError(await folderWith({}))).message).toMatch(
      /is empty: it needs at least an accounts table \(accounts\.csv, accounts\.csv\.gz/,
    );
    expect((await loadError(await folderWith({ 'logins.csv': LOGINS, 'notes.txt': 'x' }))).message).toMatch(
      /has no accounts table .* it holds: logins\.csv, notes\.txt$/,
    );
    expect((await loadError(await folderWith({ 'accounts.csv': ACCOUNTS, 'accounts.jsonl': '' }))).message).toContain(
      'two files for the accounts table, accounts.csv and accounts.jsonl: keep one',
    );
    expect((await loadError(await folderWith({ 'accounts.csv': 'account_id,created_at,country,has_2fa\n' }))).message).toContain(
      'accounts.csv has no rows',
    );
    expect((await loadError(path.join(root, 'no-such-folder'))).message).toMatch(/cannot read the data folder .*: it does not exist/);
  });

  it('loads the same rows from CSV, gzip CSV and JSONL versions of a table', async () => {
    const csvFolder = path.join(root, `copy-${++count}`);
    await cp(path.join(BROKEN, 'non-numeric-amount'), csvFolder, { recursive: true });
    const fixed = (await readFile(path.join(csvFolder, 'proposals.csv'), 'utf8')).replace('twelve', '12');
    await writeFile(path.join(csvFolder, 'proposals.csv'), fixed);
    const gzFolder = await folderWith({ 'accounts.csv': ACCOUNTS, 'proposals.csv.gz': gzipSync(fixed.replaceAll('\n', '\r\n')) });
    const fromCsv = await loadDataset(csvFolder);
    const fromGz = await loadDataset(gzFolder);
    const jsonl = fromCsv.accounts.flatMap((a) =>
      a.proposals.map((p) =>
        JSON.stringify({ ...p, account_id: a.account_id, ts: new Date(p.ts).toISOString(), job_posted_at: new Date(p.job_posted_at).toISOString() }),
      ),
    );
    const fromJsonl = await loadDataset(await folderWith({ 'accounts.csv': ACCOUNTS, 'proposals.jsonl': jsonl.join('\n') }));
    expect(fromCsv.accounts[0]?.proposals[0]?.text).toBe('Hello,\nI can do this "today".\nThanks');
    expect(fromGz.accounts.map((a) => a.proposals.map((p) => ({ ...p, text: p.text.replaceAll('\r\n', '\n') })))).toEqual(
      fromCsv.accounts.map((a) => a.proposals),
    );
    expect(fromJsonl.accounts).toEqual(fromCsv.accounts);
  });
});
