// tfjs build / fit / score; per-feature reconstruction error → models/tfjs-file-io
//
// Training and scoring run on typed arrays (dense-network.ts); the fitted weights are saved as a real tfjs
// LayersModel (model.json + weights.bin) that any tfjs runtime loads, and restored through tfjs the same way.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { createSeededRandom } from '../../data/seeded-random.js';
import { artifactsToFiles, filesToArtifacts } from '../../models/tfjs-file-io.js';
import {
  assertFinite,
  assertFiniteRow,
  assertSameFeatures,
  checkArtifactHeader,
  type DetectorArtifact,
  type DetectorSpec,
  type FittedDetector,
  namedContributions,
  type RowExplanation,
} from './detector.js';
import { createDenseNetwork, createForward, createNetworkTrainer, type DenseLayer } from './dense-network.js';
import { chooseTfjsBackend } from './tfjs-backend.js';

export const AutoencoderParamsSchema = z.strictObject({
  hidden_units: z.number().int().min(0).default(0).describe('outer hidden layer width; 0 = 2 × features, between 8 and 64'),
  bottleneck_units: z.number().int().min(0).default(0).describe('bottleneck width; 0 = features / 4, at least 2'),
  epochs: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(150)
    .describe('at most; early stopping ends training sooner (40 was too few for small tables, one or two batches an epoch)'),
  batch_size: z.number().int().min(8).default(256),
  learning_rate: z.number().positive().default(0.002),
  validation_share: z.number().min(0.02).max(0.5).default(0.1),
  patience: z.number().int().min(1).default(4).describe('epochs without validation improvement before stopping'),
  input_clip: z.number().positive().default(10).describe('scaled inputs are clipped to ±this, so one extreme value cannot dominate training'),
  max_training_rows: z.number().int().min(100).default(200_000).describe('rows sampled for training on large inputs'),
});
export type AutoencoderParams = z.infer<typeof AutoencoderParamsSchema>;

export const AutoencoderStateSchema = z.object({
  layer_sizes: z.array(z.number().int().positive()),
  epochs_run: z.number().int(),
  best_validation_loss: z.number(),
  loss_history: z.array(z.object({ epoch: z.number().int(), loss: z.number(), validation_loss: z.number() })),
  feature_error_scale: z
    .array(z.number().positive())
    .describe("per-feature mean squared reconstruction error on training rows; a row's error is measured in these units"),
  tfjs_backend: z.string(),
});
export type AutoencoderState = z.infer<typeof AutoencoderStateSchema>;

function layerSizes(d: number, params: AutoencoderParams): number[] {
  const hidden = params.hidden_units || Math.max(8, Math.min(64, 2 * d));
  const bottleneck = params.bottleneck_units || Math.max(2, Math.round(d / 4));
  return [d, hidden, bottleneck, hidden, d];
}

function clippedInput(values: Float64Array, clip: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let k = 0; k < values.length; k++) out[k] = Math.max(-clip, Math.min(clip, values[k] as number));
  return out;
}

/** A tfjs LayersModel holding these weights (the saved format, and the fast path for large batches). */
function toTfjsModel(layers: readonly DenseLayer[]): tf.LayersModel {
  const model = tf.sequential();
  layers.forEach((layer, l) =>
    model.add(
      tf.layers.dense({
        ...(l === 0 ? { inputShape: [layer.inputs] } : {}),
        units: layer.outputs,
        activation: layer.isRelu ? 'relu' : 'linear',
        name: `dense_${l}`,
      }),
    ),
  );
  const tensors = layers.flatMap((layer) => [tf.tensor2d(layer.kernel, [layer.inputs, layer.outputs]), tf.tensor1d(layer.bias)]);
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  return model;
}

async function layersToTfjsFiles(layers: readonly DenseLayer[]): Promise<Record<string, Uint8Array>> {
  const model = toTfjsModel(layers);
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  if (!saved) throw new Error('tfjs did not hand over the model artifacts');
  return artifactsToFiles(saved);
}

/** Loads model.json + weights.bin with tfjs and reads the dense layers back as typed arrays. */
export async function tfjsFilesToLayers(files: Record<string, Uint8Array>): Promise<{ layers: DenseLayer[]; model: tf.LayersModel }> {
  const model = await tf.loadLayersModel(tf.io.fromMemory(filesToArtifacts(files)));
  const layers: DenseLayer[] = [];
  for (const layer of model.layers) {
    const [kernel, bias] = layer.getWeights();
    if (!kernel || !bias) throw new Error(`autoencoder layer ${layer.name} has no kernel or bias`);
    const [inputs, outputs] = kernel.shape as [number, number];
    const activation = (layer.getConfig() as { activation?: string }).activation;
    layers.push({
      inputs,
      outputs,
      kernel: Float32Array.from(kernel.dataSync()),
      bias: Float32Array.from(bias.dataSync()),
      isRelu: activation === 'relu',
    });
  }
  return { layers, model };
}

/** Rows scored per forward pass: big enough to amortise the calls, small enough to stay in cache. */
const SCORING_CHUNK_ROWS = 512;
/**
 * Batches of at least this many rows go through tfjs when it runs on wasm (SIMD) or native: ~4x the typed-array
 * throughput. Its float32 sums differ from the row path by rounding only (a test bounds it); accounts are always
 * scored one at a time on the row path, so a risk score never depends on what else is scored with it.
 */
export const TFJS_BATCH_MIN_ROWS = 4096;
const TFJS_CHUNK_ROWS = 16_384;
const isTfjsAccelerated = () => tf.getBackend() === 'wasm' || tf.getBackend() === 'tensorflow';

function createFittedAutoencoder(
  featureNames: readonly string[],
  params: AutoencoderParams,
  state: AutoencoderState,
  layers: DenseLayer[],
): FittedDetector<AutoencoderState> {
  const d = featureNames.length;
  const forward = createForward(layers, SCORING_CHUNK_ROWS);
  const clipped = new Float32Array(SCORING_CHUNK_ROWS * d);
  // each feature's error relative to its typical training error: noisy features must not drown the others
  const inverseScale = Float64Array.from(state.feature_error_scale, (s) => 1 / s);
  const inverseScale32 = Float32Array.from(inverseScale);
  const clip = params.input_clip;
  /** Reconstructs rows [first, first + rows) of `values`; the clipped inputs stay in `clipped`. */
  const reconstruct = (values: Float64Array, first: number, rows: number): Float32Array => {
    const offset = first * d;
    for (let k = 0; k < rows * d; k++) {
      const v = values[offset + k] as number;
      clipped[k] = v > clip ? clip : v < -clip ? -clip : v;
    }
    return forward(clipped, rows);
  };
  /** Mean scaled squared error of each reconstructed row into scores[first + r]. */
  const addRowErrors = (out: ArrayLike<number>, input: Float32Array, rows: number, scores: Float64Array, first: number) => {
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0, k = r * d; j < d; j++, k++) sum += ((out[k] as number) - (input[k] as number)) ** 2 * (inverseScale[j] as number);
      scores[first + r] = sum / d;
    }
  };
  let tfjsModel: tf.LayersModel | null = null;
  const explainRow = (row: Float64Array): RowExplanation => {
    assertFiniteRow(featureNames, row, 'autoencoder detector');
    // the score as addRowErrors sums it, each term kept as the feature's part
    const out = reconstruct(row, 0, 1);
    const parts = new Float64Array(d);
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const error = ((out[j] as number) - (clipped[j] as number)) ** 2 * (inverseScale[j] as number);
      sum += error;
      parts[j] = error / d;
    }
    return { score: sum / d, contributions: parts };
  };
  return {
    kind: 'autoencoder',
    params,
    featureNames,
    state,
    anomalyScores(matrix) {
      assertSameFeatures(featureNames, matrix.featureNames, 'autoencoder detector');
      assertFinite(matrix, 'autoencoder detector');
      const scores = new Float64Array(matrix.rowCount);
      if (matrix.rowCount >= TFJS_BATCH_MIN_ROWS && isTfjsAccelerated()) {
        tfjsModel ??= toTfjsModel(layers);
        const model = tfjsModel;
        const chunk = new Float32Array(Math.min(TFJS_CHUNK_ROWS, matrix.rowCount) * d);
        for (let first = 0; first < matrix.rowCount; first += TFJS_CHUNK_ROWS) {
          const rows = Math.min(TFJS_CHUNK_ROWS, matrix.rowCount - first);
          const input = chunk.subarray(0, rows * d);
          for (let k = 0, offset = first * d; k < rows * d; k++) {
            const v = matrix.values[offset + k] as number;
            input[k] = v > clip ? clip : v < -clip ? -clip : v;
          }
          // the errors are reduced in tfjs too: reading back one score per row, not the whole reconstruction
          const rowScores = tf.tidy(() => {
            const x = tf.tensor2d(input, [rows, d]);
            const reconstruction = model.predict(x, { batchSize: rows }) as tf.Tensor;
            return tf.mean(tf.mul(tf.squaredDifference(reconstruction, x), tf.tensor1d(inverseScale32)), 1).dataSync();
          });
          scores.set(rowScores, first);
        }
        return scores;
      }
      for (let first = 0; first < matrix.rowCount; first += SCORING_CHUNK_ROWS) {
        const rows = Math.min(SCORING_CHUNK_ROWS, matrix.rowCount - first);
        addRowErrors(reconstruct(matrix.values, first, rows), clipped, rows, scores, first);
      }
      return scores;
    },
    explainRow,
    featureContributions: (row) => namedContributions(featureNames, explainRow(row)),
    async toArtifact(): Promise<DetectorArtifact> {
      return { kind: 'autoencoder', format_version: 1, feature_names: [...featureNames], params, state, files: await layersToTfjsFiles(layers) };
    },
    dispose() {
      tfjsModel?.dispose();
      tfjsModel = null;
    },
  };
}

export const autoencoderDetectorSpec: DetectorSpec<AutoencoderParams, AutoencoderState> = {
  kind: 'autoencoder',
  formatVersion: 1,
  paramsSchema: AutoencoderParamsSchema,
  async fit(matrix, rawParams, options) {
    const params = AutoencoderParamsSchema.parse(rawParams);
    assertFinite(matrix, 'autoencoder detector');
    if (matrix.rowCount < 20) throw new RangeError(`autoencoder detector needs at least 20 rows, got ${matrix.rowCount}`);
    const backend = await chooseTfjsBackend();
    const d = matrix.featureNames.length;
    const random = createSeededRandom(options.seed).fork('autoencoder');
    const order = random.shuffle(Array.from({ length: matrix.rowCount }, (_, i) => i)).slice(0, params.max_training_rows);
    const validationCount = Math.max(1, Math.round(order.length * params.validation_share));
    const toRows = (indices: number[]) => {
      const values = new Float64Array(indices.length * d);
      indices.forEach((row, r) => values.set(matrix.values.subarray(row * d, (row + 1) * d), r * d));
      return clippedInput(values, params.input_clip);
    };
    const validation = toRows(order.slice(0, validationCount));
    const trainIndices = order.slice(validationCount);
    const train = toRows(trainIndices);
    const trainRows = trainIndices.length;
    let layers = createDenseNetwork(layerSizes(d, params), options.seed);
    const trainer = createNetworkTrainer(layers, params.batch_size);
    const validationForward = createForward(layers, Math.min(validationCount, 4096));
    const snapshot = (source: DenseLayer[]) => source.map((l) => ({ ...l, kernel: Float32Array.from(l.kernel), bias: Float32Array.from(l.bias) }));
    const validationLoss = () => {
      let sum = 0;
      for (let first = 0; first < validationCount; first += 4096) {
        const rows = Math.min(4096, validationCount - first);
        const slice = validation.subarray(first * d, (first + rows) * d);
        const out = validationForward(slice, rows);
        for (let k = 0; k < rows * d; k++) sum += ((out[k] as number) - (slice[k] as number)) ** 2;
      }
      return sum / (validationCount * d);
    };
    let best = { loss: Infinity, layers: snapshot(layers), epoch: 0 };
    const history: AutoencoderState['loss_history'] = [];
    const batch = new Float32Array(params.batch_size * d);
    const permutation = Array.from({ length: trainRows }, (_, i) => i);
    let epoch = 0;
    for (epoch = 1; epoch <= params.epochs; epoch++) {
      random.shuffle(permutation);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < trainRows; start += params.batch_size) {
        const rows = Math.min(params.batch_size, trainRows - start);
        for (let r = 0; r < rows; r++)
          batch.set(train.subarray((permutation[start + r] as number) * d, ((permutation[start + r] as number) + 1) * d), r * d);
        lossSum += trainer.step(batch, rows, params.learning_rate);
        batches++;
      }
      const loss = lossSum / batches;
      const validation_loss = validationLoss();
      history.push({ epoch, loss, validation_loss });
      options.onProgress?.({
        step: 'autoencoder',
        done: epoch,
        total: params.epochs,
        detail: `loss ${loss.toFixed(4)} val ${validation_loss.toFixed(4)}`,
      });
      if (validation_loss < best.loss - 1e-6) best = { loss: validation_loss, layers: snapshot(layers), epoch };
      else if (epoch - best.epoch >= params.patience) break;
    }
    layers = best.layers;
    const partial = createFittedAutoencoder(
      matrix.featureNames,
      params,
      {
        layer_sizes: layerSizes(d, params),
        epochs_run: Math.min(epoch, params.epochs),
        best_validation_loss: best.loss,
        loss_history: history,
        feature_error_scale: new Array<number>(d).fill(1),
        tfjs_backend: backend.backend,
      },
      layers,
    );
    // per-feature typical error, so reasons can say "k times its usual reconstruction error"
    const sampleRows = Math.min(matrix.rowCount, 5000);
    const perFeature: number[][] = Array.from({ length: d }, () => []);
    for (let i = 0; i < sampleRows; i++) {
      partial
        .featureContributions(matrix.values.subarray(i * d, (i + 1) * d))
        .forEach((c, j) => (perFeature[j] as number[]).push(c.contribution * d));
    }
    const featureErrorScale = perFeature.map((errors) => Math.max(1e-4, errors.reduce((a, b) => a + b, 0) / errors.length));
    const state: AutoencoderState = { ...partial.state, feature_error_scale: featureErrorScale };
    const detector = createFittedAutoencoder(matrix.featureNames, params, state, layers);
    return { detector, trainingScores: detector.anomalyScores(matrix) };
  },
  async restore(artifact) {
    checkArtifactHeader(artifact, 'autoencoder', 1);
    const params = AutoencoderParamsSchema.parse(artifact.params);
    const state = AutoencoderStateSchema.parse(artifact.state);
    await chooseTfjsBackend();
    const { layers, model } = await tfjsFilesToLayers(artifact.files);
    model.dispose();
    if (layers[0]?.inputs !== artifact.feature_names.length)
      throw new RangeError(`autoencoder artifact takes ${layers[0]?.inputs} inputs but names ${artifact.feature_names.length} features`);
    return createFittedAutoencoder(artifact.feature_names, params, state, layers);
  },
};
