// RFC 4180 CSV tokenizer over streamed text chunks: records with the physical line each one starts on.
//
// Written as a character state machine rather than a regex per line, because quoted fields may hold commas,
// quotes and line breaks, and because it is the hot path of loading millions of rows.

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based physical line where the record starts */
  readonly line: number;
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

export class CsvTokenizer {
  private fields: string[] = [];
  private field = '';
  private isInQuotes = false;
  private wasQuoted = false;
  /** a quote inside a quoted field: either an escaped quote or the field's end */
  private isAfterQuote = false;
  private isAfterCr = false;
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private isFirstChunk = true;
  private hasContent = false;

  /** Feeds one chunk; complete records are passed to `onRecord`. */
  push(chunk: string, onRecord: (record: CsvRecord) => void): void {
    let text = chunk;
    if (this.isFirstChunk) {
      this.isFirstChunk = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (this.isInQuotes) {
        if (this.isAfterQuote) {
          this.isAfterQuote = false;
          if (c === QUOTE) {
            this.field += '"';
            start = i + 1;
            continue;
          }
          this.isInQuotes = false;
          // fall through: the character after a closing quote must end the field
        } else {
          if (c === QUOTE) {
            this.field += text.slice(start, i);
            this.isAfterQuote = true;
            start = i + 1;
          } else if (c === LF) {
            if (!this.isAfterCr) this.line++;
            this.isAfterCr = false;
          } else if (c === CR) {
            this.line++;
            this.isAfterCr = true;
          } else this.isAfterCr = false;
          continue;
        }
        if (c !== COMMA && c !== LF && c !== CR) {
          throw new CsvSyntaxError(this.line, `unexpected character ${JSON.stringify(String.fromCharCode(c))} after a closing quote`);
        }
        start = i;
      }
      if (c === COMMA) {
        this.field += text.slice(start, i);
        this.fields.push(this.field);
        this.field = '';
        this.wasQuoted = false;
        this.hasContent = true;
        start = i + 1;
      } else if (c === LF || c === CR) {
        if (c === LF && this.isAfterCr) {
          this.isAfterCr = false;
          start = i + 1;
          continue;
        }
        this.field += text.slice(start, i);
        this.endRecord(onRecord);
        this.line++;
        this.recordLine = this.line;
        this.isAfterCr = c === CR;
        start = i + 1;
      } else if (c === QUOTE) {
        if (this.field.length > 0 || i > start || this.wasQuoted) {
          throw new CsvSyntaxError(this.line, 'a quote inside an unquoted field (quote the whole field and double inner quotes)');
        }
        this.isInQuotes = true;
        this.wasQuoted = true;
        this.quoteLine = this.line;
        this.hasContent = true;
        start = i + 1;
      } else {
        this.isAfterCr = false;
        this.hasContent = true;
      }
    }
    if (start < length) {
      this.field += text.slice(start);
      if (!this.isInQuotes) this.hasContent = true;
    }
  }

  /** Ends the input; throws on an unterminated quote. */
  end(onRecord: (record: CsvRecord) => void): void {
    if (this.isInQuotes && !this.isAfterQuote) {
      throw new CsvSyntaxError(this.quoteLine, 'unterminated quoted field: the quote opened here is never closed');
    }
    this.isInQuotes = false;
    this.isAfterQuote = false;
    if (this.hasContent || this.field.length > 0 || this.fields.length > 0) this.endRecord(onRecord);
  }

  private endRecord(onRecord: (record: CsvRecord) => void): void {
    this.fields.push(this.field);
    const fields = this.fields;
    this.fields = [];
    this.field = '';
    this.wasQuoted = false;
    const isBlank = fields.length === 1 && fields[0] === '' && !this.hasContent;
    this.hasContent = false;
    if (!isBlank) onRecord({ fields, line: this.recordLine });
  }
}
