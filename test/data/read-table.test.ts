import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvTokenizer, MAX_RECORD_BYTES } from '../../data/csv-tokenizer.js';
import { DataFileError, MissingColumnError } from '../../data/data-errors.js';
import { CellProblem, csvCellParserFor, parseJsonCell, parseTextCell } from '../../data/parse-cell.js';
import { readTable, type TableReadResult } from '../../data/read-table.js';
import {
  type ColumnKind,
  type ColumnSpec,
  parseIsoUtc,
  TABLE_COLUMNS,
  TABLE_SCHEMAS,
  type TableName,
  type TableRowTypes,
} from '../../data/tables.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ringfence-read-table-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

async function readAll<N extends TableName>(file: string, table: N) {
  const rows: { row: TableRowTypes[N]; line: number }[] = [];
  const bad: { error: DataFileError; raw: string }[] = [];
  const result: TableReadResult = await readTable(file, table, {
    onRow: (row, line) => rows.push({ row, line }),
    onBadRow: (error, raw) => bad.push({ error, raw }),
  });
  return { rows, bad, result };
}

const LOGIN_HEADER = 'account_id,ts,ip,country,device_id';

describe('CsvTokenizer', () => {
  const tokenize = (...chunks: string[]) => {
    const tokenizer = new CsvTokenizer();
    const records: { fields: string[]; line: number }[] = [];
    for (const chunk of chunks) tokenizer.push(chunk, (r) => records.push(r));
    tokenizer.end((r) => records.push(r));
    return records;
  };

  it('splits quoted fields holding commas, doubled quotes and line breaks when the text is RFC 4180', () => {
    // Act
    const records = tokenize('a,b\n"x, y","say ""hi""\nnext line"\nlast,row');
    // Assert
    expect(records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x, y', 'say "hi"\nnext line'], line: 2 },
      { fields: ['last', 'row'], line: 4 },
    ]);
  });

  it('gives the same records whatever the chunk boundaries are', () => {
    const text = '\uFEFFid,text\r\n1,"a\r\nb"\r\n2,""""\r\n3,plain\r\n';
    const whole = tokenize(text);
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 6 }), (cuts) => {
        const sorted = [...new Set(cuts)].sort((a, b) => a - b);
        const bytes = Buffer.from(text);
        const tokenizer = new CsvTokenizer();
        const records: unknown[] = [];
        let start = 0;
        for (const cut of [...sorted, bytes.length]) {
          tokenizer.push(bytes.subarray(start, cut), (r) => records.push(r));
          start = cut;
        }
        tokenizer.end((r) => records.push(r));
        expect(records).toEqual(whole);
      }),
    );
    expect(whole).toEqual([
      { fields: ['id', 'text'], line: 1 },
      { fields: ['1', 'a\r\nb'], line: 2 },
      { fields: ['2', '"'], line: 4 },
      { fields: ['3', 'plain'], line: 5 },
    ]);
  });

  it('skips blank lines but counts them when numbering lines', () => {
    expect(tokenize('a\n\n\nb\n')).toEqual([
      { fields: ['a'], line: 1 },
      { fields: ['b'], line: 4 },
    ]);
  });

  it('refuses a quote inside an unquoted field and text after a closing quote, naming the line', () => {
    expect(() => tokenize('a,b\nx,y"z\n')).toThrow(/line 2: a quote inside an unquoted field/);
    expect(() => tokenize('a,b\n"x"y,z\n')).toThrow(/line 2: unexpected character "y" after a closing quote/);
  });

  it('reports an unterminated quote at the line where it opened', () => {
    expect(() => tokenize('a,b\n1,2\n3,"open\n4,5\n6,7\n')).toThrow(/line 3: unterminated quoted field/);
  });

  it('stops at the record limit instead of reading a whole file into one field when a quote never closes', () => {
    const tokenizer = new CsvTokenizer();
    const push = () => {
      tokenizer.push('a\n"never closed\n', () => undefined);
      for (let sent = 0; sent <= MAX_RECORD_BYTES; sent += 1 << 20) tokenizer.push('x'.repeat(1 << 20), () => undefined);
    };
    expect(push).toThrow(/line 2: unterminated quoted field: the quote opened here is not closed within/);
  });
});

describe('readTable (CSV)', () => {
  it('reads quoted multi-line text with CRLF line ends and a byte-order mark, numbering physical lines', async () => {
    // Arrange
    const csv = [
      'account_id,ts,job_id,job_posted_at,bid_amount,job_budget,text,extra_column',
      'A1,2026-01-05T10:00:00Z,J1,2026-01-05T09:00:00Z,100,200,"Dear client,\r\nI ""love"" it.\r\nBye",x',
      'A2,2026-01-06T10:00:00.250Z,J2,2026-01-06T09:00:00Z,12.5,1e3,,y',
    ].join('\r\n');
    const file = await write('proposals.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${csv}\r\n`)]));
    // Act
    const { rows, bad, result } = await readAll(file, 'proposals');
    // Assert
    expect(bad).toEqual([]);
    expect(rows.map((r) => r.line)).toEqual([2, 5]);
    expect(rows[0]?.row).toEqual({
      account_id: 'A1',
      ts: Date.parse('2026-01-05T10:00:00Z'),
      job_id: 'J1',
      job_posted_at: Date.parse('2026-01-05T09:00:00Z'),
      bid_amount: 100,
      job_budget: 200,
      text: 'Dear client,\r\nI "love" it.\r\nBye',
    });
    expect(rows[1]?.row).toMatchObject({ ts: Date.parse('2026-01-06T10:00:00.250Z'), bid_amount: 12.5, job_budget: 1000, text: '' });
    expect(result).toMatchObject({ format: 'csv', compressed: false, rows: 2, rejectedRows: 0, ignoredColumns: ['extra_column'] });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the cell physical line when a bad cell follows a multi-line field', async () => {
    const csv = `account_id,ts,job_id,job_posted_at,bid_amount,job_budget,text\nA1,2026-01-05T10:00:00Z,J1,2026-01-05T09:00:00Z,100,200,"one\ntwo"\n`;
    const file = await write(
      'proposals-late.csv',
      csv.replace('"one\ntwo"', '"one\ntwo"').replace(',100,200,', ',100,200,') +
        'A1,2026-01-05T10:00:00Z,J1,2026-01-05T09:00:00Z,"line\nbreak",-5,x\n',
    );
    const { bad } = await readAll(file, 'proposals');
    expect(bad[0]?.error.message).toBe('proposals-late.csv line 4, column bid_amount: "line\\nbreak" is not a number (expected a number >= 0)');
    expect(bad[0]?.raw).toContain('A1,2026-01-05T10:00:00Z,J1');
  });

  it('sends a ragged row and each bad cell to onBadRow with file, line and column, and keeps the good rows', async () => {
    const file = await write(
      'logins.csv',
      `${LOGIN_HEADER}\nA1,2026-01-01T00:00:00Z,1.1.1.1,DE,d1\nA1,2026-02-30T00:00:00Z,1.1.1.1,DE,d1\nA1,2026-01-02T00:00:00Z,1.1.1.1,de,d1\nA1,2026-01-02T00:00:00Z,1.1.1.1\n`,
    );
    const { rows, bad } = await readAll(file, 'logins');
    expect(rows).toHaveLength(1);
    expect(bad.map((b) => [b.error.line, b.error.column])).toEqual([
      [3, 'ts'],
      [4, 'country'],
      [5, 'country'],
    ]);
    expect(bad[0]?.error.message).toContain('logins.csv line 3, column ts: "2026-02-30T00:00:00Z" is not an ISO-8601 UTC timestamp');
    expect(bad[2]?.error.reason).toBe('the row has 3 fields but the header has 5 (no value for country onwards)');
  });

  it('throws MissingColumnError naming the missing and the present columns', async () => {
    const file = await write('logins-missing.csv', 'account_id,ts,ip\nA1,2026-01-01T00:00:00Z,1.1.1.1\n');
    const error = await readAll(file, 'logins').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingColumnError);
    expect((error as Error).message).toBe(
      'logins-missing.csv line 1 (header): missing required columns country, device_id (columns present: account_id, ts, ip)',
    );
  });

  it('refuses bytes that are not UTF-8, naming the column', async () => {
    const file = await write(
      'logins-latin1.csv',
      Buffer.concat([Buffer.from(`${LOGIN_HEADER}\nA1,2026-01-01T00:00:00Z,1.1.1.1,DE,d`), Buffer.from([0xe9, 0x0a])]),
    );
    const { bad } = await readAll(file, 'logins');
    expect(bad[0]?.error.message).toContain('logins-latin1.csv line 2, column device_id: the bytes are not valid UTF-8 text');
  });

  it('reads gzip files and names the file when the gzip data is truncated', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `A${i},2026-01-01T00:00:00Z,10.0.${i % 250}.1,DE,device-${i}`);
    const gz = gzipSync(`${LOGIN_HEADER}\n${lines.join('\n')}\n`);
    const whole = await write('logins-whole.csv.gz', gz);
    const cut = await write('logins-cut.csv.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const { rows, result } = await readAll(whole, 'logins');
    expect(rows).toHaveLength(3000);
    expect(result).toMatchObject({ compressed: true, bytes: gz.length });
    const error = await readAll(cut, 'logins').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as Error).message).toMatch(/^logins-cut\.csv\.gz line \d+: the gzip data is truncated or corrupt/);
  });
});

describe('readTable (JSONL)', () => {
  it('accepts JSON-typed values and CSV-style strings for numbers, booleans and labels, and ignores unknown fields', async () => {
    const file = await write(
      'accounts.jsonl',
      [
        '{"account_id":"A1","created_at":"2026-01-01T00:00:00Z","country":"DE","has_2fa":true,"note":"x"}',
        '',
        '{"account_id":"A2","created_at":"2026-01-02T00:00:00Z","country":"US","has_2fa":"false"}',
      ].join('\r\n'),
    );
    const { rows, bad } = await readAll(file, 'accounts');
    expect(bad).toEqual([]);
    expect(rows.map((r) => [r.line, r.row.has_2fa])).toEqual([
      [1, true],
      [3, false],
    ]);
  });

  it('refuses wrong JSON types, missing fields, invalid JSON and non-objects with line and column', async () => {
    const file = await write(
      'tests.jsonl.gz',
      gzipSync(
        [
          '{"account_id":"A1","test_id":"T1","started_at":"2026-01-05T10:00:00Z","duration_s":600,"score":"high","typical_duration_s":900}',
          '{"account_id":12,"test_id":"T1","started_at":"2026-01-05T10:00:00Z","duration_s":600,"score":1,"typical_duration_s":900}',
          '{"account_id":"A1","test_id":"T1","duration_s":600,"score":1,"typical_duration_s":900}',
          '{"account_id":"A1",',
          '[1,2]',
        ].join('\n'),
      ),
    );
    const { rows, bad } = await readAll(file, 'tests');
    expect(rows).toEqual([]);
    expect(bad.map((b) => b.error.message.replace(/ \(expected.*$/, ''))).toEqual([
      'tests.jsonl.gz line 1, column score: "high" is not a number',
      'tests.jsonl.gz line 2, column account_id: the JSON number 12 is not a string',
      'tests.jsonl.gz line 3, column started_at: the field is missing',
      expect.stringMatching(/^tests\.jsonl\.gz line 4: the line is not valid JSON/),
      'tests.jsonl.gz line 5: the line holds a JSON array, not an object',
    ]);
  });
});

describe('readTable (Parquet)', () => {
  it('reads a Parquet file written by DuckDB, with typed timestamps, integers and doubles', async () => {
    // Arrange
    const file = path.join(dir, 'tests.parquet');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM (VALUES
        (101, 'T1', TIMESTAMP '2026-01-05 10:00:00', 600.5, 80::BIGINT, 900::BIGINT),
        (102, 'T2', TIMESTAMP '2026-01-06 11:30:00', 120.0, 101::BIGINT, 900::BIGINT)
      ) t(account_id, test_id, started_at, duration_s, score, typical_duration_s)) TO '${file}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    // Act
    const { rows, bad, result } = await readAll(file, 'tests');
    // Assert
    expect(rows).toEqual([
      {
        line: 1,
        row: {
          account_id: '101',
          test_id: 'T1',
          started_at: Date.parse('2026-01-05T10:00:00Z'),
          duration_s: 600.5,
          score: 80,
          typical_duration_s: 900,
        },
      },
    ]);
    expect(bad.map((b) => b.error.message)).toEqual(['tests.parquet row 2, column score: 101 is out of range (expected a number >= 0 <= 100)']);
    expect(result).toMatchObject({ format: 'parquet', rows: 1, rejectedRows: 1 });
  });

  it('names the file when it is not Parquet', async () => {
    const file = await write('payouts.parquet', 'not parquet at all');
    await expect(readAll(file, 'payouts')).rejects.toThrow(/^payouts\.parquet: not a readable Parquet file/);
  });
});

describe('cell parsers', () => {
  const allColumns = Object.values(TABLE_COLUMNS).flat() as ColumnSpec[];
  const kinds = new Map<string, ColumnSpec>();
  for (const column of allColumns) kinds.set(JSON.stringify([column.kind, column.optional ?? false]), column);
  const zodOf = (column: ColumnSpec) => {
    const table = (Object.keys(TABLE_COLUMNS) as TableName[]).find((t) => (TABLE_COLUMNS[t] as readonly ColumnSpec[]).includes(column)) as TableName;
    return TABLE_SCHEMAS[table].shape[column.name as never] as unknown as { safeParse(v: unknown): { success: boolean; data?: unknown } };
  };
  const jsonCells: unknown[] = [
    'A1',
    '',
    'x'.repeat(256),
    'x'.repeat(257),
    'DE',
    'de',
    'DEU',
    '2026-03-01T12:00:00Z',
    '2026-03-01T12:00:00.123Z',
    '2026-03-01T12:00Z',
    '2026-03-01T12:00:00+00:00',
    '2026-02-29T00:00:00Z',
    '2028-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01 12:00:00',
    '2026-01-01T12:00:00+01:00',
    0,
    1,
    2,
    -1,
    0.5,
    100,
    100.5,
    1e308,
    -0,
    true,
    false,
    null,
    [],
    {},
    'true',
    '12',
  ];

  it('accepts and refuses the same JSON values as the zod schema of every column, with the same value', () => {
    for (const column of kinds.values()) {
      const schema = zodOf(column);
      for (const cell of jsonCells) {
        const ours = parseJsonCell(column.kind, cell, column.optional === true);
        const theirs = schema.safeParse(cell === null && column.optional ? undefined : cell);
        // strings in number/boolean/label columns are the documented extra for CSV-style JSONL producers
        const isStringExtra = typeof cell === 'string' && ['number', 'boolean', 'label'].includes(column.kind.type);
        // an empty optional cell is "absent": CSV cannot tell it from an empty string
        const isEmptyOptional = cell === '' && column.optional === true;
        if (isStringExtra) continue;
        const context = `${column.name} ${JSON.stringify(cell)}`;
        expect(!(ours instanceof CellProblem), context).toBe(theirs.success);
        if (theirs.success && !isEmptyOptional) expect(ours, context).toEqual(theirs.data);
      }
    }
  });

  const BOOLEAN_TEXT: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
  const LABEL_TEXT: Record<string, number> = { '0': 0, '1': 1 };

  it('reads CSV text the way zod reads the matching JSON value', () => {
    const textCells = [
      '0',
      '1',
      '2',
      '-1',
      '1.5',
      '.5',
      '5.',
      '+3',
      '1e3',
      '100',
      '100.0001',
      ' 1',
      '1,5',
      '0x10',
      'NaN',
      'Infinity',
      'true',
      'True',
      'FALSE',
      'yes',
      '',
    ];
    for (const column of kinds.values()) {
      if (!['number', 'boolean', 'label'].includes(column.kind.type)) continue;
      for (const text of textCells) {
        const ours = parseTextCell(column.kind, text, column.optional === true);
        // the CSV spellings: decimal literals for numbers, exactly 0/1 for labels, three casings of true/false
        const asJson =
          column.kind.type === 'boolean'
            ? (BOOLEAN_TEXT[text] ?? text)
            : column.kind.type === 'label'
              ? (LABEL_TEXT[text] ?? text)
              : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)
                ? Number(text)
                : text;
        const theirs = zodOf(column).safeParse(asJson);
        expect(!(ours instanceof CellProblem), `${column.name} ${JSON.stringify(text)}`).toBe(
          text === '' ? column.optional === true : theirs.success,
        );
      }
    }
  });

  const csvParse = (kind: ColumnKind, text: string, isOptional = false) => {
    const bytes = Buffer.from(`,${text},`);
    return csvCellParserFor({ name: 'c', kind, description: '', optional: isOptional })(bytes, 1, bytes.length - 1, false);
  };

  it('gives from bytes exactly what the text rule gives, for timestamps', () => {
    const digits = (n: number, min: number, max: number) => fc.integer({ min, max }).map((v) => String(v).padStart(n, '0'));
    const stamp = fc
      .tuple(
        digits(4, 0, 9999),
        digits(2, 0, 19),
        digits(2, 0, 39),
        digits(2, 0, 29),
        digits(2, 0, 69),
        digits(2, 0, 69),
        fc.option(digits(3, 0, 999)),
      )
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? '' : `.${ms}`}Z`);
    fc.assert(
      fc.property(fc.oneof(stamp, fc.string({ maxLength: 24 })), (text) => {
        const expected = parseTextCell({ type: 'timestamp' }, text, false);
        expect(csvParse({ type: 'timestamp' }, text)).toEqual(expected);
        if (!(expected instanceof CellProblem)) expect(expected).toBe(parseIsoUtc(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads common timestamps without Date.parse exactly as the calendar-checked Date.parse does', () => {
    // the oracle: the contract's pattern, the calendar check, then Date.parse
    const oracle = (text: string): number | null => {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]00:?00)$/.exec(text);
      if (!m) return null;
      const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
      if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59) return null;
      const ms = Date.parse(text);
      return Number.isFinite(ms) ? ms : null;
    };
    const digits = (n: number, min: number, max: number) => fc.integer({ min, max }).map((v) => String(v).padStart(n, '0'));
    const stamp = fc
      .tuple(
        digits(4, 0, 9999),
        digits(2, 0, 19),
        digits(2, 0, 39),
        digits(2, 0, 29),
        digits(2, 0, 69),
        digits(2, 0, 69),
        fc.option(digits(3, 0, 999)),
        fc.constantFrom('Z', '+00:00', 'z', ''),
      )
      .map(([y, mo, d, h, mi, s, ms, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? '' : `.${ms}`}${zone}`);
    fc.assert(
      fc.property(fc.oneof(stamp, fc.string({ maxLength: 24 })), (text) => {
        expect(parseIsoUtc(text)).toBe(oracle(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('gives from bytes exactly what Number() gives, for decimals', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^\d{0,9}$/), fc.option(fc.stringMatching(/^\d{0,9}$/)))
      .map(([neg, a, b]) => `${neg ? '-' : ''}${a}${b === null ? '' : `.${b}`}`);
    fc.assert(
      fc.property(decimal, (text) => {
        expect(csvParse({ type: 'number' }, text)).toEqual(parseTextCell({ type: 'number' }, text, false));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads countries, booleans and labels from bytes like the text rule', () => {
    for (const text of ['DE', 'US', 'ZZ', 'de', 'D', 'DEU', ''])
      expect(csvParse({ type: 'country' }, text)).toEqual(parseTextCell({ type: 'country' }, text, false));
    for (const text of ['true', 'false', 'True', 'TRUE', 'no', ''])
      expect(csvParse({ type: 'boolean' }, text)).toEqual(parseTextCell({ type: 'boolean' }, text, false));
    for (const text of ['0', '1', '01', '2', '']) expect(csvParse({ type: 'label' }, text)).toEqual(parseTextCell({ type: 'label' }, text, false));
  });
});
