// The MinHash inner loop of text-signature.ts as a WebAssembly SIMD function: for each shingle value v, the 32 hashes
// h = v * multiplier[k] (32-bit), h ^ (h >>> 13), kept as eight 4-lane vectors (i32x4 multiply, shift, xor and unsigned
// minimum). About 5x faster than the scalar JavaScript loop over the 60 texts of a realistic account (issue 21).
//
// The module is assembled below from its instructions, so there is no build step and no binary file to trust: every
// byte is written out here. A runtime without WebAssembly SIMD gets null, and text-signature.ts keeps its scalar
// loop for it; both paths are tested against the definition (test/training/features/text-signature.test.ts).

const SIGNATURE_SIZE = 32;
const LANES = 4;
const VECTORS = SIGNATURE_SIZE / LANES;

// memory layout (bytes): the multipliers, the signature computed last, then the shingle values of the text at hand
const MULTIPLIERS_AT = 0;
const SIGNATURE_AT = MULTIPLIERS_AT + 4 * SIGNATURE_SIZE;
const VALUES_AT = SIGNATURE_AT + 4 * SIGNATURE_SIZE;
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
  /** Where the caller writes the shingle values, from index 0; replaced by `reserve` when the memory grows. */
  readonly values: Int32Array;
  /** Makes room for `count` shingle values. */
  reserve(count: number): void;
  /** Writes the 32 minimum hashes over the first `count` (at least 1) values into out[at, at + 32). */
  writeSignature(count: number, out: Uint32Array, at: number): void;
}

/** The kernel over these 32 multipliers, or null where WebAssembly SIMD is not available. */
export function createMinHashKernel(multipliers: Int32Array): MinHashKernel | null {
  if (multipliers.length !== SIGNATURE_SIZE) throw new Error(`expected ${SIGNATURE_SIZE} multipliers, got ${multipliers.length}`);
  const bytes = minHashModuleBytes();
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const memory = instance.exports['memory'] as WasmMemory;
  const minHash = instance.exports['minHash'] as (count: number) => void;
  let values = new Int32Array(memory.buffer, VALUES_AT);
  let signature = new Uint32Array(memory.buffer, SIGNATURE_AT, SIGNATURE_SIZE);
  new Int32Array(memory.buffer, MULTIPLIERS_AT, SIGNATURE_SIZE).set(multipliers);
  return {
    get values() {
      return values;
    },
    reserve(count) {
      if (count <= values.length) return;
      memory.grow(Math.ceil((VALUES_AT + 4 * count - memory.buffer.byteLength) / PAGE_BYTES));
      // growing detaches the old views
      values = new Int32Array(memory.buffer, VALUES_AT);
      signature = new Uint32Array(memory.buffer, SIGNATURE_AT, SIGNATURE_SIZE);
    },
    writeSignature(count, out, at) {
      if (!(count >= 1 && count <= values.length)) throw new RangeError(`shingle count ${count} outside 1..${values.length}`);
      minHash(count);
      out.set(signature, at);
    },
  };
}

// --- the module, instruction by instruction (WebAssembly binary format 1.0 with the fixed-width SIMD proposal) ---

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  void: 0x40,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Shl: 0x74,
} as const;
const simdOp = { v128Load: 0, v128Store: 11, i32x4Splat: 17, v128Xor: 81, i32x4ShrU: 173, i32x4Mul: 181, i32x4MinU: 183 } as const;

/** Unsigned LEB128, the format's integer encoding (also right for the small non-negative i32 constants used here). */
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

const simd = (code: number) => [0xfd, ...leb(code)];
/** alignment as log2 of bytes, then the constant offset */
const memarg = (alignLog2: number, offset: number) => [alignLog2, ...leb(offset)];
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
const name = (text: string) => vector([...text].map((c) => [c.charCodeAt(0)]));

/**
 * `minHash(count)`: reads `count` int32 shingle values at VALUES_AT and writes, at SIGNATURE_AT, for each k the
 * unsigned minimum over them of h ^ (h >>> 13) with h = value * multiplier[k]: the definition in text-signature.ts.
 * Locals: 0 count (the parameter), 1 the byte offset of the value at hand, 2 the end offset, 3 the value in every
 * lane, 4 the hashes at hand, 5-12 the running minimums of hashes 4j..4j+3.
 */
function minHashBody(): number[] {
  const [COUNT, AT, END, VALUE, HASH, MIN] = [0, 1, 2, 3, 4, 5];
  const get = (local: number) => [op.localGet, local];
  const set = (local: number) => [op.localSet, local];
  const code: number[] = [];
  code.push(...get(COUNT), op.i32Const, 2, op.i32Shl, ...set(END)); // end = count * 4
  // every minimum starts at 0xffffffff (i32.const -1 is the single byte 0x7f in signed LEB128)
  for (let j = 0; j < VECTORS; j++) code.push(op.i32Const, 0x7f, ...simd(simdOp.i32x4Splat), ...set(MIN + j));
  code.push(op.loop, op.void);
  code.push(...get(AT), op.i32Load, ...memarg(2, VALUES_AT), ...simd(simdOp.i32x4Splat), ...set(VALUE));
  for (let j = 0; j < VECTORS; j++) {
    code.push(...get(MIN + j));
    code.push(...get(VALUE), op.i32Const, 0, ...simd(simdOp.v128Load), ...memarg(4, MULTIPLIERS_AT + 16 * j), ...simd(simdOp.i32x4Mul));
    code.push(op.localTee, HASH, ...get(HASH), op.i32Const, 13, ...simd(simdOp.i32x4ShrU), ...simd(simdOp.v128Xor));
    code.push(...simd(simdOp.i32x4MinU), ...set(MIN + j));
  }
  // at += 4; repeat while at < end (count >= 1: the loop body runs first)
  code.push(...get(AT), op.i32Const, 4, op.i32Add, op.localTee, AT, ...get(END), op.i32LtU, op.brIf, 0);
  code.push(op.end);
  for (let j = 0; j < VECTORS; j++) code.push(op.i32Const, 0, ...get(MIN + j), ...simd(simdOp.v128Store), ...memarg(4, SIGNATURE_AT + 16 * j));
  code.push(op.end);
  const locals = vector([
    [...leb(2), I32],
    [...leb(2 + VECTORS), V128],
  ]);
  return [...locals, ...code];
}

function minHashModuleBytes(): Uint8Array {
  const body = minHashBody();
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vector([[0x60, ...vector([[I32]]), ...vector([])]])), // types: (i32) -> ()
    ...section(3, vector([leb(0)])), // functions: one, of type 0
    ...section(5, vector([[0x00, ...leb(1)]])), // memory: 1 page at first, no maximum
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, ...leb(0)],
        [...name('minHash'), 0x00, ...leb(0)],
      ]),
    ), // exports
    ...section(10, vector([[...leb(body.length), ...body]])), // code
  ]);
}
