// A numeric CSV with a label column (benchmark tables such as the ODDS sets) → features, labels; errors name line and column.
import { readFile } from 'node:fs/promises';
import { forEachCsvRecord } from './csv-text.js';
import { DataFileError, MissingColumnError } from './data-errors.js';

export interface NumericTable {
  readonly featureNames: string[];
  readonly values: Float64Array;
  readonly labels: Uint8Array;
  readonly rowCount: number;
}

export async function readNumericCsv(file: string, labelColumn: string): Promise<NumericTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DataFileError(
      file,
      0,
      null,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      'a readable CSV file',
    );
  }
  let header = null as string[] | null; // set by the first record (a closure, so not narrowed here)
  let labelIndex = -1;
  const values: number[] = [];
  const labels: number[] = [];
  const onRecord = ({ fields, line }: { fields: string[]; line: number }) => {
    if (!header) {
      header = fields.map((f) => f.trim());
      labelIndex = header.indexOf(labelColumn);
      if (labelIndex < 0) throw new MissingColumnError(file, [labelColumn], header);
      return;
    }
    if (fields.length !== header.length)
      throw new DataFileError(
        file,
        line,
        null,
        `the row has ${fields.length} fields but the header has ${header.length}`,
        'one field per header column',
      );
    fields.forEach((cell, j) => {
      const column = header?.[j] as string;
      const value = cell.trim() === '' ? NaN : Number(cell);
      if (!Number.isFinite(value)) throw new DataFileError(file, line, column, `${JSON.stringify(cell)} is not a finite number`, 'a number');
      if (j === labelIndex) {
        if (value !== 0 && value !== 1)
          throw new DataFileError(file, line, column, `label ${JSON.stringify(cell)} is not 0 or 1`, '0 (normal) or 1 (anomaly)');
        labels.push(value);
      } else values.push(value);
    });
  };
  forEachCsvRecord(file, text, onRecord);
  const featureNames = (header as string[]).filter((_, j) => j !== labelIndex);
  if (featureNames.length === 0)
    throw new DataFileError(file, 1, null, 'no feature columns besides the label', 'at least one numeric feature column');
  if (labels.length < 10) throw new DataFileError(file, 1, null, `only ${labels.length} data rows`, 'at least 10 rows');
  const positives = labels.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === labels.length) {
    throw new DataFileError(file, 1, labelColumn, `every row has label ${labels[0]}`, 'both classes (0 and 1) for ROC-AUC and PR-AUC');
  }
  return { featureNames, values: Float64Array.from(values), labels: Uint8Array.from(labels), rowCount: labels.length };
}
