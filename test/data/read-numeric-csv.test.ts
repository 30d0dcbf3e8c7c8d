import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError, MissingColumnError } from '../../data/data-errors.js';
import { readNumericCsv } from '../../data/read-numeric-csv.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const tempDir = useTemporaryDirs('ringfence-numeric-');

/** A header and twelve rows, the third (line 4) replaced by `bad` when given. */
async function tableFile(bad?: string, header = 'f1,f2,label'): Promise<string> {
  const rows = Array.from({ length: 12 }, (_, i) => `${i},${i * 0.5},${i % 4 === 0 ? 1 : 0}`);
  if (bad !== undefined) rows[2] = bad;
  const file = path.join(await tempDir(), 'table.csv');
  await writeFile(file, `${header}\n${rows.join('\n')}\n`);
  return file;
}

describe('readNumericCsv', () => {
  it('reads the features in column order and the label apart from them', async () => {
    const table = await readNumericCsv(await tableFile(), 'label');
    expect(table.featureNames).toEqual(['f1', 'f2']);
    expect(table.rowCount).toBe(12);
    expect(Array.from(table.values.subarray(0, 6))).toEqual([0, 0, 1, 0.5, 2, 1]);
    expect(Array.from(table.labels.subarray(0, 5))).toEqual([1, 0, 0, 0, 1]);
  });

  it('names the file and the columns it has when the label column is missing', async () => {
    const error = await readNumericCsv(await tableFile(), 'is_anomaly').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingColumnError);
    expect((error as Error).message).toBe('table.csv line 1 (header): missing required column is_anomaly (columns present: f1, f2, label)');
  });

  it.each([
    ['a word', '2,abc,0', 'table.csv line 4, column f2: "abc" is not a finite number (expected a number)'],
    ['NaN', 'NaN,1,0', 'table.csv line 4, column f1: "NaN" is not a finite number (expected a number)'],
    ['an empty cell', '2,,0', 'table.csv line 4, column f2: "" is not a finite number (expected a number)'],
    ['Infinity', '2,Infinity,0', 'table.csv line 4, column f2: "Infinity" is not a finite number (expected a number)'],
    ['a label other than 0/1', '2,1,2', 'table.csv line 4, column label: label "2" is not 0 or 1 (expected 0 (normal) or 1 (anomaly))'],
    ['a missing field', '2,1', 'table.csv line 4: the row has 2 fields but the header has 3 (expected one field per header column)'],
  ])('refuses %s, naming line and column', async (_, bad, message) => {
    const error = await readNumericCsv(await tableFile(bad), 'label').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as Error).message).toBe(message);
  });

  it('refuses a table with one class only', async () => {
    const file = path.join(await tempDir(), 'normal.csv');
    await writeFile(file, `a,label\n${Array.from({ length: 12 }, (_, i) => `${i},0`).join('\n')}\n`);
    await expect(readNumericCsv(file, 'label')).rejects.toThrow(
      'normal.csv line 1, column label: every row has label 0 (expected both classes (0 and 1) for ROC-AUC and PR-AUC)',
    );
  });

  it('refuses an empty file, a file with only the label, and too few rows', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'empty.csv'), '');
    await expect(readNumericCsv(path.join(dir, 'empty.csv'), 'label')).rejects.toThrow('empty.csv line 1: the file is empty');
    await writeFile(path.join(dir, 'labels.csv'), `label\n${Array.from({ length: 12 }, (_, i) => i % 2).join('\n')}\n`);
    await expect(readNumericCsv(path.join(dir, 'labels.csv'), 'label')).rejects.toThrow('labels.csv line 1: no feature columns besides the label');
    await writeFile(path.join(dir, 'short.csv'), 'a,label\n1,0\n2,1\n');
    await expect(readNumericCsv(path.join(dir, 'short.csv'), 'label')).rejects.toThrow(
      'short.csv line 1: only 2 data rows (expected at least 10 rows)',
    );
    await expect(readNumericCsv(path.join(dir, 'absent.csv'), 'label')).rejects.toThrow(/absent\.csv: cannot read the file \(ENOENT\)/);
  });
});
