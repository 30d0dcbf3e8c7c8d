// HMAC-SHA256 (RFC 2104 over FIPS 180-4) and SHA-256 of short strings, as hex: what createHmac('sha256', key)
// .update(message).digest('hex') and createHash give, several times cheaper for the identifier hashes of every scored
// account (issue 21).
//
// Node's Hmac object costs microseconds of set-up and native calls per identifier, against well under one for the
// two SHA-256 compressions a short identifier needs once the key's two padded blocks are hashed: those two states
// are computed once per key and kept, the rest is 32-bit arithmetic here. test/training/identity/hmac-sha256.test.ts
// checks it against createHmac over keys and messages of every length class, non-ASCII and lone surrogates included.
import { createHash } from 'node:crypto';

const BLOCK_BYTES = 64;
/** FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes */
const ROUND_CONSTANTS = Int32Array.of(
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
);
/** section 5.3.3: the initial hash value */
const INITIAL_STATE = Int32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);

/** The message schedule, reused by every compression (hashing is synchronous). */
const schedule = new Int32Array(64);

/** One SHA-256 compression of the 64-byte block at bytes[at, at + 64) into `state` (section 6.2.2). */
function compress(state: Int32Array, bytes: Uint8Array, at: number): void {
  const w = schedule;
  for (let t = 0; t < 16; t++) {
    const i = at + 4 * t;
    w[t] = ((bytes[i] as number) << 24) | ((bytes[i + 1] as number) << 16) | ((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number);
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15] as number;
    const y = w[t - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let t = 0; t < 64; t++) {
    const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const choice = (e & f) ^ (~e & g);
    const t1 = (h + sum1 + choice + (ROUND_CONSTANTS[t] as number) + (w[t] as number)) | 0;
    const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const majority = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (sum0 + majority) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** The states after the key's inner (ipad) and outer (opad) blocks: all of HMAC that depends on the key alone. */
interface KeyStates {
  readonly key: string;
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

function keyStates(key: string): KeyStates {
  let keyBytes: Uint8Array = Buffer.from(key, 'utf8');
  if (keyBytes.length > BLOCK_BYTES) keyBytes = createHash('sha256').update(keyBytes).digest();
  const block = new Uint8Array(BLOCK_BYTES);
  const stateAfter = (pad: number) => {
    for (let i = 0; i < BLOCK_BYTES; i++) block[i] = (keyBytes[i] ?? 0) ^ pad;
    const state = INITIAL_STATE.slice();
    compress(state, block, 0);
    return state;
  };
  return { key, inner: stateAfter(0x36), outer: stateAfter(0x5c) };
}

/** The last key's states: a process hashes under one deployment secret. */
let lastKey: KeyStates | null = null;
const encoder = new TextEncoder();
/** The message's UTF-8 bytes and padding (grown when a message needs more). */
let message = new Uint8Array(4 * BLOCK_BYTES);
const state = new Int32Array(8);
const outerBlock = new Uint8Array(BLOCK_BYTES);
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** SHA-256 of (`prefixBytes` bytes already compressed into the state `from`) then the UTF-8 of `text`, into `state`. */
function hashText(from: Int32Array, prefixBytes: number, text: string): void {
  // at most 3 UTF-8 bytes per UTF-16 unit, then the 0x80 byte and the 8-byte length, in whole blocks
  const room = Math.ceil((3 * text.length + 9) / BLOCK_BYTES) * BLOCK_BYTES;
  if (message.length < room) message = new Uint8Array(2 * room);
  const { read, written } = encoder.encodeInto(text, message);
  if (read !== text.length) throw new Error(`text of ${text.length} characters encoded only up to ${read}`);
  const end = Math.ceil((written + 9) / BLOCK_BYTES) * BLOCK_BYTES;
  message[written] = 0x80;
  message.fill(0, written + 1, end - 4);
  writeBitLength(message, end, prefixBytes + written);
  state.set(from);
  for (let at = 0; at < end; at += BLOCK_BYTES) compress(state, message, at);
}

function checkDigestBytes(bytes: number): void {
  if (!(Number.isInteger(bytes) && bytes >= 1 && bytes <= 32)) throw new RangeError(`expected 1 to 32 bytes of the digest, got ${bytes}`);
}

/** The first `bytes` bytes of the state's digest as lower-case hex. */
function stateHex(bytes: number): string {
  let hex = '';
  for (let i = 0; i < bytes; i++) hex += HEX[((state[i >> 2] as number) >>> (24 - 8 * (i & 3))) & 0xff] as string;
  return hex;
}

/**
 * The first `bytes` (1-32) bytes of SHA-256(text) as lower-case hex, text read as UTF-8 (a lone surrogate as
 * U+FFFD): createHash('sha256').update(text).digest('hex').slice(0, 2 * bytes).
 */
export function sha256Hex(text: string, bytes: number): string {
  checkDigestBytes(bytes);
  hashText(INITIAL_STATE, 0, text);
  return stateHex(bytes);
}

/**
 * The first `bytes` (1-32) bytes of HMAC-SHA256(key, text) as lower-case hex, key and text read as UTF-8 (a lone
 * surrogate as U+FFFD): createHmac('sha256', key).update(text).digest('hex').slice(0, 2 * bytes).
 */
export function hmacSha256Hex(key: string, text: string, bytes: number): string {
  checkDigestBytes(bytes);
  if (lastKey === null || lastKey.key !== key) lastKey = keyStates(key);
  hashText(lastKey.inner, BLOCK_BYTES, text);
  // the outer hash: the inner digest (32 bytes) after the key's outer block
  for (let i = 0; i < 8; i++) {
    const word = state[i] as number;
    outerBlock[4 * i] = word >>> 24;
    outerBlock[4 * i + 1] = word >>> 16;
    outerBlock[4 * i + 2] = word >>> 8;
    outerBlock[4 * i + 3] = word;
  }
  outerBlock[32] = 0x80;
  outerBlock.fill(0, 33, BLOCK_BYTES - 4);
  writeBitLength(outerBlock, BLOCK_BYTES, BLOCK_BYTES + 32);
  state.set(lastKey.outer);
  compress(state, outerBlock, 0);
  return stateHex(bytes);
}

/** The message length in bits as the 8 big-endian bytes before `end`. */
function writeBitLength(bytes: Uint8Array, end: number, byteLength: number): void {
  const bits = byteLength * 8;
  const high = Math.floor(bits / 0x1_0000_0000);
  for (let i = 0; i < 4; i++) {
    bytes[end - 8 + i] = high >>> (24 - 8 * i);
    bytes[end - 4 + i] = bits >>> (24 - 8 * i);
  }
}
