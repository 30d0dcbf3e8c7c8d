// The decision store: analysts' decisions on the same backends as the live identity store (stores/), and the
// decision state each process keeps in step with it.
//
// Layout (format 1): `decision:<id>` marks a decision as recorded, its id a hash of its content (importing a file
// twice adds nothing); the log `decisions` holds every recorded decision in order, each a StoredDecision. Every
// process replays the log from its cursor before it scores: one read of what is new, so a decision recorded by any
// process (a worker, another machine, `ringfence decisions import`) acts on the next score everywhere.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { type Decision, DecisionSchema } from '../../data/decisions.js';
import type { KeyValueStore, StoreWrite } from '../../stores/key-value-store.js';
import { LogFollower } from '../../stores/log-follower.js';
import { isRedisLocation, openStore } from '../../stores/open-store.js';
import { type DecisionView, decisionView } from './decision-view.js';

export const DECISION_STORE_KIND = 'decision-store';
export const DECISION_STORE_FORMAT = 1;
export const DECISION_STORE_ENV = 'RINGFENCE_DECISION_STORE';
const LOG = 'decisions';
const REPLAY_BATCH = 1000;
const WRITE_BATCH = 500;
const decisionKey = (id: string) => `decision:${id}`;

export const StoredDecisionSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[0-9a-f]{24}$/)
    .describe('hash of the decision: the same decision recorded twice is one'),
  recorded_at: z.string().describe('when the store received it (ISO-8601 UTC)'),
  recorded_by: z.string().min(1).describe('what brought it in: the API key name, or the file imported'),
  decision: DecisionSchema,
});
export type StoredDecision = z.infer<typeof StoredDecisionSchema>;

/** The content id of a decision (its fields in schema order), so that re-importing a file adds nothing. */
export function decisionId(decision: Decision): string {
  return createHash('sha256').update(JSON.stringify(decision)).digest('hex').slice(0, 24);
}

/**
 * Where the decision store of model `name` lives: the option, else RINGFENCE_DECISION_STORE, else beside the
 * identity store: the same Redis database (under its own namespace) or a `decision-store` directory next to the
 * identity store's directory (by default `<models root>/<name>/decision-store`).
 */
export function decisionStoreLocation(option: string | undefined, identityStore: string, env: Readonly<Record<string, string | undefined>>): string {
  const chosen = option ?? env[DECISION_STORE_ENV];
  if (chosen) return chosen;
  return isRedisLocation(identityStore) ? identityStore : path.join(path.dirname(identityStore), 'decision-store');
}

/** Opens (creating when new) the decision store at `location` for the deployment secret of `secretFingerprint`. */
export function openDecisionStore(location: string, secretFingerprint: string): Promise<KeyValueStore> {
  return openStore(location, { kind: DECISION_STORE_KIND, format_version: DECISION_STORE_FORMAT, secret_fingerprint: secretFingerprint });
}

export interface RecordedDecisions {
  /** the decisions new to the store, as stored */
  readonly added: StoredDecision[];
  /** decisions the store already held (same content), left as they were */
  readonly known: number;
}

function storedDecisions(decisions: readonly Decision[], recordedBy: string, at: Date): StoredDecision[] {
  const unique = new Map<string, StoredDecision>();
  for (const decision of decisions) {
    const id = decisionId(decision);
    if (!unique.has(id)) unique.set(id, { id, recorded_at: at.toISOString(), recorded_by: recordedBy, decision });
  }
  return [...unique.values()];
}

/** Records the decisions not yet in the store, each batch in one transaction; returns what was added. */
export async function recordDecisions(
  store: KeyValueStore,
  decisions: readonly Decision[],
  recordedBy: string,
  at = new Date(),
): Promise<RecordedDecisions> {
  const records = storedDecisions(decisions, recordedBy, at);
  const added: StoredDecision[] = [];
  for (let start = 0; start < records.length; start += WRITE_BATCH) {
    const batch = records.slice(start, start + WRITE_BATCH);
    let fresh: StoredDecision[] = [];
    await store.update(
      batch.map((r) => decisionKey(r.id)),
      (values) => {
        fresh = batch.filter((_, i) => values[i] === undefined);
        return fresh.flatMap((r): StoreWrite[] => [
          { op: 'put', key: decisionKey(r.id), value: r.recorded_at },
          { op: 'append', log: LOG, value: JSON.stringify(r) },
        ]);
      },
    );
    added.push(...fresh);
  }
  return { added, known: records.length - added.length };
}

/** Whether `decision` is about `accountId`: its account decision, a group naming it, or a list entry of it. */
export function decisionNamesAccount(decision: Decision, accountId: string): boolean {
  if (decision.type === 'account') return decision.account_id === accountId;
  if (decision.type === 'group') return decision.account_ids.includes(accountId);
  return decision.entry_kind === 'account' && decision.value === accountId;
}

/**
 * The decisions of one process: replayed from the store (or, without one, kept in memory: tests, a service without
 * stores), with the view scoring reads, rebuilt only when a decision arrived.
 */
export class DecisionState {
  private readonly follower: LogFollower | null;
  private readonly all: StoredDecision[] = [];
  private readonly ids = new Set<string>();
  private view: DecisionView | null = null;

  constructor(readonly store: KeyValueStore | null) {
    this.follower = store ? new LogFollower(store, LOG, REPLAY_BATCH) : null;
  }

  /** Applies every decision recorded since the last call (by any process), in log order. */
  async catchUp(): Promise<void> {
    const store = this.store;
    if (!store || !this.follower) return;
    await this.follower.catchUp((entries) => {
      for (const entry of entries) {
        let parsed: StoredDecision;
        try {
          parsed = StoredDecisionSchema.parse(JSON.parse(entry.value));
        } catch (error) {
          throw new Error(`${store.description}: log entry ${entry.id} is not a stored decision (${(error as Error).message.slice(0, 200)})`);
        }
        this.add(parsed);
      }
    });
  }

  private add(decision: StoredDecision): void {
    if (this.ids.has(decision.id)) return;
    this.ids.add(decision.id);
    this.all.push(decision);
    this.view = null;
  }

  /** Records decisions (in the store, then replayed; or in memory) and returns what was new. */
  async record(decisions: readonly Decision[], recordedBy: string, at = new Date()): Promise<RecordedDecisions> {
    if (!this.store) {
      const records = storedDecisions(decisions, recordedBy, at);
      const added = records.filter((r) => !this.ids.has(r.id));
      for (const record of added) this.add(record);
      return { added, known: records.length - added.length };
    }
    const recorded = await recordDecisions(this.store, decisions, recordedBy, at);
    await this.catchUp();
    return recorded;
  }

  /** Every decision known to this process, in the order recorded. */
  decisions(): readonly StoredDecision[] {
    return this.all;
  }

  /** The decisions naming `accountId`, in the order recorded. */
  ofAccount(accountId: string): StoredDecision[] {
    return this.all.filter((d) => decisionNamesAccount(d.decision, accountId));
  }

  /** What the decisions mean for scoring now. */
  current(): DecisionView {
    this.view ??= decisionView(this.all);
    return this.view;
  }

  async close(): Promise<void> {
    await this.store?.close();
  }
}

/** Every decision of a store, in the order recorded (train, export). */
export async function readAllDecisions(store: KeyValueStore): Promise<readonly StoredDecision[]> {
  const state = new DecisionState(store);
  await state.catchUp();
  return state.decisions();
}
