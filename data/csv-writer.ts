// CSV and line output: RFC 4180 rows, whole tables as bytes built in blocks, and files streamed with backpressure and
// renamed into place on close.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { trackTemporaryOutput } from './temporary-outputs.js';

const NEEDS_QUOTES = /[",\r\n]/;
const FLUSH_BYTES = 1 << 20;

export function formatCsvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (with the trailing LF). */
export function formatCsvRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    line += formatCsvField(values[i]);
  }
  return `${line}\n`;
}

/**
 * Lines of text as one UTF-8 byte array, built in blocks of about 1 MiB: output of a million rows is never one string
 * (V8 strings stop at 512 MiB, and flattening a long concatenation copies it on the heap).
 */
export function linesToBytes(lines: Iterable<string>): Uint8Array {
  const blocks: Buffer[] = [];
  let block = '';
  for (const line of lines) {
    block += line;
    if (block.length >= FLUSH_BYTES) {
      blocks.push(Buffer.from(block, 'utf8'));
      block = '';
    }
  }
  blocks.push(Buffer.from(block, 'utf8'));
  return Buffer.concat(blocks);
}

/** A whole CSV table as bytes, from rows made one at a time (never one array of a million rows). */
export function csvBytes(columns: readonly string[], rows: Iterable<readonly (string | number | boolean | null | undefined)[]>): Uint8Array {
  return linesToBytes(
    (function* () {
      yield formatCsvRow(columns);
      for (const row of rows) yield formatCsvRow(row);
    })(),
  );
}

export interface AtomicFileWriter {
  /** appends text; await it when it returns a promise (the buffer was flushed and the stream asked to wait) */
  write(text: string): Promise<void> | void;
  /** flushes, then renames the temporary file into place */
  close(): Promise<void>;
  /** removes the temporary file (on failure) */
  abort(): Promise<void>;
}

export interface CsvWriter extends Omit<AtomicFileWriter, 'write'> {
  writeRow(values: readonly (string | number | boolean | null | undefined)[]): Promise<void> | void;
}

const LINES_PER_TURN = 200;

/**
 * Streams text to `${file}.partial` in blocks of 1 MiB, with backpressure, and renames it to `file` on close, so no
 * half-written file is left and no output is ever held whole in one string (V8 strings stop at 512 MiB).
 */
export function createAtomicFileWriter(file: string): AtomicFileWriter {
  const partial = `${file}.partial`;
  const untrack = trackTemporaryOutput(partial);
  const stream = createWriteStream(partial);
  let failure: Error | null = null;
  stream.on('error', (error) => {
    failure = error;
  });
  let buffer = '';
  const flush = async () => {
    if (failure) throw failure;
    if (buffer.length === 0) return;
    const isOk = stream.write(buffer);
    buffer = '';
    if (!isOk) await new Promise<void>((resolve) => stream.once('drain', resolve));
  };
  return {
    write(text) {
      buffer += text;
      if (buffer.length >= FLUSH_BYTES) return flush();
    },
    async close() {
      await flush();
      await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
      if (failure) throw failure;
      await rename(partial, file);
      untrack();
    },
    async abort() {
      // the stream opens its file asynchronously: removing it before the open completes would let the open create it
      // again afterwards, so the file is removed only once the stream has closed
      if (!stream.closed) {
        const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
        stream.destroy();
        await closed;
      }
      await rm(partial, { force: true });
      untrack();
    },
  };
}

/** Writes every line through an atomic file writer; on any failure the temporary file is removed and nothing is left. */
export async function writeLinesAtomically(file: string, lines: Iterable<string>): Promise<void> {
  const writer = createAtomicFileWriter(file);
  try {
    let written = 0;
    for (const line of lines) {
      await writer.write(line);
      // lines made by CPU work (scoring) await nothing for a whole 1 MiB block: a turn of the event loop now and then
      // lets a signal be acted on while the output is still unfinished
      if (++written % LINES_PER_TURN === 0) await nextTurn();
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Streams rows to `${file}.partial` and renames it to `file` on close, so no half-written file is left. */
export function createCsvWriter(file: string, columns: readonly string[]): CsvWriter {
  const writer = createAtomicFileWriter(file);
  void writer.write(formatCsvRow(columns));
  return { writeRow: (values) => writer.write(formatCsvRow(values)), close: () => writer.close(), abort: () => writer.abort() };
}
