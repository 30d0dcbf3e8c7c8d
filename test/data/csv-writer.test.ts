import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAtomicFileWriter, createCsvWriter, writeLinesAtomically } from '../../data/csv-writer.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const tempDir = useTemporaryDirs('ringfence-writer-');

describe('createAtomicFileWriter', () => {
  it('writes output larger than its buffer whole, and only once closed', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'out.jsonl');
    const writer = createAtomicFileWriter(file);
    const line = `${JSON.stringify({ pad: 'x'.repeat(1000) })}\n`;
    for (let i = 0; i < 3000; i++) await writer.write(line);
    expect(await readdir(dir)).toEqual(['out.jsonl.partial']);
    await writer.close();
    expect(await readdir(dir)).toEqual(['out.jsonl']);
    expect(await readFile(file, 'utf8')).toBe(line.repeat(3000));
  });

  it('leaves nothing behind when aborted', async () => {
    const dir = await tempDir();
    const writer = createAtomicFileWriter(path.join(dir, 'out.csv'));
    await writer.write('a,b\n');
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails on close when the folder cannot be written, and leaves no file named as the output', async () => {
    const dir = await tempDir();
    const writer = createCsvWriter(path.join(dir, 'missing', 'out.csv'), ['a']);
    await writer.writeRow(['1']);
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });
});

describe('writeLinesAtomically', () => {
  it('writes every line, and leaves nothing when a line cannot be made', async () => {
    const dir = await tempDir();
    await writeLinesAtomically(path.join(dir, 'ok.csv'), ['a\n', 'b\n']);
    expect(await readFile(path.join(dir, 'ok.csv'), 'utf8')).toBe('a\nb\n');
    const failing = (function* () {
      yield 'first\n';
      throw new Error('no second line');
    })();
    await expect(writeLinesAtomically(path.join(dir, 'bad.csv'), failing)).rejects.toThrow('no second line');
    expect(await readdir(dir)).toEqual(['ok.csv']);
  });

  it('leaves nothing when writers fail before their files are even open', async () => {
    // the file is opened asynchronously; on a busy machine a removal could run before the open and miss it
    const dir = await tempDir();
    const failing = (i: number) =>
      writeLinesAtomically(path.join(dir, `bad-${i}.csv`), {
        [Symbol.iterator]: () => {
          throw new Error(`no line ${i}`);
        },
      }).catch(() => undefined);
    await Promise.all(Array.from({ length: 200 }, (_, i) => failing(i)));
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('createCsvWriter', () => {
  it('writes the header, then quoted rows', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'out.csv');
    const writer = createCsvWriter(file, ['id', 'note']);
    await writer.writeRow(['a', 'has, comma']);
    await writer.writeRow(['b', 'says "hi"']);
    await writer.close();
    expect(await readFile(file, 'utf8')).toBe('id,note\na,"has, comma"\nb,"says ""hi"""\n');
  });
});
