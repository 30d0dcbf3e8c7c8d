import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError, DatasetError, MissingColumnError } from '../../data/data-errors.js';
import { assertFeedbackAccountsKnown, readDecisionsFile, readFeedbackCsv, writeDecisionsFile } from '../../data/decision-files.js';
import { accountLabelsFromDecisions, type Decision, DecisionSchema } from '../../data/decisions.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const tempDir = useTemporaryDirs('ringfence-decisions-');
const who = { reviewer: 'ana', decided_at: '2026-07-01T10:00:00Z', note: 'same bank as a known ring, "urgent"' };

const DECISIONS: Decision[] = [
  DecisionSchema.parse({ type: 'account', account_id: 'a1', label: 'fraud', kind: 'bot', ...who }),
  DecisionSchema.parse({ type: 'account', account_id: 'a2', label: 'honest', ...who, note: '' }),
  DecisionSchema.parse({ type: 'group', group_id: 'ring-7', verdict: 'benign', kind: 'agency', account_ids: ['a3', 'a4'], ...who }),
  DecisionSchema.parse({ type: 'list', list: 'block', entry_kind: 'bank', value: '0123456789abcdef01234567', ...who }),
  DecisionSchema.parse({ type: 'list', list: 'allow', entry_kind: 'account', value: 'a5', ...who }),
];

async function fileWith(name: string, text: string): Promise<string> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, text);
  return file;
}

describe('writeDecisionsFile / readDecisionsFile', () => {
  it.each(['decisions.csv', 'decisions.jsonl'])('gives back every decision, field for field, through %s', async (name) => {
    const file = path.join(await tempDir(), name);
    await writeDecisionsFile(file, DECISIONS);
    const read = await readDecisionsFile(file);
    expect(read.map((r) => r.decision)).toEqual(DECISIONS);
    expect(read[0]?.line).toBe(name.endsWith('.csv') ? 2 : 1);
  });

  it('names the line and field of every bad value in a CSV file', async () => {
    const file = await fileWith(
      'bad.csv',
      'type,account_id,label,reviewer,decided_at\naccount,a1,fraud,ana,2026-07-01T10:00:00Z\naccount,a2,maybe,ana,2026-07-01T10:00:00Z\naccount,a3,honest,,yesterday\n',
    );
    const error = (await readDecisionsFile(file).catch((e: unknown) => e)) as DatasetError;
    expect(error).toBeInstanceOf(DatasetError);
    const causes = error.errors as DataFileError[];
    expect(causes.map((c) => [c.line, c.column])).toEqual([
      [3, 'label'],
      [4, 'reviewer'],
      [4, 'decided_at'],
    ]);
    expect(error.message).toContain('bad.csv line 3, column label');
  });

  it('refuses a field it does not know instead of dropping it: an unknown CSV column, an unknown JSONL key', async () => {
    const csv = await fileWith('typo.csv', 'type,account_id,lable,reviewer,decided_at\naccount,a1,fraud,ana,2026-07-01T10:00:00Z\n');
    const csvError = (await readDecisionsFile(csv).catch((e: unknown) => e)) as DataFileError;
    expect(csvError).toBeInstanceOf(DataFileError);
    expect([csvError.line, csvError.column]).toEqual([1, 'lable']);
    const jsonl = await fileWith('typo.jsonl', `${JSON.stringify(DECISIONS[0])}\n${JSON.stringify({ ...DECISIONS[1], reveiwer: 'bo' })}\n`);
    const jsonlError = (await readDecisionsFile(jsonl).catch((e: unknown) => e)) as DatasetError;
    expect((jsonlError.errors as DataFileError[]).map((c) => [c.line, c.column, c.reason])).toEqual([[2, 'reveiwer', 'unknown field']]);
  });

  it('refuses a raw identifier in a block list, pointing at its value', async () => {
    const file = await fileWith('raw.jsonl', `${JSON.stringify({ type: 'list', list: 'block', entry_kind: 'ip', value: '203.0.113.9', ...who })}\n`);
    const error = (await readDecisionsFile(file).catch((e: unknown) => e)) as DatasetError;
    expect((error.errors[0] as DataFileError).column).toBe('value');
    expect(error.message).toContain('raw identifiers are never accepted');
    expect(error.message).not.toContain('203.0.113.9');
  });

  it('reports a line that is not JSON with its number', async () => {
    const file = await fileWith('broken.jsonl', `${JSON.stringify(DECISIONS[0])}\n{"type":\n`);
    const error = (await readDecisionsFile(file).catch((e: unknown) => e)) as DataFileError;
    expect(error).toBeInstanceOf(DataFileError);
    expect(error.line).toBe(2);
  });

  it('leaves no file behind when the extension is neither csv nor jsonl', async () => {
    const file = path.join(await tempDir(), 'decisions.txt');
    await expect(writeDecisionsFile(file, DECISIONS)).rejects.toThrow(/\.csv or \.jsonl/);
    await expect(readFile(file)).rejects.toThrow();
  });
});

describe('readFeedbackCsv', () => {
  it('reads account_id,label[,kind] with the line of each row', async () => {
    const rows = await readFeedbackCsv(await fileWith('fb.csv', 'account_id,label,kind\nacc-1,1,ring\nacc-2,0,\n'));
    expect(rows).toEqual([
      { account_id: 'acc-1', label: 1, kind: 'ring', line: 2 },
      { account_id: 'acc-2', label: 0, line: 3 },
    ]);
  });

  it('refuses a label other than 0 or 1 and a missing label column, naming line and column', async () => {
    const bad = (await readFeedbackCsv(await fileWith('fb.csv', 'account_id,label\nacc-1,yes\n')).catch((e: unknown) => e)) as DatasetError;
    expect((bad.errors[0] as DataFileError).line).toBe(2);
    expect((bad.errors[0] as DataFileError).column).toBe('label');
    await expect(readFeedbackCsv(await fileWith('fb.csv', 'account_id,fraud\nacc-1,1\n'))).rejects.toBeInstanceOf(MissingColumnError);
  });

  it('refuses two labels for one account, naming both lines', async () => {
    const error = (await readFeedbackCsv(await fileWith('fb.csv', 'account_id,label\nacc-1,1\nacc-2,0\nacc-1,0\n')).catch(
      (e: unknown) => e,
    )) as DatasetError;
    expect(error.message).toMatch(/line 4, column account_id: account acc-1 already has a label on line 2/);
  });

  it('reports every unknown account with its line rather than dropping it', async () => {
    const file = await fileWith('fb.csv', 'account_id,label\nacc-1,1\nghost,0\nacc-2,0\nphantom,1\n');
    const rows = await readFeedbackCsv(file);
    const known = new Set(['acc-1', 'acc-2']);
    const error = (() => {
      try {
        assertFeedbackAccountsKnown(file, rows, (id) => known.has(id));
        return null;
      } catch (e) {
        return e as DatasetError;
      }
    })();
    expect(error?.message).toContain('2 of 4 labelled accounts are not in the training data');
    expect((error?.errors as DataFileError[]).map((e) => e.line)).toEqual([3, 5]);
  });
});

describe('accountLabelsFromDecisions', () => {
  it('labels members of groups, and a later decision on an account wins', () => {
    const later = DecisionSchema.parse({ type: 'account', account_id: 'a1', label: 'honest', ...who, decided_at: '2026-07-02T00:00:00Z' });
    const labels = accountLabelsFromDecisions([later, ...DECISIONS]);
    expect(labels.get('a1')).toEqual({ label: 0, kind: '' });
    expect(labels.get('a3')).toEqual({ label: 0, kind: '' });
    expect(labels.has('a5')).toBe(false);
  });
});
