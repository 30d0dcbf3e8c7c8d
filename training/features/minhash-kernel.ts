// text-signature.ts's definition as one WebAssembly function over the text's UTF-8 bytes: the words (FNV-1a of the
// lower-cased runs of ASCII letters and digits), the 3-word shingle values, and the 32 hashes of each value
// h = value * multiplier[k] (32-bit), h ^ (h >>> 13) as eight 4-lane SIMD vectors (i32x4 multiply, shift, xor and
// unsigned minimum). Several times faster than the JavaScript loops over the 60 texts of a realistic account (issue 21).
//
// UTF-8 bytes give the same words as the string's UTF-16 code units: an ASCII character is the same single byte, and
// every other character (a lone surrogate too, as U+FFFD) becomes bytes of 0x80 or more, which are separators like it.
//
// The module is assembled below from its instructions, so there is no build step and no binary file to trust: every
// byte is written out here. A runtime without WebAssembly SIMD gets null, and text-signature.ts keeps its scalar
// path for it; both paths are tested against the definition (test/training/features/text-signature.test.ts).

const SIGNATURE_SIZE = 32;
const LANES = 4;
const VECTORS = SIGNATURE_SIZE / LANES;
const SHINGLE_WORDS = 3;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const SHINGLE_SEED = 0x9747b28c | 0;
const SHINGLE_MIX = 0x5bd1e995 | 0;

// memory layout (bytes): the multipliers, the signature computed last, the word-character table, then the text's
// UTF-8 bytes and after them its word hashes, which become its shingle values
const MULTIPLIERS_AT = 0;
const SIGNATURE_AT = MULTIPLIERS_AT + 4 * SIGNATURE_SIZE;
const WORD_CHAR_AT = SIGNATURE_AT + 4 * SIGNATURE_SIZE;
const TEXT_AT = WORD_CHAR_AT + 256;
const PAGE_BYTES = 65_536;

// The part of the WebAssembly API used here: a global of Node, whose types come only with the DOM library, which
// this project does not load.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: Record<string, unknown> };
};

export interface MinHashKernel {
  /** Writes the text's signature (the definition in text-signature.ts) into out[at, at + 32). */
  writeTextSignature(text: string, out: Uint32Array, at: number): void;
}

/**
 * The kernel over these 32 multipliers, `lowerWordChar[c]` being the lower-cased word character of ASCII code c or 0
 * for a separator; null where WebAssembly SIMD is not available.
 */
export function createMinHashKernel(multipliers: Int32Array, lowerWordChar: Uint8Array): MinHashKernel | null {
  if (multipliers.length !== SIGNATURE_SIZE) throw new Error(`expected ${SIGNATURE_SIZE} multipliers, got ${multipliers.length}`);
  if (lowerWordChar.length !== 128) throw new Error(`expected a table of the 128 ASCII codes, got ${lowerWordChar.length}`);
  const bytes = textMinHashModuleBytes();
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const memory = instance.exports['memory'] as WasmMemory;
  const textMinHash = instance.exports['textMinHash'] as (textBytes: number, valuesAt: number) => void;
  new Int32Array(memory.buffer, MULTIPLIERS_AT, SIGNATURE_SIZE).set(multipliers);
  new Uint8Array(memory.buffer, WORD_CHAR_AT, 128).set(lowerWordChar); // bytes 128-255 stay 0: separators
  const encoder = new TextEncoder();
  let textCapacity = 0;
  let textBytes = new Uint8Array(0);
  let signature = new Uint32Array(memory.buffer, SIGNATURE_AT, SIGNATURE_SIZE);
  /** Room for a text of `length` UTF-16 units: at most 3 UTF-8 bytes each, and at most one word per two of them. */
  const reserve = (length: number) => {
    if (3 * length <= textCapacity) return;
    textCapacity = 4 * Math.ceil((3 * length) / 4) * 2; // doubled, so that growing is rare
    const needed = TEXT_AT + textCapacity + 4 * (length + 1) * 2;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
    // growing detaches the old views
    textBytes = new Uint8Array(memory.buffer, TEXT_AT, textCapacity);
    signature = new Uint32Array(memory.buffer, SIGNATURE_AT, SIGNATURE_SIZE);
  };
  return {
    writeTextSignature(text, out, at) {
      reserve(text.length);
      const { read, written } = encoder.encodeInto(text, textBytes);
      if (read !== text.length) throw new Error(`text of ${text.length} characters encoded only up to ${read}`);
      textMinHash(written, TEXT_AT + textCapacity);
      out.set(signature, at);
    },
  };
}

// --- the module, instruction by instruction (WebAssembly binary format 1.0 with the fixed-width SIMD proposal) ---

const I32 = 0x7f;
const V128 = 0x7b;
const VOID = 0x40;
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Load8U: 0x2d,
  i32Store: 0x36,
  i32Const: 0x41,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrU: 0x76,
} as const;
const simdOp = { v128Load: 0, v128Store: 11, i32x4Splat: 17, v128Xor: 81, i32x4ShrU: 173, i32x4Mul: 181, i32x4MinU: 183 } as const;

/** Unsigned LEB128: counts, sizes, indices and memory offsets. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of an int32: the immediate of i32.const. */
function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const simd = (code: number) => [0xfd, ...leb(code)];
/** alignment as log2 of bytes, then the constant offset */
const memarg = (alignLog2: number, offset: number) => [alignLog2, ...leb(offset)];
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
const name = (text: string) => vector([...text].map((c) => [c.charCodeAt(0)]));

const get = (local: number) => [op.localGet, local];
const set = (local: number) => [op.localSet, local];
const tee = (local: number) => [op.localTee, local];
const i32 = (value: number) => [op.i32Const, ...sleb(value)];
/** local += 1 */
const increment = (local: number) => [...get(local), ...i32(1), op.i32Add, ...set(local)];
/** the byte address of int32 number `index` (a local) of the array at `base` (a local) */
const slot = (base: number, index: number) => [...get(base), ...get(index), ...i32(2), op.i32Shl, op.i32Add];

// the function's locals: its two parameters, then i32 scalars, then the vectors
const TEXT_BYTES = 0; // parameter: the text's UTF-8 length, its bytes at TEXT_AT
const VALUES_AT = 1; // parameter: where the word hashes and then the shingle values go
const I = 2;
const C = 3;
const H = 4;
const WORDS = 5;
const IN_WORD = 6;
const SHINGLES = 7;
const S = 8;
const W = 9;
const END = 10;
const BASE = 11;
const AT = 12;
const VALUE = 13;
const HASH = 14;
const MIN = 15; // 15..22: the running minimums of hashes 4j..4j+3
const I32_LOCALS = VALUE - I;

/** Runs `body` until `exit` (code leaving an i32) is non-zero, testing before each run. */
const until = (exit: number[], body: number[]) => [op.block, VOID, op.loop, VOID, ...exit, op.brIf, 1, ...body, op.br, 0, op.end, op.end];

/** values[words++] = h; h = FNV_OFFSET; inWord = 0 */
const endWord = () => [...slot(VALUES_AT, WORDS), ...get(H), op.i32Store, ...memarg(2, 0), ...increment(WORDS), ...i32(FNV_OFFSET), ...set(H)];

/** The words' FNV-1a hashes at VALUES_AT, their count in WORDS. */
function scanWords(): number[] {
  return [
    ...i32(FNV_OFFSET),
    ...set(H),
    ...until(
      [...get(I), ...get(TEXT_BYTES), op.i32GeU],
      [
        // c = wordChar[text[i]]
        ...get(I),
        op.i32Load8U,
        ...memarg(0, TEXT_AT),
        op.i32Load8U,
        ...memarg(0, WORD_CHAR_AT),
        ...tee(C),
        op.if,
        VOID,
        ...get(H),
        ...get(C),
        op.i32Xor,
        ...i32(FNV_PRIME),
        op.i32Mul,
        ...set(H),
        ...i32(1),
        ...set(IN_WORD),
        op.else,
        ...get(IN_WORD),
        op.if,
        VOID,
        ...endWord(),
        ...i32(0),
        ...set(IN_WORD),
        op.end,
        op.end,
        ...increment(I),
      ],
    ),
    // a word running to the end of the text
    ...get(IN_WORD),
    op.if,
    VOID,
    ...endWord(),
    op.end,
  ];
}

/** Each shingle's value over the first word it starts with; their count (at least 1) in SHINGLES. */
function shingleValues(): number[] {
  return [
    // shingles = max(1, words - 2)
    ...i32(1),
    ...get(WORDS),
    ...i32(SHINGLE_WORDS - 1),
    op.i32Sub,
    ...tee(SHINGLES),
    ...get(SHINGLES),
    ...i32(1),
    op.i32LtS,
    op.select, // (1, shingles, shingles < 1): 1 when the condition holds
    ...set(SHINGLES),
    op.loop,
    VOID,
    ...i32(SHINGLE_SEED),
    ...set(BASE),
    // end = min(words, s + 3), as select(s + 3, words, s + 3 < words)
    ...get(S),
    ...i32(SHINGLE_WORDS),
    op.i32Add,
    ...tee(END),
    ...get(WORDS),
    ...get(END),
    ...get(WORDS),
    op.i32LtU,
    op.select,
    ...set(END),
    ...get(S),
    ...set(W),
    ...until(
      [...get(W), ...get(END), op.i32GeU],
      [
        // base = imul(base ^ values[w], SHINGLE_MIX) ^ (base >>> 13), the shift on the base before this word
        ...get(BASE),
        ...slot(VALUES_AT, W),
        op.i32Load,
        ...memarg(2, 0),
        op.i32Xor,
        ...i32(SHINGLE_MIX),
        op.i32Mul,
        ...get(BASE),
        ...i32(13),
        op.i32ShrU,
        op.i32Xor,
        ...set(BASE),
        ...increment(W),
      ],
    ),
    // values[s] = base ^ (base >>> 15)
    ...slot(VALUES_AT, S),
    ...get(BASE),
    ...get(BASE),
    ...i32(15),
    op.i32ShrU,
    op.i32Xor,
    op.i32Store,
    ...memarg(2, 0),
    // repeat while ++s < shingles
    ...get(S),
    ...i32(1),
    op.i32Add,
    ...tee(S),
    ...get(SHINGLES),
    op.i32LtU,
    op.brIf,
    0,
    op.end,
  ];
}

/** The 32 minimum hashes over the SHINGLES values at VALUES_AT, stored at SIGNATURE_AT. */
function minimumHashes(): number[] {
  const code: number[] = [];
  // every minimum starts at 0xffffffff
  for (let j = 0; j < VECTORS; j++) code.push(...i32(-1), ...simd(simdOp.i32x4Splat), ...set(MIN + j));
  code.push(...get(VALUES_AT), ...set(AT), ...slot(VALUES_AT, SHINGLES), ...set(END));
  code.push(op.loop, VOID, ...get(AT), op.i32Load, ...memarg(2, 0), ...simd(simdOp.i32x4Splat), ...set(VALUE));
  for (let j = 0; j < VECTORS; j++) {
    code.push(...get(MIN + j));
    code.push(...get(VALUE), ...i32(0), ...simd(simdOp.v128Load), ...memarg(4, MULTIPLIERS_AT + 16 * j), ...simd(simdOp.i32x4Mul));
    code.push(...tee(HASH), ...get(HASH), ...i32(13), ...simd(simdOp.i32x4ShrU), ...simd(simdOp.v128Xor));
    code.push(...simd(simdOp.i32x4MinU), ...set(MIN + j));
  }
  // at += 4; repeat while at < end (at least one shingle: the loop body runs first)
  code.push(...get(AT), ...i32(4), op.i32Add, ...tee(AT), ...get(END), op.i32LtU, op.brIf, 0, op.end);
  for (let j = 0; j < VECTORS; j++) code.push(...i32(0), ...get(MIN + j), ...simd(simdOp.v128Store), ...memarg(4, SIGNATURE_AT + 16 * j));
  return code;
}

/** `textMinHash(textBytes, valuesAt)`: the signature of the UTF-8 text at TEXT_AT, written at SIGNATURE_AT. */
function textMinHashBody(): number[] {
  const locals = vector([
    [...leb(I32_LOCALS), I32],
    [...leb(2 + VECTORS), V128],
  ]);
  return [...locals, ...scanWords(), ...shingleValues(), ...minimumHashes(), op.end];
}

/**
 * A module of one exported function taking `i32Parameters` i32 values and returning nothing, with `body` (its locals
 * and code), and one exported memory of one page at first, no maximum: the layout of both kernels here.
 */
function singleFunctionModule(exportName: string, i32Parameters: number, body: number[]): Uint8Array {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vector([[0x60, ...vector(Array.from({ length: i32Parameters }, () => [I32])), ...vector([])]])), // types: (i32, ...) -> ()
    ...section(3, vector([leb(0)])), // functions: one, of type 0
    ...section(5, vector([[0x00, ...leb(1)]])), // memory: 1 page at first, no maximum
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, ...leb(0)],
        [...name(exportName), 0x00, ...leb(0)],
      ]),
    ), // exports
    ...section(10, vector([[...leb(body.length), ...body]])), // code
  ]);
}

function textMinHashModuleBytes(): Uint8Array {
  return singleFunctionModule('textMinHash', 2, textMinHashBody());
}

// --- the integer kernel: min-hashes.ts's loop over int32 values (the member profile's active hours) ---
//
// Its own module and memory: the 32 multipliers, the 32 salts (k, or 0 when unsalted), the signature, then the values.
// Each value splatted once, then per group of four hashes h = (v ^ salt) * multiplier, h ^ (h >>> shift) and an
// unsigned minimum: the JavaScript loop's four lanes, as eight 4-lane vectors.

const INT_MULTIPLIERS_AT = 0;
const INT_SALTS_AT = INT_MULTIPLIERS_AT + 4 * SIGNATURE_SIZE;
const INT_SIGNATURE_AT = INT_SALTS_AT + 4 * SIGNATURE_SIZE;
const INT_VALUES_AT = INT_SIGNATURE_AT + 4 * SIGNATURE_SIZE;

export interface IntegerMinHashKernel {
  /**
   * out[at + k] = the minimum (unsigned) over values[0, count) of h ^ (h >>> shift), h = (salted ? v ^ k : v) *
   * multipliers[k] in 32-bit arithmetic, for each of the 32 k: writeMinHashes's definition (min-hashes.ts).
   */
  writeMinHashes(values: Int32Array, count: number, out: Uint32Array, at: number): void;
}

/** The integer kernel over these 32 multipliers and this final mix; null where WebAssembly SIMD is not available. */
export function createIntegerMinHashKernel(
  multipliers: Int32Array,
  hash: { readonly shift: number; readonly salted: boolean },
): IntegerMinHashKernel | null {
  if (multipliers.length !== SIGNATURE_SIZE) throw new Error(`expected ${SIGNATURE_SIZE} multipliers, got ${multipliers.length}`);
  if (!(Number.isInteger(hash.shift) && hash.shift >= 0 && hash.shift < 32)) throw new Error(`expected a shift of 0-31 bits, got ${hash.shift}`);
  const bytes = integerMinHashModuleBytes(hash.shift);
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const memory = instance.exports['memory'] as WasmMemory;
  const integerMinHash = instance.exports['integerMinHash'] as (valuesEnd: number) => void;
  new Int32Array(memory.buffer, INT_MULTIPLIERS_AT, SIGNATURE_SIZE).set(multipliers);
  new Int32Array(memory.buffer, INT_SALTS_AT, SIGNATURE_SIZE).set(Int32Array.from({ length: SIGNATURE_SIZE }, (_, k) => (hash.salted ? k : 0)));
  let values = new Int32Array(memory.buffer, INT_VALUES_AT, (memory.buffer.byteLength - INT_VALUES_AT) / 4);
  let signature = new Uint32Array(memory.buffer, INT_SIGNATURE_AT, SIGNATURE_SIZE);
  return {
    writeMinHashes(input, count, out, at) {
      if (count > values.length) {
        memory.grow(Math.ceil((INT_VALUES_AT + 8 * count - memory.buffer.byteLength) / PAGE_BYTES)); // doubled, so that growing is rare
        // growing detaches the old views
        values = new Int32Array(memory.buffer, INT_VALUES_AT, (memory.buffer.byteLength - INT_VALUES_AT) / 4);
        signature = new Uint32Array(memory.buffer, INT_SIGNATURE_AT, SIGNATURE_SIZE);
      }
      values.set(count === input.length ? input : input.subarray(0, count));
      integerMinHash(INT_VALUES_AT + 4 * count);
      out.set(signature, at);
    },
  };
}

// the integer function's locals: its parameter, one i32, then the vectors
const INT_VALUES_END = 0; // parameter: the byte address just past the last value
const INT_AT = 1;
const INT_VALUE = 2;
const INT_HASH = 3;
const INT_MIN = 4; // 4..11: the running minimums of hashes 4j..4j+3

/** `integerMinHash(valuesEnd)`: the 32 minimum hashes of the int32 values from INT_VALUES_AT to valuesEnd, at INT_SIGNATURE_AT. */
function integerMinHashBody(shift: number): number[] {
  const code: number[] = [
    ...vector([
      [...leb(1), I32],
      [...leb(2 + VECTORS), V128],
    ]),
  ];
  // every minimum starts at 0xffffffff
  for (let j = 0; j < VECTORS; j++) code.push(...i32(-1), ...simd(simdOp.i32x4Splat), ...set(INT_MIN + j));
  code.push(...i32(INT_VALUES_AT), ...set(INT_AT));
  const body: number[] = [...get(INT_AT), op.i32Load, ...memarg(2, 0), ...simd(simdOp.i32x4Splat), ...set(INT_VALUE)];
  for (let j = 0; j < VECTORS; j++) {
    body.push(...get(INT_MIN + j));
    body.push(...get(INT_VALUE), ...i32(0), ...simd(simdOp.v128Load), ...memarg(4, INT_SALTS_AT + 16 * j), ...simd(simdOp.v128Xor));
    body.push(...i32(0), ...simd(simdOp.v128Load), ...memarg(4, INT_MULTIPLIERS_AT + 16 * j), ...simd(simdOp.i32x4Mul));
    body.push(...tee(INT_HASH), ...get(INT_HASH), ...i32(shift), ...simd(simdOp.i32x4ShrU), ...simd(simdOp.v128Xor));
    body.push(...simd(simdOp.i32x4MinU), ...set(INT_MIN + j));
  }
  body.push(...get(INT_AT), ...i32(4), op.i32Add, ...set(INT_AT));
  code.push(...until([...get(INT_AT), ...get(INT_VALUES_END), op.i32GeU], body));
  for (let j = 0; j < VECTORS; j++) code.push(...i32(0), ...get(INT_MIN + j), ...simd(simdOp.v128Store), ...memarg(4, INT_SIGNATURE_AT + 16 * j));
  return [...code, op.end];
}

function integerMinHashModuleBytes(shift: number): Uint8Array {
  return singleFunctionModule('integerMinHash', 1, integerMinHashBody(shift));
}
