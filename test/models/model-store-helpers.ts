// Small hand-built model versions for the store's tests (no training): a manifest's caller fields and a few files.
import type { ManifestFields } from '../../models/manifest.js';

export const FEATURES = ['login_count', 'proposal_rate', 'bank_changes'];

export function manifestFields(features: readonly string[] = FEATURES): ManifestFields {
  return {
    created_at: '2026-11-23T10:15:00.000Z',
    tfjs_backend: 'cpu',
    seed: 7,
    training_data: { folder: '/data/demo', accounts: 3, tables: { accounts: { rows: 3 } } },
    features: features.map((name) => ({ name, unit: 'count', description: `${name} per account` })),
  };
}

export const MODEL_FILES = {
  'scaler.json': '{"centre":[1,2,3]}\n',
  'autoencoder/model.json': '{"modelTopology":{}}\n',
  'autoencoder/weights.bin': Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256),
};
