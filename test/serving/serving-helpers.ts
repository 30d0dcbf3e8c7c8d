// Builds the app in-process over the fixture model: no port, no env (fastify/demo build()).
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { loadDataset } from '../../data/load-dataset.js';
import { readTrueRings } from '../../data/true-rings.js';
import { accountEventsToRecord } from '../../data/tables.js';
import type { KeyRecord } from '../../serving/api-keys.js';
import { hashApiKey } from '../../serving/api-keys.js';
import { ServeConfigSchema, type ServeConfig } from '../../serving/config.js';
import { createApp } from '../../serving/create-app.js';
import { KeyRing } from '../../serving/key-ring.js';
import { createModelLoader, ModelHolder } from '../../serving/model-holder.js';
import type { FixtureModel } from '../global-setup.js';

export const PREDICT_KEY = 'rf_test_predict_key';
export const ADMIN_KEY = 'rf_test_admin_key';
export const METRICS_KEY = 'rf_test_metrics_key';
export const REVIEW_KEY = 'rf_test_review_key';
export const TEST_KEYS: KeyRecord[] = [
  { name: 'svc', scope: 'predict', sha256: hashApiKey(PREDICT_KEY), created_at: '2026-01-01T00:00:00Z' },
  { name: 'ops', scope: 'admin', sha256: hashApiKey(ADMIN_KEY), created_at: '2026-01-01T00:00:00Z' },
  { name: 'prometheus', scope: 'metrics', sha256: hashApiKey(METRICS_KEY), created_at: '2026-01-01T00:00:00Z' },
  { name: 'ana', scope: 'review', sha256: hashApiKey(REVIEW_KEY), created_at: '2026-01-01T00:00:00Z' },
];

/**
 * The app over the fixture model. Its live identity state is kept in memory unless `identityStore` names a store
 * location (the fixture's models root is shared by every test, read-only, so the default location is never used).
 */
export async function buildTestApp(
  fixture: FixtureModel,
  overrides: Partial<ServeConfig> = {},
  options: { loaded?: boolean; keys?: KeyRecord[] | null; logger?: Logger; identityStore?: string; decisionStore?: string } = {},
) {
  const config = ServeConfigSchema.parse({ models_root: fixture.modelsRoot, model_name: fixture.name, ...overrides });
  const holder = new ModelHolder(
    createModelLoader(fixture.modelsRoot, fixture.name, {
      identityStore: options.identityStore ?? null,
      decisionStore: options.decisionStore ?? null,
      retentionDays: config.retention_days ?? null,
    }),
  );
  if (options.loaded !== false) await holder.reload(fixture.version);
  const app = createApp({
    config,
    modelHolder: holder,
    logger: options.logger ?? pino({ level: 'silent' }),
    keys: options.keys === null ? KeyRing.none() : KeyRing.fixed(options.keys ?? TEST_KEYS),
  });
  return { app, holder, config };
}

/** Accounts of the fixture data as JSON request records (ISO timestamps). */
export async function fixtureRecords(fixture: FixtureModel, count: number): Promise<Record<string, unknown>[]> {
  const dataset = await loadDataset(fixture.dataDir);
  return dataset.accounts.slice(0, count).map(accountEventsToRecord);
}

/**
 * `count` new accounts (ids and identifiers unknown to the model, events of fixture accounts) paid into one new bank
 * account. Their IPs are the prefix's own: rings of other prefixes share none of them, whichever of them are recorded.
 */
export async function newRingRecords(fixture: FixtureModel, prefix: string, count: number): Promise<Record<string, unknown>[]> {
  const templates = await fixtureRecords(fixture, count);
  return templates.map((record, i) => ({
    ...record,
    account_id: `${prefix}-${i}`,
    logins: (record['logins'] as Record<string, unknown>[]).map((login, k) => ({
      ...login,
      ip: `${prefix}:203.0.${i}.${k % 200}`,
      device_id: `${prefix}-device-${i}`,
    })),
    payouts: [{ added_at: record['created_at'], bank_hash: `${prefix}-shared-bank` }],
  }));
}

/**
 * A true ring of the fixture data (the `index`-th largest) as `prefix`-named new accounts: their events as they were,
 * every identifier renamed, so they share identifiers with each other only and keep the coordination that makes them a
 * ring (created together, banks added together, devices passed round, one template).
 */
export async function renamedTrueRingRecords(fixture: FixtureModel, prefix: string, index = 0): Promise<Record<string, unknown>[]> {
  const rings = ((await readTrueRings(fixture.dataDir)) ?? []).sort((a, b) => b.members.length - a.members.length);
  const ring = rings[index];
  if (!ring) throw new Error(`the fixture data has no true ring ${index}`);
  const members = new Set(ring.members);
  const accounts = (await loadDataset(fixture.dataDir)).accounts.filter((a) => members.has(a.account_id));
  return accounts.map((account, i) => {
    const record = accountEventsToRecord(account);
    return {
      ...record,
      account_id: `${prefix}-${i}`,
      logins: (record.logins ?? []).map((login) => ({ ...login, ip: `${prefix}:${login.ip}`, device_id: `${prefix}:${login.device_id}` })),
      payouts: (record.payouts ?? []).map((payout) => ({ ...payout, bank_hash: `${prefix}:${payout.bank_hash}` })),
    };
  });
}

/** A pino logger that keeps its JSON lines in memory, for tests of what the service logs. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level: 'debug' }, stream),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
