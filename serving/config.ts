// zod env schema → Config (port, model root/name, limits, keys, log level, workers); read once by the composition root
import os from 'node:os';
import { z } from 'zod';
import type { HashSecretSource } from '../models/hash-secret.js';

/** Worker processes: a count, or `auto` for one per core the process may use. */
const WorkersSchema = z
  .union([z.literal('auto'), z.coerce.number().int().min(1).max(256)], { error: 'expected an integer from 1 to 256, or auto' })
  .transform((value) => (value === 'auto' ? os.availableParallelism() : value));

/**
 * The default body limit per account of the batch limit. A realistic account, 150 events of which 60 proposals of
 * ~350 characters, is ~25 KB of JSON; 64 KiB leaves 2.5x room for longer histories, so the default batch of 100
 * accounts gets 6.25 MiB, where a fixed 2 MiB refused a batch of 100 such accounts (2.5 MB) with a 413.
 */
export const BODY_BYTES_PER_ACCOUNT = 64 * 1024;

export const ServeConfigSchema = z
  .object({
    models_root: z.string().min(1).describe('RINGFENCE_MODELS: model root folder'),
    model_name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
      .default('default')
      .describe('RINGFENCE_MODEL_NAME'),
    model_version: z.string().optional().describe('RINGFENCE_MODEL_VERSION (default: LATEST)'),
    host: z.string().default('127.0.0.1').describe('RINGFENCE_HOST'),
    port: z.coerce.number().int().min(0).max(65535).default(8080).describe('RINGFENCE_PORT'),
    keys_file: z.string().optional().describe('RINGFENCE_KEYS_FILE: API keys (hashes); without it the service only binds to loopback'),
    body_limit_bytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(640 * 2 ** 20)
      .optional()
      .describe('RINGFENCE_BODY_LIMIT_BYTES (default: 64 KiB per account of RINGFENCE_MAX_ACCOUNTS)'),
    max_accounts_per_request: z.coerce.number().int().min(1).max(10_000).default(100).describe('RINGFENCE_MAX_ACCOUNTS'),
    max_events_per_account: z.coerce.number().int().min(1).max(1_000_000).default(5000).describe('RINGFENCE_MAX_EVENTS'),
    rate_limit_per_minute: z.coerce
      .number()
      .int()
      .min(1)
      .default(6000)
      .describe('RINGFENCE_RATE_LIMIT: requests per minute per API key name (per client address without a key)'),
    auth_failures_per_minute: z.coerce
      .number()
      .int()
      .min(1)
      .default(30)
      .describe('RINGFENCE_AUTH_FAILURE_LIMIT: failed authentications per minute per client address before it is refused'),
    request_timeout_ms: z.coerce.number().int().min(100).default(10_000).describe('RINGFENCE_REQUEST_TIMEOUT_MS'),
    headers_timeout_ms: z.coerce.number().int().min(100).default(5_000).describe('RINGFENCE_HEADERS_TIMEOUT_MS'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('RINGFENCE_LOG_LEVEL'),
    hash_secret: z
      .string()
      .optional()
      .describe("RINGFENCE_HASH_SECRET: the deployment's identifier hashing secret (default: the secret file of the models root)"),
    hash_secret_file: z.string().optional().describe('RINGFENCE_HASH_SECRET_FILE: a file holding that secret instead (mode 0600 or stricter)'),
    retention_days: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .describe('RINGFENCE_RETENTION_DAYS: live accounts created longer ago than this leave the identity state (default: kept)'),
    identity_store: z
      .string()
      .min(1)
      .optional()
      .describe(
        'RINGFENCE_IDENTITY_STORE: the live identity store, a directory (LMDB) or redis://host:port/db (default <models root>/<name>/identity-store)',
      ),
    decision_store: z
      .string()
      .min(1)
      .optional()
      .describe(
        "RINGFENCE_DECISION_STORE: analysts' decisions, a directory (LMDB) or redis://host:port/db (default beside the identity store: the same Redis database, or <models root>/<name>/decision-store)",
      ),
    workers: WorkersSchema.default(1).describe('RINGFENCE_WORKERS: processes serving the port (1 = this process alone; auto = one per core)'),
  })
  .transform((config) => ({ ...config, body_limit_bytes: config.body_limit_bytes ?? config.max_accounts_per_request * BODY_BYTES_PER_ACCOUNT }));
export type ServeConfig = z.infer<typeof ServeConfigSchema>;

const ENV_NAMES: Record<keyof ServeConfig, string> = {
  models_root: 'RINGFENCE_MODELS',
  model_name: 'RINGFENCE_MODEL_NAME',
  model_version: 'RINGFENCE_MODEL_VERSION',
  host: 'RINGFENCE_HOST',
  port: 'RINGFENCE_PORT',
  keys_file: 'RINGFENCE_KEYS_FILE',
  body_limit_bytes: 'RINGFENCE_BODY_LIMIT_BYTES',
  max_accounts_per_request: 'RINGFENCE_MAX_ACCOUNTS',
  max_events_per_account: 'RINGFENCE_MAX_EVENTS',
  rate_limit_per_minute: 'RINGFENCE_RATE_LIMIT',
  auth_failures_per_minute: 'RINGFENCE_AUTH_FAILURE_LIMIT',
  request_timeout_ms: 'RINGFENCE_REQUEST_TIMEOUT_MS',
  headers_timeout_ms: 'RINGFENCE_HEADERS_TIMEOUT_MS',
  log_level: 'RINGFENCE_LOG_LEVEL',
  hash_secret: 'RINGFENCE_HASH_SECRET',
  hash_secret_file: 'RINGFENCE_HASH_SECRET_FILE',
  identity_store: 'RINGFENCE_IDENTITY_STORE',
  decision_store: 'RINGFENCE_DECISION_STORE',
  retention_days: 'RINGFENCE_RETENTION_DAYS',
  workers: 'RINGFENCE_WORKERS',
};

/** Where the service's hashing secret comes from: the model it loads must carry that secret's fingerprint. */
export const hashSecretSourceOf = (config: ServeConfig): HashSecretSource => ({
  hashSecret: config.hash_secret,
  hashSecretFile: config.hash_secret_file,
});

export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;
export const isLoopbackHost = (host: string) => LOOPBACK.test(host);

/** Config from environment variables, overridden by explicit values (CLI flags); every bad field is named. */
export function loadServeConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<Record<keyof ServeConfig, unknown>> = {},
): ServeConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(ENV_NAMES)) {
    const value = overrides[key as keyof ServeConfig] ?? env[envName];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ServeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigValidationError(
      `invalid service configuration: ${parsed.error.issues.map((i) => `${String(i.path[0])} (${ENV_NAMES[i.path[0] as keyof ServeConfig] ?? '?'}): ${i.message}`).join('; ')}`,
    );
  }
  if (!parsed.data.keys_file && !isLoopbackHost(parsed.data.host)) {
    throw new ConfigValidationError(
      `refusing to listen on ${parsed.data.host} without API keys: pass --keys FILE (RINGFENCE_KEYS_FILE), or bind to 127.0.0.1`,
    );
  }
  return parsed.data;
}
