// A dense ReLU network on Float32Arrays: seeded init, batched forward, backward and Adam for the autoencoder.
//
// Written by hand because tfjs on wasm trains this small network ~3x slower than plain typed arrays and costs
// ~100 µs per single-row predict; the weights are exported to tfjs layers format, and a test checks that tfjs
// computes the same outputs. The inner loops are generated per layer shape with the input row held in locals
// and the dot products unrolled (V8 runs these 2-3x faster than nested loops over typed arrays; the peers'
// baseline in ../shared/peers measured the same). Sums run in double precision and are stored as float32;
// every row goes through the same code whatever the batch size, so a row scores alike alone and in a batch.
import { createSeededRandom } from '../../data/seeded-random.js';

export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** row-major [inputs][outputs], as tfjs Dense kernels */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly isRelu: boolean;
}

export function createDenseNetwork(sizes: readonly number[], seed: number): DenseLayer[] {
  const random = createSeededRandom(seed);
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l] as number;
    const outputs = sizes[l + 1] as number;
    // Glorot uniform (tfjs Dense default), seeded
    const limit = Math.sqrt(6 / (inputs + outputs));
    const kernel = Float32Array.from({ length: inputs * outputs }, () => (random.next() * 2 - 1) * limit);
    layers.push({ inputs, outputs, kernel, bias: new Float32Array(outputs), isRelu: l + 2 < sizes.length });
  }
  return layers;
}

// ---- kernels generated per shape (numbers only go into the source; nothing from data or model files) ----

/** out[r, o] = act(b[o] + Σ_i in[r, i] · W[i, o]) */
type ForwardKernel = (input: Float32Array, kernel: Float32Array, bias: Float32Array, out: Float32Array, rows: number) => void;
/** gradIn[r, i] = [in[r, i] > 0] · Σ_o g[r, o] · W[i, o] (the ReLU derivative of the layer below) */
type InputGradientKernel = (input: Float32Array, grad: Float32Array, kernel: Float32Array, gradIn: Float32Array, rows: number) => void;
/** gradW[i, o] = Σ_r in[r, i] · g[r, o]; gradB[o] = Σ_r g[r, o] */
type WeightGradientKernel = (input: Float32Array, grad: Float32Array, gradKernel: Float32Array, gradBias: Float32Array, rows: number) => void;

/** Above this fan-in the unrolled source grows large for little gain; such layers use plain loops. */
const MAX_UNROLLED_INPUTS = 128;
const kernelCache = new Map<string, unknown>();

function compiled<T>(key: string, parameters: readonly string[], body: string): T {
  let kernel = kernelCache.get(key);
  if (!kernel) {
    // generated from layer sizes only (numbers), never from data or model files
    kernel = new Function(...parameters, `'use strict';\n${body}`);
    kernelCache.set(key, kernel);
  }
  return kernel as T;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function forwardKernel(ni: number, no: number, isRelu: boolean): ForwardKernel {
  const store = isRelu ? 'out[ro + o] = s > 0 ? s : 0;' : 'out[ro + o] = s;';
  if (ni > MAX_UNROLLED_INPUTS) {
    return compiled(
      `fwd-loop:${ni}:${no}:${isRelu}`,
      ['inp', 'W', 'b', 'out', 'm'],
      `
      for (let r = 0; r < m; r++) {
        const ri = r * ${ni}, ro = r * ${no};
        for (let o = 0; o < ${no}; o++) {
          let s = b[o];
          for (let i = 0; i < ${ni}; i++) s += inp[ri + i] * W[i * ${no} + o];
          ${store}
        }
      }`,
    );
  }
  return compiled(
    `fwd:${ni}:${no}:${isRelu}`,
    ['inp', 'W', 'b', 'out', 'm'],
    `
    for (let r = 0; r < m; r++) {
      const ri = r * ${ni}, ro = r * ${no};
      ${range(ni)
        .map((i) => `const x${i} = inp[ri + ${i}];`)
        .join(' ')}
      for (let o = 0; o < ${no}; o++) {
        const s = b[o] + ${range(ni)
          .map((i) => `x${i} * W[o + ${i * no}]`)
          .join(' + ')};
        ${store}
      }
    }`,
  );
}

function inputGradientKernel(ni: number, no: number): InputGradientKernel {
  if (no > MAX_UNROLLED_INPUTS) {
    return compiled(
      `bwd-in-loop:${ni}:${no}`,
      ['inp', 'g', 'W', 'gin', 'm'],
      `
      for (let r = 0; r < m; r++) {
        const ri = r * ${ni}, ro = r * ${no};
        for (let i = 0; i < ${ni}; i++) {
          if (inp[ri + i] > 0) { let s = 0; for (let o = 0; o < ${no}; o++) s += g[ro + o] * W[i * ${no} + o]; gin[ri + i] = s; }
          else gin[ri + i] = 0;
        }
      }`,
    );
  }
  return compiled(
    `bwd-in:${ni}:${no}`,
    ['inp', 'g', 'W', 'gin', 'm'],
    `
    for (let r = 0; r < m; r++) {
      const ri = r * ${ni}, ro = r * ${no};
      ${range(no)
        .map((o) => `const g${o} = g[ro + ${o}];`)
        .join(' ')}
      for (let i = 0, q = 0; i < ${ni}; i++, q += ${no}) {
        gin[ri + i] = inp[ri + i] > 0 ? ${range(no)
          .map((o) => `g${o} * W[q + ${o}]`)
          .join(' + ')} : 0;
      }
    }`,
  );
}

function weightGradientKernel(ni: number, no: number): WeightGradientKernel {
  // four output columns per pass over the rows, accumulators in registers; the last pass takes the remainder
  const groups = range(Math.ceil(no / 4)).map((k) => range(Math.min(4, no - 4 * k)).map((c) => 4 * k + c));
  return compiled(
    `bwd-w:${ni}:${no}`,
    ['inp', 'g', 'gW', 'gb', 'm'],
    `
    for (let o = 0; o < ${no}; o++) { let s = 0; for (let r = 0, p = o; r < m; r++, p += ${no}) s += g[p]; gb[o] = s; }
    for (let i = 0; i < ${ni}; i++) {
      ${groups
        .map(
          (columns) => `{
        ${columns.map((o) => `let s${o} = 0;`).join(' ')}
        for (let r = 0, pa = i, pg = 0; r < m; r++, pa += ${ni}, pg += ${no}) {
          const a = inp[pa];
          ${columns.map((o) => `s${o} += a * g[pg + ${o}];`).join(' ')}
        }
        ${columns.map((o) => `gW[i * ${no} + ${o}] = s${o};`).join(' ')}
      }`,
        )
        .join('\n')}
    }`,
  );
}

// ---- forward and training ----

/**
 * A forward pass over up to `maxRows` rows at a time into buffers it owns: the returned output is valid until the
 * next call. Row r of the output depends on row r of the input only.
 */
export function createForward(layers: readonly DenseLayer[], maxRows: number): (input: Float32Array, rows: number) => Float32Array {
  const kernels = layers.map((l) => forwardKernel(l.inputs, l.outputs, l.isRelu));
  const buffers = layers.map((l) => new Float32Array(maxRows * l.outputs));
  return (input, rows) => {
    if (rows > maxRows) throw new RangeError(`forward pass over ${rows} rows; this one holds at most ${maxRows}`);
    let current = input;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l] as DenseLayer;
      const out = buffers[l] as Float32Array;
      (kernels[l] as ForwardKernel)(current, layer.kernel, layer.bias, out, rows);
      current = out;
    }
    return current;
  };
}

export interface NetworkTrainer {
  /** One Adam step on `rows` rows of `batch` with mean squared reconstruction loss; returns the batch loss. */
  step(batch: Float32Array, rows: number, learningRate: number): number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

function adamUpdate(
  params: Float32Array,
  grads: Float32Array,
  m: Float32Array,
  v: Float32Array,
  learningRate: number,
  correction1: number,
  correction2: number,
): void {
  for (let k = 0; k < params.length; k++) {
    const g = grads[k] as number;
    const mk = BETA1 * (m[k] as number) + (1 - BETA1) * g;
    const vk = BETA2 * (v[k] as number) + (1 - BETA2) * g * g;
    m[k] = mk;
    v[k] = vk;
    params[k] = (params[k] as number) - (learningRate * (mk / correction1)) / (Math.sqrt(vk / correction2) + EPSILON);
  }
}

/** Trains `layers` in place (Adam, tfjs defaults) on batches of up to `maxRows` rows; all buffers are allocated once. */
export function createNetworkTrainer(layers: readonly DenseLayer[], maxRows: number): NetworkTrainer {
  const forward = layers.map((l) => forwardKernel(l.inputs, l.outputs, l.isRelu));
  const inputGradient = layers.map((l) => inputGradientKernel(l.inputs, l.outputs));
  const weightGradient = layers.map((l) => weightGradientKernel(l.inputs, l.outputs));
  const activations = layers.map((l) => new Float32Array(maxRows * l.outputs));
  const gradients = layers.map((l) => new Float32Array(maxRows * l.outputs));
  const gradKernels = layers.map((l) => new Float32Array(l.kernel.length));
  const gradBiases = layers.map((l) => new Float32Array(l.bias.length));
  const moments = layers.map((l) => ({
    mk: new Float32Array(l.kernel.length),
    vk: new Float32Array(l.kernel.length),
    mb: new Float32Array(l.outputs),
    vb: new Float32Array(l.outputs),
  }));
  const last = layers.length - 1;
  const d = (layers[last] as DenseLayer).outputs;
  let t = 0;
  return {
    step(batch, rows, learningRate) {
      if (rows > maxRows) throw new RangeError(`training batch of ${rows} rows; this trainer holds at most ${maxRows}`);
      let input = batch;
      for (let l = 0; l <= last; l++) {
        const layer = layers[l] as DenseLayer;
        (forward[l] as ForwardKernel)(input, layer.kernel, layer.bias, activations[l] as Float32Array, rows);
        input = activations[l] as Float32Array;
      }
      const output = activations[last] as Float32Array;
      const outputGradient = gradients[last] as Float32Array;
      const n = rows * d;
      const norm = 2 / n;
      let loss = 0;
      for (let k = 0; k < n; k++) {
        const diff = (output[k] as number) - (batch[k] as number);
        loss += diff * diff;
        outputGradient[k] = diff * norm;
      }
      for (let l = last; l >= 0; l--) {
        const below = l > 0 ? (activations[l - 1] as Float32Array) : batch;
        (weightGradient[l] as WeightGradientKernel)(
          below,
          gradients[l] as Float32Array,
          gradKernels[l] as Float32Array,
          gradBiases[l] as Float32Array,
          rows,
        );
        if (l > 0)
          (inputGradient[l] as InputGradientKernel)(
            below,
            gradients[l] as Float32Array,
            (layers[l] as DenseLayer).kernel,
            gradients[l - 1] as Float32Array,
            rows,
          );
      }
      t++;
      const correction1 = 1 - BETA1 ** t;
      const correction2 = 1 - BETA2 ** t;
      layers.forEach((layer, l) => {
        const moment = moments[l] as (typeof moments)[number];
        adamUpdate(layer.kernel, gradKernels[l] as Float32Array, moment.mk, moment.vk, learningRate, correction1, correction2);
        adamUpdate(layer.bias, gradBiases[l] as Float32Array, moment.mb, moment.vb, learningRate, correction1, correction2);
      });
      return loss / n;
    },
  };
}
