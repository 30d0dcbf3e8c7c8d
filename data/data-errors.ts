// DataFileError, MissingColumnError, DatasetError: structured fields, no HTTP knowledge
import path from 'node:path';

/**
 * One bad cell or row: which file, which line (1-based, physical; Parquet files have rows instead), which column,
 * what was wrong with the value and what was expected. Line 0 means the file as a whole.
 */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | null,
    readonly reason: string,
    readonly expected: string | null = null,
    readonly unit: 'line' | 'row' = 'line',
  ) {
    const where = [line > 0 ? `${unit} ${line}` : '', column ? `column ${column}` : ''].filter(Boolean).join(', ');
    super(`${path.basename(file)}${where ? ` ${where}` : ''}: ${reason}${expected ? ` (expected ${expected})` : ''}`);
  }
}

export class MissingColumnError extends Error {
  override readonly name = 'MissingColumnError';
  constructor(
    readonly file: string,
    readonly missing: readonly string[],
    readonly present: readonly string[],
    /** CSV: the header line; Parquet: the file's schema */
    readonly isHeaderLine = true,
  ) {
    super(
      `${path.basename(file)}${isHeaderLine ? ' line 1 (header)' : ''}: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (columns present: ${present.join(', ') || 'none'})`,
    );
  }
}

/**
 * Folder-level problems (empty folder, no accounts table, two files for one table, unknown accounts...), or the
 * first errors of a bad file: `errors` holds the listed causes (at most the caller's limit), `moreErrors` counts
 * the rest, so the message stays readable on a file where every row is bad.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly folder: string,
    readonly summary: string,
    readonly errors: readonly Error[] = [],
    readonly moreErrors = 0,
  ) {
    const listed = errors.map((e) => `  - ${e.message}`).join('\n');
    const more = moreErrors > 0 ? `\n  ... and ${moreErrors} more` : '';
    super(`${summary}${listed ? `\n${listed}` : ''}${more}`);
  }
}
