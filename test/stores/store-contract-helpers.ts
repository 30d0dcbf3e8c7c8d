// Shared by the store contract tests and their child processes.
import type { StoreIdentity } from '../../stores/key-value-store.js';

export const TEST_STORE_IDENTITY: StoreIdentity = { kind: 'test-store', format_version: 1, secret_fingerprint: 'fp-test-1' };
