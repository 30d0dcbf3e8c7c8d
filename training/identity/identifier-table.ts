// The identity index's identifier records held in typed arrays: a model of a million accounts has millions of them.
//
// As a Map of records they took ~1.6 GB and most of a 13 s model load (bench/model-load.bench.ts); every serving
// worker holds one. Here a record is its 96-bit hash in three words, a kind-and-hub byte, its account count and a
// slice of one array of account numbers, found through an open-addressing hash table; account ids are stored once.
import { z } from 'zod';
import { type IdentifierKind, IdentifierKindSchema } from '../scoring/risk-assessment.js';

const IDENTIFIER_HASH_PATTERN = /^[0-9a-f]{24}$/;

/** One line of identity-index.jsonl. */
export const IdentifierRecordSchema = z.object({
  kind: IdentifierKindSchema,
  hash: z
    .string()
    .regex(IDENTIFIER_HASH_PATTERN, 'hash must be 24 lower-case hex digits')
    .describe('keyed hash of the identifier; never the raw value'),
  account_ids: z.array(z.string()).describe('accounts using it (empty for hubs, which link nobody)'),
  account_count: z.number().int().positive(),
  is_hub: z.boolean(),
});
export type IdentifierRecord = z.infer<typeof IdentifierRecordSchema>;

export interface IdentifierTable {
  readonly size: number;
  readonly hubCount: number;
  get(kind: IdentifierKind, hash: string): IdentifierRecord | undefined;
  /** every record, in the order added */
  records(): Generator<IdentifierRecord>;
}

// a kind is stored as its position in the schema's list (two bits of the flag byte)
const KINDS = IdentifierKindSchema.options;
const KIND_CODE = Object.fromEntries(KINDS.map((kind, code) => [kind, code])) as Record<IdentifierKind, number>;
const HUB_BIT = 4;
const EMPTY = -1;
// A line as identityIndexToJsonl writes it (JSON.stringify of a record: keys in schema order, account ids free of
// escapes) is read by one regular expression, ~3x faster than JSON.parse and the schema over the millions of lines of
// a large model; what it accepts, those two accept with the same values (a test holds them together). Any other
// spelling of a record takes the general path. (Loading an index reads most lines from their bytes before either:
// IdentifierTableBuilder.addWrittenLine.)
const WRITTEN_LINE =
  // eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings, so the pattern must too
  /^\{"kind":"(bank|device|ip)","hash":"([0-9a-f]{24})","account_ids":\[((?:"[^"\\\u0000-\u001f]*"(?:,"[^"\\\u0000-\u001f]*")*)?)\],"account_count":([1-9]\d{0,8}),"is_hub":(true|false)\}$/;

/** One line of identity-index.jsonl as a record, or why it is not one. */
export function parseIdentifierLine(line: string): IdentifierRecord | string {
  const match = WRITTEN_LINE.exec(line);
  if (match) {
    const ids = match[3] as string;
    return {
      kind: match[1] as IdentifierKind,
      hash: match[2] as string,
      account_ids: ids === '' ? [] : ids.slice(1, -1).split('","'),
      account_count: Number(match[4]),
      is_hub: match[5] === 'true',
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  const parsed = IdentifierRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : (parsed.error.issues[0]?.message ?? 'invalid record');
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) HEX_VALUE[c.toString(16).charCodeAt(0)] = c;
const HEX_BYTE = new Int8Array(256).fill(-1);
HEX_BYTE.set(HEX_VALUE);

// the fixed parts of a written line, as bytes
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const KIND_OPEN = ascii('{"kind":"');
const KIND_NAMES = KINDS.map((kind) => ascii(`${kind}"`));
const HASH_OPEN = ascii(',"hash":"');
const IDS_OPEN = ascii('","account_ids":[');
const COUNT_OPEN = ascii('],"account_count":');
const HUB_OPEN = ascii(',"is_hub":');
const TRUE_CLOSE = ascii('true}');
const FALSE_CLOSE = ascii('false}');
const [QUOTE, COMMA, BACKSLASH] = [34, 44, 92];

/** where `literal` ends when `bytes` holds it at `at` (before `end`), else -1 */
function literalEnd(bytes: Uint8Array, at: number, end: number, literal: Uint8Array): number {
  if (at + literal.length > end) return -1;
  for (let k = 0; k < literal.length; k++) if (bytes[at + k] !== literal[k]) return -1;
  return at + literal.length;
}

/** The hash's 96 bits as three words, or null unless it is 24 lower-case hex digits (a lookup on every request). */
function hashWords(hash: string): [number, number, number] | null {
  if (hash.length !== 24) return null;
  const words: [number, number, number] = [0, 0, 0];
  for (let w = 0; w < 3; w++) {
    let word = 0;
    for (let k = 8 * w; k < 8 * w + 8; k++) {
      const code = hash.charCodeAt(k);
      const digit = code < 128 ? (HEX_VALUE[code] as number) : -1;
      if (digit < 0) return null;
      word = word * 16 + digit;
    }
    words[w] = word;
  }
  return words;
}

const wordsToHash = (a: number, b: number, c: number) => [a, b, c].map((w) => w.toString(16).padStart(8, '0')).join('');

// the hashes are HMAC output, so their bits are already uniform; mixing in the kind keeps a bank and a device with
// the same hash apart
const slotOf = (first: number, kind: number, mask: number) => (Math.imul(first ^ kind, 0x9e3779b1) >>> 0) & mask;

function grown<T extends Uint8Array | Uint32Array>(array: T, minimum: number): T {
  if (array.length >= minimum) return array;
  const next = new (array.constructor as new (length: number) => T)(Math.max(minimum, array.length * 2));
  next.set(array);
  return next;
}

const slotCountFor = (records: number) => 2 ** Math.max(11, Math.ceil(Math.log2(2 * records + 1)));

/** Collects records; `add` refuses a hash that is not 24 hex digits or a (kind, hash) already added. */
export class IdentifierTableBuilder {
  private words: Uint32Array;
  private flags: Uint8Array;
  private counts: Uint32Array;
  private listEnds: Uint32Array;
  private accounts: Uint32Array;
  private accountsUsed = 0;
  private slots: Int32Array;
  private readonly accountIds: string[] = [];
  private readonly accountNumbers = new Map<string, number>();
  private hubs = 0;
  private n = 0;
  /** where each account id of the line being read starts and ends (reused from line to line) */
  private readonly idBounds: number[] = [];

  /** `expectedRecords`: sizes the arrays up front when the count is known (a file's line count) */
  constructor(expectedRecords = 1024) {
    const capacity = Math.max(16, expectedRecords);
    this.words = new Uint32Array(3 * capacity);
    this.flags = new Uint8Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.listEnds = new Uint32Array(capacity);
    this.accounts = new Uint32Array(2 * capacity);
    this.slots = new Int32Array(slotCountFor(capacity)).fill(EMPTY);
  }

  /** 'ok', or why the record was refused */
  add(record: IdentifierRecord): 'ok' | 'bad-hash' | 'duplicate' {
    const words = hashWords(record.hash);
    if (!words) return 'bad-hash';
    const kind = KIND_CODE[record.kind];
    if (this.find(words, kind) !== EMPTY) return 'duplicate';
    const i = this.append(words[0], words[1], words[2], kind, record.is_hub, record.account_count);
    this.accounts = grown(this.accounts, this.accountsUsed + record.account_ids.length);
    // an id cut from a line of the index file can keep that whole line alive (V8 slices substrings); the copy keeps a
    // string of its own length. (Copying through a Buffer allocates outside the heap, and a million of those set off
    // full collections of a heap of millions of records.)
    for (const id of record.account_ids) this.accounts[this.accountsUsed++] = this.accountNumber(id, (text) => ` ${text}`.slice(1));
    this.finish(i);
    return 'ok';
  }

  /**
   * Adds the line `bytes[start, end)` when it is spelt exactly as identityIndexToJsonl writes a record with ASCII
   * account ids, read from the bytes without building the line, the record or its hash as strings (a large model's
   * index has millions of lines: this is most of loading it). Anything else is 'not-written' and adds nothing: the
   * caller reads that line through parseIdentifierLine, which accepts every such line too, with the same values.
   */
  addWrittenLine(bytes: Buffer, start: number, end: number): 'ok' | 'duplicate' | 'not-written' {
    let p = literalEnd(bytes, start, end, KIND_OPEN);
    if (p < 0) return 'not-written';
    const kind = KIND_NAMES.findIndex((name) => literalEnd(bytes, p, end, name) >= 0);
    if (kind < 0) return 'not-written';
    p = literalEnd(bytes, p + (KIND_NAMES[kind] as Uint8Array).length, end, HASH_OPEN);
    if (p < 0 || p + 24 > end) return 'not-written';
    const w = [0, 0, 0];
    for (let k = 0; k < 24; k++) {
      const digit = HEX_BYTE[bytes[p + k] as number] as number;
      if (digit < 0) return 'not-written';
      w[k >> 3] = (w[k >> 3] as number) * 16 + digit;
    }
    p = literalEnd(bytes, p + 24, end, IDS_OPEN);
    if (p < 0) return 'not-written';
    // the ids' bounds, checked to the end of the line before anything is added
    const bounds = this.idBounds;
    bounds.length = 0;
    if (bytes[p] === QUOTE) {
      for (;;) {
        let q = p + 1;
        while (q < end && bytes[q] !== QUOTE) {
          const c = bytes[q] as number;
          if (c < 0x20 || c > 0x7e || c === BACKSLASH) return 'not-written';
          q++;
        }
        if (q >= end) return 'not-written';
        bounds.push(p + 1, q);
        p = q + 1;
        if (bytes[p] !== COMMA) break;
        if (bytes[p + 1] !== QUOTE) return 'not-written';
        p++;
      }
    }
    p = literalEnd(bytes, p, end, COUNT_OPEN);
    if (p < 0) return 'not-written';
    let count = 0;
    const digitsStart = p;
    while (p < end && (bytes[p] as number) >= 48 && (bytes[p] as number) <= 57 && p - digitsStart < 9)
      count = count * 10 + (bytes[p++] as number) - 48;
    if (p === digitsStart || bytes[digitsStart] === 48) return 'not-written';
    p = literalEnd(bytes, p, end, HUB_OPEN);
    if (p < 0) return 'not-written';
    const isHub = literalEnd(bytes, p, end, TRUE_CLOSE) === end;
    if (!isHub && literalEnd(bytes, p, end, FALSE_CLOSE) !== end) return 'not-written';
    const words: [number, number, number] = [w[0] as number, w[1] as number, w[2] as number];
    if (this.find(words, kind) !== EMPTY) return 'duplicate';
    const i = this.append(words[0], words[1], words[2], kind, isHub, count);
    this.accounts = grown(this.accounts, this.accountsUsed + bounds.length / 2);
    for (let k = 0; k < bounds.length; k += 2)
      this.accounts[this.accountsUsed++] = this.accountNumber(bytes.toString('latin1', bounds[k], bounds[k + 1]));
    this.finish(i);
    return 'ok';
  }

  build(): IdentifierTable {
    const n = this.n;
    const words = this.words.slice(0, 3 * n);
    const flags = this.flags.slice(0, n);
    const counts = this.counts.slice(0, n);
    const listEnds = this.listEnds.slice(0, n);
    const accounts = this.accounts.slice(0, this.accountsUsed);
    const slots = this.slots;
    const accountIds = this.accountIds;
    const mask = slots.length - 1;
    const hubCount = this.hubs;
    const entry = (i: number, knownHash?: string): IdentifierRecord => {
      const start = i === 0 ? 0 : (listEnds[i - 1] as number);
      const ids: string[] = [];
      for (let k = start; k < (listEnds[i] as number); k++) ids.push(accountIds[accounts[k] as number] as string);
      const flag = flags[i] as number;
      return {
        kind: KINDS[flag & 3] as IdentifierKind,
        hash: knownHash ?? wordsToHash(words[3 * i] as number, words[3 * i + 1] as number, words[3 * i + 2] as number),
        account_ids: ids,
        account_count: counts[i] as number,
        is_hub: (flag & HUB_BIT) !== 0,
      };
    };
    return {
      size: n,
      hubCount,
      get(kind, hash) {
        const w = hashWords(hash);
        if (!w) return undefined;
        const i = findIn(slots, mask, words, flags, w, KIND_CODE[kind]);
        return i === EMPTY ? undefined : entry(i, hash);
      },
      *records() {
        for (let i = 0; i < n; i++) yield entry(i);
      },
    };
  }

  /** a new record's slot in the arrays (its account list follows, then `finish`) */
  private append(w0: number, w1: number, w2: number, kind: number, isHub: boolean, accountCount: number): number {
    if (2 * (this.n + 1) > this.slots.length) this.rehash(this.slots.length * 2);
    const i = this.n++;
    if (this.n > this.flags.length) {
      this.words = grown(this.words, 3 * this.n);
      this.flags = grown(this.flags, this.n);
      this.counts = grown(this.counts, this.n);
      this.listEnds = grown(this.listEnds, this.n);
    }
    this.words[3 * i] = w0;
    this.words[3 * i + 1] = w1;
    this.words[3 * i + 2] = w2;
    this.flags[i] = kind | (isHub ? HUB_BIT : 0);
    if (isHub) this.hubs++;
    this.counts[i] = accountCount;
    return i;
  }

  private finish(i: number): void {
    this.listEnds[i] = this.accountsUsed;
    this.place(i);
  }

  /** each account id is stored once; `own` makes the string kept for a new id */
  private accountNumber(id: string, own: (id: string) => string = (text) => text): number {
    let number = this.accountNumbers.get(id);
    if (number === undefined) {
      number = this.accountIds.length;
      this.accountIds.push(own(id));
      this.accountNumbers.set(id, number);
    }
    return number;
  }

  private find(w: readonly number[], kind: number): number {
    return findIn(this.slots, this.slots.length - 1, this.words, this.flags, w, kind);
  }

  private place(i: number): void {
    const mask = this.slots.length - 1;
    let slot = slotOf(this.words[3 * i] as number, (this.flags[i] as number) & 3, mask);
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.slots[slot] = i;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(EMPTY);
    for (let i = 0; i < this.n; i++) this.place(i);
  }
}

function findIn(slots: Int32Array, mask: number, words: Uint32Array, flags: Uint8Array, w: readonly number[], kind: number): number {
  for (let slot = slotOf(w[0] as number, kind, mask); ; slot = (slot + 1) & mask) {
    const i = slots[slot] as number;
    if (i === EMPTY) return EMPTY;
    if (words[3 * i] === w[0] && words[3 * i + 1] === w[1] && words[3 * i + 2] === w[2] && ((flags[i] as number) & 3) === kind) return i;
  }
}
