// A whole CSV text (small files: decisions, feedback, numeric benchmark tables) record by record, with syntax errors
// and an empty file as DataFileErrors naming the file and line.
import { type CsvRecord, CsvSyntaxError, CsvTokenizer } from './csv-tokenizer.js';
import { DataFileError } from './data-errors.js';

/** Calls `onRecord` for every record of `text` (header first); `onRecord` may throw a DataFileError to refuse one. */
export function forEachCsvRecord(file: string, text: string, onRecord: (record: CsvRecord) => void): void {
  const tokenizer = new CsvTokenizer();
  let records = 0;
  const counted = (record: CsvRecord) => {
    records++;
    onRecord(record);
  };
  try {
    tokenizer.push(text, counted);
    tokenizer.end(counted);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new DataFileError(file, error.line, null, error.reason, 'RFC 4180 CSV');
    throw error;
  }
  if (records === 0) throw new DataFileError(file, 1, null, 'the file is empty', 'a header row');
}
