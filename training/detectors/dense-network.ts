// A dense ReLU network on Float32Arrays: seeded init, forward, backward and Adam for the autoencoder.
//
// Written by hand because tfjs on wasm trains this small network ~3x slower than plain typed arrays and costs
// ~100 µs per single-row predict; the weights are exported to tfjs layers format, and a test checks that tfjs
// computes the same outputs.
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

/** Forward pass of `rows` rows; returns every layer's activations (index 0 = input). */
export function forwardBatch(layers: readonly DenseLayer[], input: Float32Array, rows: number): Float32Array[] {
  const activations = [input];
  let current = input;
  for (const layer of layers) {
    const out = new Float32Array(rows * layer.outputs);
    const { inputs, outputs, kernel, bias } = layer;
    for (let r = 0; r < rows; r++) {
      const o = r * outputs;
      for (let j = 0; j < outputs; j++) out[o + j] = bias[j] as number;
      for (let i = 0; i < inputs; i++) {
        const x = current[r * inputs + i] as number;
        if (x === 0) continue;
        const w = i * outputs;
        for (let j = 0; j < outputs; j++) out[o + j] = (out[o + j] as number) + x * (kernel[w + j] as number);
      }
      if (layer.isRelu) for (let j = 0; j < outputs; j++) if ((out[o + j] as number) < 0) out[o + j] = 0;
    }
    activations.push(out);
    current = out;
  }
  return activations;
}

/** Single-row forward into preallocated buffers (serving's microsecond path). */
export function createRowForward(layers: readonly DenseLayer[]): (input: Float64Array | Float32Array) => Float32Array {
  const buffers = layers.map((l) => new Float32Array(l.outputs));
  return (input) => {
    let current: Float64Array | Float32Array = input;
    layers.forEach((layer, l) => {
      const out = buffers[l] as Float32Array;
      const { inputs, outputs, kernel, bias } = layer;
      out.set(bias);
      for (let i = 0; i < inputs; i++) {
        const x = current[i] as number;
        if (x === 0) continue;
        const w = i * outputs;
        for (let j = 0; j < outputs; j++) out[j] = (out[j] as number) + x * (kernel[w + j] as number);
      }
      if (layer.isRelu) for (let j = 0; j < outputs; j++) if ((out[j] as number) < 0) out[j] = 0;
      current = out;
    });
    return current as Float32Array;
  };
}

export interface AdamState {
  step: number;
  readonly m: Float32Array[];
  readonly v: Float32Array[];
}

export function createAdamState(layers: readonly DenseLayer[]): AdamState {
  const shapes = layers.flatMap((l) => [l.kernel.length, l.bias.length]);
  return { step: 0, m: shapes.map((s) => new Float32Array(s)), v: shapes.map((s) => new Float32Array(s)) };
}

/** One Adam step on a batch with mean squared reconstruction loss; returns the batch loss. */
export function trainBatch(layers: DenseLayer[], adam: AdamState, batch: Float32Array, rows: number, learningRate: number): number {
  const activations = forwardBatch(layers, batch, rows);
  const output = activations[activations.length - 1] as Float32Array;
  const d = layers[layers.length - 1]?.outputs as number;
  let delta = new Float32Array(rows * d);
  let loss = 0;
  const norm = 2 / (rows * d);
  for (let k = 0; k < output.length; k++) {
    const diff = (output[k] as number) - (batch[k] as number);
    loss += diff * diff;
    delta[k] = diff * norm;
  }
  loss /= rows * d;
  adam.step++;
  const beta1 = 0.9;
  const beta2 = 0.999;
  const correction1 = 1 - beta1 ** adam.step;
  const correction2 = 1 - beta2 ** adam.step;
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l] as DenseLayer;
    const input = activations[l] as Float32Array;
    const { inputs, outputs, kernel, bias } = layer;
    const gradKernel = new Float32Array(inputs * outputs);
    const gradBias = new Float32Array(outputs);
    const previousDelta = l > 0 ? new Float32Array(rows * inputs) : null;
    for (let r = 0; r < rows; r++) {
      const dOff = r * outputs;
      for (let j = 0; j < outputs; j++) gradBias[j] = (gradBias[j] as number) + (delta[dOff + j] as number);
      for (let i = 0; i < inputs; i++) {
        const x = input[r * inputs + i] as number;
        const w = i * outputs;
        let back = 0;
        for (let j = 0; j < outputs; j++) {
          const g = delta[dOff + j] as number;
          gradKernel[w + j] = (gradKernel[w + j] as number) + x * g;
          back += (kernel[w + j] as number) * g;
        }
        // ReLU derivative of the layer below: its activation is this layer's input
        if (previousDelta) previousDelta[r * inputs + i] = x > 0 ? back : 0;
      }
    }
    const update = (params: Float32Array, grads: Float32Array, slot: number) => {
      const m = adam.m[slot] as Float32Array;
      const v = adam.v[slot] as Float32Array;
      for (let k = 0; k < params.length; k++) {
        const g = grads[k] as number;
        m[k] = beta1 * (m[k] as number) + (1 - beta1) * g;
        v[k] = beta2 * (v[k] as number) + (1 - beta2) * g * g;
        params[k] = (params[k] as number) - (learningRate * ((m[k] as number) / correction1)) / (Math.sqrt((v[k] as number) / correction2) + 1e-7);
      }
    };
    update(kernel, gradKernel, l * 2);
    update(bias, gradBias, l * 2 + 1);
    if (previousDelta) delta = previousDelta;
  }
  return loss;
}
