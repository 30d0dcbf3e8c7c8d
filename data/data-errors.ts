// DataFileError, MissingColumnError, DatasetError: structured fields, no HTTP knowledge
import path from 'node:path';

/** One bad cell or row: which file, which line (1-based, physical), which column, what was wrong and what was expected. */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | null,
    readonly reason: string,
    readonly expected: string | null = null,
  ) {
    super(
      `${path.basename(file)} line ${line}${column ? `, column ${column}` : ''}: ${reason}${expected ? ` (expected ${expected})` : ''}`,
    );
  }
}

export class MissingColumnError extends Error {
  override readonly name = 'MissingColumnError';
  constructor(
    readonly file: string,
    readonly missing: readonly string[],
    readonly present: readonly string[],
  ) {
    super(
      `${path.basename(file)} line 1: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header has: ${present.join(', ') || 'nothing'})`,
    );
  }
}

/** Folder-level problems, or the first errors of a bad file; `errors` holds every listed cause. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly folder: string,
    summary: string,
    readonly errors: readonly Error[] = [],
    readonly moreErrors = 0,
  ) {
    const listed = errors.map((e) => `  - ${e.message}`).join('\n');
    const more = moreErrors > 0 ? `\n  ... and ${moreErrors} more (use --rejects FILE to write every bad row and go on)` : '';
    super(`${summary}${listed ? `\n${listed}` : ''}${more}`);
  }
}
