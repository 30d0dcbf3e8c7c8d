// Builds the app in-process over the fixture model: no port, no env (fastify/demo build()).
import { pino } from 'pino';
import { loadDataset } from '../../data/load-dataset.js';
import type { AccountEvents } from '../../data/tables.js';
import type { KeyRecord } from '../../serving/api-keys.js';
import { hashApiKey } from '../../serving/api-keys.js';
import { ServeConfigSchema, type ServeConfig } from '../../serving/config.js';
import { createApp } from '../../serving/create-app.js';
import { createModelLoader, ModelHolder } from '../../serving/model-holder.js';
import type { FixtureModel } from '../global-setup.js';

export const PREDICT_KEY = 'rf_test_predict_key';
export const ADMIN_KEY = 'rf_test_admin_key';
export const TEST_KEYS: KeyRecord[] = [
  { name: 'svc', scope: 'predict', sha256: hashApiKey(PREDICT_KEY), created_at: '2026-01-01T00:00:00Z' },
  { name: 'ops', scope: 'admin', sha256: hashApiKey(ADMIN_KEY), created_at: '2026-01-01T00:00:00Z' },
];

export async function buildTestApp(fixture: FixtureModel, overrides: Partial<ServeConfig> = {}, options: { loaded?: boolean; keys?: KeyRecord[] | null } = {}) {
  const config = ServeConfigSchema.parse({ models_root: fixture.modelsRoot, model_name: fixture.name, ...overrides });
  const holder = new ModelHolder(createModelLoader(fixture.modelsRoot, fixture.name));
  if (options.loaded !== false) await holder.reload(fixture.version);
  const app = createApp({ config, modelHolder: holder, logger: pino({ level: 'silent' }), keys: options.keys === undefined ? TEST_KEYS : options.keys });
  return { app, holder, config };
}

/** Accounts of the fixture data as JSON request records (ISO timestamps). */
export async function fixtureRecords(fixture: FixtureModel, count: number): Promise<Record<string, unknown>[]> {
  const dataset = await loadDataset(fixture.dataDir);
  return dataset.accounts.slice(0, count).map(toRecord);
}

export function toRecord(account: AccountEvents): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    account_id: account.account_id,
    created_at: iso(account.created_at),
    country: account.country,
    has_2fa: account.has_2fa,
    logins: account.logins.map((l) => ({ ...l, ts: iso(l.ts) })),
    proposals: account.proposals.map((p) => ({ ...p, ts: iso(p.ts), job_posted_at: iso(p.job_posted_at) })),
    tests: account.tests.map((t) => ({ ...t, started_at: iso(t.started_at) })),
    payouts: account.payouts.map((p) => ({ ...p, added_at: iso(p.added_at) })),
  };
}
