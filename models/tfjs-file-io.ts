// tf.io handlers writing and reading model.json + weights.bin as bytes (no tfjs-node, no file:// handler needed)
import type { io } from '@tensorflow/tfjs';

export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/** Joins tfjs weight data, which newer versions may return as several buffers. */
export function joinWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out;
}

/** model.json and weights.bin bytes from saved model artifacts (the tfjs-node file layout). */
export function artifactsToFiles(artifacts: io.ModelArtifacts): Record<string, Uint8Array> {
  if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error('tfjs model artifacts have no weights');
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
  };
  return {
    [TFJS_MODEL_FILE]: new TextEncoder().encode(JSON.stringify(modelJson)),
    [TFJS_WEIGHTS_FILE]: joinWeightData(artifacts.weightData as ArrayBuffer | ArrayBuffer[]),
  };
}

/** Model artifacts from model.json + weights.bin bytes; names a missing weight file like tfjs-node does. */
export function filesToArtifacts(files: Record<string, Uint8Array>): io.ModelArtifacts {
  const modelBytes = files[TFJS_MODEL_FILE];
  if (!modelBytes) throw new Error(`${TFJS_MODEL_FILE} is missing`);
  const modelJson = JSON.parse(new TextDecoder().decode(modelBytes)) as {
    modelTopology: object;
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
    weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  };
  const parts: Uint8Array[] = [];
  const specs: io.WeightsManifestEntry[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const weightPath of group.paths) {
      const bytes = files[weightPath];
      if (!bytes) throw new Error(`Weight file ${weightPath} does not exist`);
      parts.push(bytes);
    }
    specs.push(...group.weights);
  }
  const weightData = joinWeightData(parts.map((p) => p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength) as ArrayBuffer));
  return {
    modelTopology: modelJson.modelTopology,
    weightSpecs: specs,
    weightData: weightData.buffer as ArrayBuffer,
    ...(modelJson.format ? { format: modelJson.format } : {}),
    ...(modelJson.generatedBy ? { generatedBy: modelJson.generatedBy } : {}),
  };
}
