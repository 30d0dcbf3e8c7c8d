// RFC 4180 CSV tokenizer over streamed byte chunks: records as field byte ranges, with the physical line each starts on.
//
// It works on bytes rather than decoded text for two reasons measured on the loader benchmark: numbers and
// timestamps can then be parsed straight from the bytes without creating a string per cell, and strings made
// with Buffer#toString are fresh copies, whereas String#slice of a big decoded chunk keeps the whole chunk
// alive for as long as any cell taken from it is (V8 sliced strings), so memory would grow with file size.

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    /** 1-based physical line of the problem (for an unterminated quote: where the quote opened) */
    readonly line: number,
    readonly reason: string,
    /** 0-based field position in its record, when known */
    readonly fieldIndex: number | null = null,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;
/** No valid record is this long; a longer one almost always means a quote that is never closed. */
export const MAX_RECORD_BYTES = 4 << 20;

/**
 * One record, valid only during the callback (the scanner reuses it and the buffer may be a temporary).
 * Field i spans `buffer[bounds[2i]] .. buffer[bounds[2i+1]]`, quotes already stripped.
 */
export interface CsvRecordView {
  readonly buffer: Buffer;
  readonly fieldCount: number;
  readonly bounds: Int32Array;
  /** per field: 1 when the field was quoted and holds doubled quotes ("" stands for ") */
  readonly escaped: Uint8Array;
  /** 1-based physical line where the record starts */
  readonly line: number;
  /** byte range of the whole record, without its line break */
  readonly start: number;
  readonly end: number;
  /** whether any byte is >= 0x80 (only then can the text be invalid UTF-8) */
  readonly hasHighBytes: boolean;
}

class MutableRecord implements CsvRecordView {
  buffer: Buffer = Buffer.alloc(0);
  fieldCount = 0;
  bounds = new Int32Array(64);
  escaped = new Uint8Array(32);
  line = 1;
  start = 0;
  end = 0;
  hasHighBytes = false;

  grow(): void {
    const bounds = new Int32Array(this.bounds.length * 2);
    bounds.set(this.bounds);
    this.bounds = bounds;
    const escaped = new Uint8Array(this.escaped.length * 2);
    escaped.set(this.escaped);
    this.escaped = escaped;
  }
}

/** Field text of a record: decoded UTF-8, doubled quotes undone. */
export function csvFieldText(record: CsvRecordView, index: number): string {
  const text = record.buffer.toString('utf8', record.bounds[2 * index] as number, record.bounds[2 * index + 1] as number);
  return record.escaped[index] === 1 ? text.replaceAll('""', '"') : text;
}

export type CsvRecordListener = (record: CsvRecordView) => void;

/** The state machine: feed byte chunks with `push`, then call `end`. Blank lines are skipped but counted. */
export class CsvRecordScanner {
  private carry: Buffer | null = null;
  private line = 1;
  private isFirstChunk = true;
  private readonly record = new MutableRecord();

  push(chunk: Buffer, onRecord: CsvRecordListener): void {
    if (chunk.length === 0) return;
    let buffer = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    if (this.isFirstChunk) {
      if (buffer.length < 3 && buffer.length > 0 && buffer[0] === 0xef) {
        this.carry = Buffer.from(buffer); // wait for the whole byte-order mark
        return;
      }
      this.isFirstChunk = false;
      if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
    }
    const consumed = this.scan(buffer, false, onRecord);
    if (consumed < buffer.length) {
      // copy, so the carried bytes do not keep the whole chunk alive
      this.carry = Buffer.from(buffer.subarray(consumed));
      if (this.carry.length > MAX_RECORD_BYTES) {
        const recordLine = this.line;
        this.scan(this.carry, false, () => undefined, true); // throws when an open quote is the cause
        throw new CsvSyntaxError(recordLine, `the record is longer than ${MAX_RECORD_BYTES >> 20} MiB`);
      }
    }
  }

  /** Ends the input; throws CsvSyntaxError on an unterminated quote. */
  end(onRecord: CsvRecordListener): void {
    const carry = this.carry;
    this.carry = null;
    if (carry && carry.length > 0) {
      let buffer = carry;
      if (this.isFirstChunk && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
      this.scan(buffer, true, onRecord);
    }
  }

  /**
   * Emits every complete record of `buffer` and returns the offset of the first incomplete one. With `isFinal`
   * the end of the buffer ends the last record. `isOverLimit` rescans an over-long carried record to tell
   * whether an open quote is the cause.
   */
  private scan(buffer: Buffer, isFinal: boolean, onRecord: CsvRecordListener, isOverLimit = false): number {
    const length = buffer.length;
    const record = this.record;
    record.buffer = buffer;
    let pos = 0;
    let line = this.line;
    while (pos < length) {
      const recordStart = pos;
      const recordLine = line;
      let fieldCount = 0;
      let highBits = 0;
      let c = -1;
      for (;;) {
        if (2 * fieldCount + 2 > record.bounds.length) record.grow();
        c = pos < length ? (buffer[pos] as number) : -1;
        if (c === QUOTE) {
          const quoteLine = line;
          const fieldStart = pos + 1;
          let p = fieldStart;
          let isEscaped = 0;
          for (;;) {
            if (p >= length) {
              if (isFinal || isOverLimit) {
                const why = isOverLimit
                  ? `unterminated quoted field: the quote opened here is not closed within ${MAX_RECORD_BYTES >> 20} MiB`
                  : 'unterminated quoted field: the quote opened here is never closed';
                throw new CsvSyntaxError(quoteLine, why, fieldCount);
              }
              this.line = recordLine;
              return recordStart;
            }
            const b = buffer[p] as number;
            if (b === QUOTE) {
              if (p + 1 >= length && !isFinal) {
                this.line = recordLine;
                return recordStart; // "" or " then the field's end: the next chunk decides
              }
              if (buffer[p + 1] === QUOTE) {
                isEscaped = 1;
                p += 2;
                continue;
              }
              break;
            }
            if (b === LF) line++;
            else if (b === CR) {
              if (buffer[p + 1] !== LF) line++;
            } else highBits |= b;
            p++;
          }
          record.bounds[2 * fieldCount] = fieldStart;
          record.bounds[2 * fieldCount + 1] = p;
          record.escaped[fieldCount] = isEscaped;
          fieldCount++;
          pos = p + 1;
          c = pos < length ? (buffer[pos] as number) : -1;
          if (c === COMMA) {
            pos++;
            continue;
          }
          if (c !== LF && c !== CR && c !== -1) {
            throw new CsvSyntaxError(
              line,
              `unexpected character ${JSON.stringify(String.fromCharCode(c))} after a closing quote (a quoted field must end at a comma or line end)`,
              fieldCount - 1,
            );
          }
        } else {
          const fieldStart = pos;
          while (pos < length) {
            c = buffer[pos] as number;
            // every byte above the comma is ordinary text: one comparison on the common path
            if (c > COMMA || (c !== COMMA && c !== LF && c !== CR && c !== QUOTE)) {
              highBits |= c;
              pos++;
            } else break;
          }
          if (pos >= length) c = -1;
          if (c === QUOTE) {
            throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field and double the quotes inside it)', fieldCount);
          }
          record.bounds[2 * fieldCount] = fieldStart;
          record.bounds[2 * fieldCount + 1] = pos;
          record.escaped[fieldCount] = 0;
          fieldCount++;
          if (c === COMMA) {
            pos++;
            continue;
          }
        }
        break;
      }
      // c is LF, CR or -1 (end of buffer)
      if (c === -1 && !isFinal) {
        this.line = recordLine;
        return recordStart;
      }
      const recordEnd = pos;
      if (c === CR) {
        if (pos + 1 >= length && !isFinal) {
          this.line = recordLine;
          return recordStart; // CR LF may be split across chunks
        }
        pos += buffer[pos + 1] === LF ? 2 : 1;
        line++;
      } else if (c === LF) {
        pos++;
        line++;
      }
      if (recordEnd > recordStart) {
        record.fieldCount = fieldCount;
        record.line = recordLine;
        record.start = recordStart;
        record.end = recordEnd;
        record.hasHighBytes = (highBits & 0x80) !== 0;
        onRecord(record);
      }
    }
    this.line = line;
    return pos;
  }
}

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based physical line where the record starts */
  readonly line: number;
}

/** Records as arrays of strings: the convenient form for small files (the table loader uses the scanner directly). */
export class CsvTokenizer {
  private readonly scanner = new CsvRecordScanner();

  push(chunk: string | Buffer, onRecord: (record: CsvRecord) => void): void {
    this.scanner.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, (record) => onRecord(toStrings(record)));
  }

  end(onRecord: (record: CsvRecord) => void): void {
    this.scanner.end((record) => onRecord(toStrings(record)));
  }
}

function toStrings(record: CsvRecordView): CsvRecord {
  const fields: string[] = [];
  for (let i = 0; i < record.fieldCount; i++) fields.push(csvFieldText(record, i));
  return { fields, line: record.line };
}
