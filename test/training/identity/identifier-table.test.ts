import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type IdentifierRecord,
  IdentifierRecordSchema,
  IdentifierTableBuilder,
  parseIdentifierLine,
} from '../../../training/identity/identifier-table.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);
const kinds = ['bank', 'device', 'ip'] as const;

function records(count: number): IdentifierRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const accounts = (i % 4) + 1;
    const isHub = i % 97 === 0;
    return {
      kind: kinds[i % 3] as IdentifierRecord['kind'],
      hash: hashOf(`id-${i}`),
      account_ids: isHub ? [] : Array.from({ length: accounts }, (_, k) => `A${(i * 7 + k) % 5000}`),
      account_count: isHub ? 50 : accounts,
      is_hub: isHub,
    };
  });
}

describe('IdentifierTableBuilder', () => {
  it('gives back every record, in the order added, and finds each by kind and hash, past every initial capacity', () => {
    const input = records(20_000);
    const builder = new IdentifierTableBuilder();
    for (const record of input) expect(builder.add(record)).toBe('ok');
    const table = builder.build();
    expect(table.size).toBe(input.length);
    expect(table.hubCount).toBe(input.filter((r) => r.is_hub).length);
    expect([...table.records()]).toEqual(input);
    for (const record of input.filter((_, i) => i % 13 === 0)) expect(table.get(record.kind, record.hash)).toEqual(record);
  });

  it('keeps the same hash under two kinds apart and finds nothing for an unknown or malformed hash', () => {
    const builder = new IdentifierTableBuilder();
    const hash = hashOf('shared');
    builder.add({ kind: 'bank', hash, account_ids: ['A'], account_count: 1, is_hub: false });
    builder.add({ kind: 'ip', hash, account_ids: [], account_count: 9, is_hub: true });
    const table = builder.build();
    expect(table.get('bank', hash)?.account_ids).toEqual(['A']);
    expect(table.get('ip', hash)?.is_hub).toBe(true);
    expect(table.get('device', hash)).toBeUndefined();
    expect(table.get('bank', hashOf('other'))).toBeUndefined();
    expect(table.get('bank', 'not-a-hash')).toBeUndefined();
  });

  it('refuses a (kind, hash) added twice and a hash that is not 24 lower-case hex digits', () => {
    const builder = new IdentifierTableBuilder();
    const record: IdentifierRecord = { kind: 'device', hash: hashOf('d'), account_ids: ['A', 'B'], account_count: 2, is_hub: false };
    expect(builder.add(record)).toBe('ok');
    expect(builder.add({ ...record, account_ids: ['C'], account_count: 1 })).toBe('duplicate');
    expect(builder.add({ ...record, hash: record.hash.toUpperCase() })).toBe('bad-hash');
    expect(builder.add({ ...record, hash: `${record.hash}0` })).toBe('bad-hash');
    expect([...builder.build().records()]).toEqual([record]);
  });
});

describe('parseIdentifierLine', () => {
  const hash = hashOf('line');
  const base: IdentifierRecord = { kind: 'device', hash, account_ids: ['A1', 'A2'], account_count: 2, is_hub: false };
  const general = (line: string) => IdentifierRecordSchema.parse(JSON.parse(line));

  it('reads what the index writes as JSON.parse and the schema do, whatever the account ids hold', () => {
    const ids = ['plain', '', 'quote"inside', 'back\\slash', 'tab\tand\nnewline', 'ünïcödé ✓', '\u0001', '","'];
    const variants: IdentifierRecord[] = [
      base,
      { ...base, account_ids: [], account_count: 40, is_hub: true },
      ...ids.map((id) => ({ ...base, account_ids: [id, 'B'] })),
    ];
    for (const record of variants) {
      const line = JSON.stringify(record);
      expect(parseIdentifierLine(line)).toEqual(record);
      expect(parseIdentifierLine(line)).toEqual(general(line));
    }
  });

  it('accepts a valid record spelt another way and names what is wrong with an invalid one', () => {
    const reordered = `{"is_hub":false,"account_count":2,"account_ids":["A1","A2"],"hash":"${hash}","kind":"device"}`;
    expect(parseIdentifierLine(reordered)).toEqual(base);
    expect(parseIdentifierLine(` ${JSON.stringify(base)} `)).toEqual(base);
    expect(parseIdentifierLine(JSON.stringify({ ...base, account_count: 0 }))).toMatch(/>\s*0|too small/i);
    expect(parseIdentifierLine(JSON.stringify({ ...base, account_count: 2.5 }))).toMatch(/int/i);
    expect(parseIdentifierLine(JSON.stringify({ ...base, kind: 'email' }))).toMatch(/bank|device|ip/);
    expect(parseIdentifierLine(JSON.stringify({ ...base, hash: 'raw-ip-10.0.0.1' }))).toBe('hash must be 24 lower-case hex digits');
    expect(parseIdentifierLine('{"kind":"device","hash":')).toBe('not JSON');
    // a raw tab inside a string: JSON wants it escaped
    expect(parseIdentifierLine(`{"kind":"device","hash":"${hash}","account_ids":["a\tb"],"account_count":1,"is_hub":false}`)).toBe('not JSON');
  });
});

describe('IdentifierTableBuilder.addWrittenLine', () => {
  const hash = hashOf('bytes');
  const base: IdentifierRecord = { kind: 'bank', hash, account_ids: ['A0000001', 'A0000002'], account_count: 2, is_hub: false };
  const written = JSON.stringify(base);
  /** what reading the line as text gives: the record(s) of the table, or why the line is refused */
  const asText = (line: string) => {
    const builder = new IdentifierTableBuilder();
    const record = parseIdentifierLine(line);
    if (typeof record === 'string') return record;
    return builder.add(record) === 'ok' ? [...builder.build().records()] : 'refused';
  };
  const fromBytes = (line: string) => {
    const builder = new IdentifierTableBuilder();
    const bytes = Buffer.from(line);
    const outcome = builder.addWrittenLine(bytes, 0, bytes.length);
    return { outcome, records: [...builder.build().records()] };
  };

  it('reads a line as the index writes it, with what reading it as text gives', () => {
    const lines = [
      written,
      JSON.stringify({ ...base, kind: 'device' }),
      JSON.stringify({ ...base, kind: 'ip', account_ids: [], account_count: 999_999_999, is_hub: true }),
      JSON.stringify({ ...base, account_ids: [''], account_count: 1 }),
      JSON.stringify({ ...base, account_ids: ['a b', "it's", '~{}[]:,'], account_count: 3 }),
    ];
    for (const line of lines) {
      const { outcome, records } = fromBytes(line);
      expect(outcome).toBe('ok');
      expect(records).toEqual(asText(line));
    }
  });

  it('leaves every other spelling to the text path, adding nothing', () => {
    const lines = [
      JSON.stringify({ ...base, account_ids: ['ünïcödé'] }),
      JSON.stringify({ ...base, account_ids: ['quote"inside', 'back\\slash'] }),
      JSON.stringify({ ...base, account_ids: ['tab\tin'] }),
      `${written}\r`,
      ` ${written}`,
      `${written} `,
      written.replace('"account_count":2', '"account_count":02'),
      written.replace('"account_count":2', '"account_count":1234567890'),
      written.replace('"account_count":2', '"account_count":0'),
      written.replace('"account_count":2', '"account_count":-2'),
      written.replace(hash, hash.toUpperCase()),
      written.replace(hash, hash.slice(1)),
      written.replace('"bank"', '"email"'),
      written.replace('"is_hub":false', '"is_hub":0'),
      written.replace('["A0000001","A0000002"]', '["A0000001",]'),
      written.replace('["A0000001","A0000002"]', '["A0000001""A0000002"]'),
      written.replace('["A0000001","A0000002"]', '["A0000001","A0000002"'),
      written.replace('}', ',"extra":1}'),
      written.slice(0, -1),
      `{"is_hub":false,"account_count":2,"account_ids":["A0000001","A0000002"],"hash":"${hash}","kind":"bank"}`,
      '',
    ];
    for (const line of lines) expect(fromBytes(line)).toEqual({ outcome: 'not-written', records: [] });
    // and the text path still reads those that are records, spelt otherwise
    expect(asText(` ${written}`)).toEqual([base]);
    expect(asText(lines.at(-2) as string)).toEqual([base]);
    expect(asText(lines[6] as string)).toBe('not JSON');
  });

  it('refuses a (kind, hash) it already holds, adding nothing, whichever path added it first', () => {
    const builder = new IdentifierTableBuilder();
    const bytes = Buffer.from(`${written}\n${written}`);
    expect(builder.addWrittenLine(bytes, 0, written.length)).toBe('ok');
    expect(builder.addWrittenLine(bytes, written.length + 1, bytes.length)).toBe('duplicate');
    const other = new IdentifierTableBuilder();
    other.add(base);
    expect(other.addWrittenLine(bytes, 0, written.length)).toBe('duplicate');
    expect([...builder.build().records()]).toEqual([base]);
    expect([...other.build().records()]).toEqual([base]);
  });

  it('reads a line in the middle of a buffer by its bounds alone', () => {
    const builder = new IdentifierTableBuilder();
    const bytes = Buffer.from(`garbage${written}garbage`);
    expect(builder.addWrittenLine(bytes, 7, 7 + written.length)).toBe('ok');
    expect(builder.addWrittenLine(bytes, 0, 7 + written.length)).toBe('not-written');
    expect([...builder.build().records()]).toEqual([base]);
  });
});
