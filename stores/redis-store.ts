// The shared backend: a Redis database (`redis://host:port/db`) that service processes on several machines use.
//
// Keys live under `ringfence:<namespace>:` (`ringfence:<prefix>:<namespace>:` with `?prefix=` in the URL, for several
// deployments or tests on one database); a log is a Redis stream. Writes go in MULTI/EXEC; `update` watches the
// keys it read (optimistic: EXEC fails when another writer changed one, and it reads and plans again). WATCH belongs
// to a connection, so updates run one at a time on a connection of their own.
import { Redis } from 'ioredis';
import { type KeyValueStore, type LogEntry, type StoreWrite, StoreRefusedError } from './key-value-store.js';

const MAX_UPDATE_ATTEMPTS = 100;
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** The location without user or password, for messages and logs. */
export function redisLocationForMessages(url: string): string {
  try {
    const parsed = new URL(url);
    return `redis://${parsed.host}${parsed.pathname}${parsed.search}`;
  } catch {
    return 'redis://(unparsable url)';
  }
}

class RedisStore implements KeyValueStore {
  readonly description: string;
  private readonly prefix: string;
  private updates: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: Redis,
    private readonly watcher: Redis,
    url: string,
    namespace: string,
  ) {
    this.description = `${redisLocationForMessages(url)} (${namespace})`;
    const tenant = new URL(url).searchParams.get('prefix');
    this.prefix = tenant ? `ringfence:${tenant}:${namespace}:` : `ringfence:${namespace}:`;
  }

  private valueKey = (key: string) => `${this.prefix}k:${key}`;
  private logKey = (log: string) => `${this.prefix}log:${log}`;

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.valueKey(key))) ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    return (await this.client.mget(keys.map(this.valueKey))).map((v) => v ?? undefined);
  }

  async *scan(prefix: string): AsyncIterable<[string, string]> {
    const start = this.valueKey('');
    const stream = this.client.scanStream({ match: `${escapeGlob(this.valueKey(prefix))}*`, count: 1000 });
    for await (const batch of stream as AsyncIterable<string[]>) {
      if (batch.length === 0) continue;
      const values = await this.client.mget(batch);
      for (const [i, key] of batch.entries()) {
        const value = values[i];
        if (value !== null && value !== undefined) yield [key.slice(start.length), value];
      }
    }
  }

  private queue(writes: readonly StoreWrite[], client: Redis) {
    const multi = client.multi();
    for (const write of writes) {
      if (write.op === 'put') multi.set(this.valueKey(write.key), write.value);
      else if (write.op === 'delete') multi.del(this.valueKey(write.key));
      else multi.xadd(this.logKey(write.log), '*', 'v', write.value);
    }
    return multi;
  }

  async write(writes: readonly StoreWrite[]): Promise<string[]> {
    if (writes.length === 0) return [];
    const results = await this.queue(writes, this.client).exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw new Error(`${this.description}: write failed (${failed?.[0]?.message ?? 'transaction discarded'})`);
    // one command per write, in order: an append's result is the id XADD gave its entry
    return writes.flatMap((write, i) => (write.op === 'append' ? [String(results[i]?.[1])] : []));
  }

  async update(keys: readonly string[], plan: (values: readonly (string | undefined)[]) => readonly StoreWrite[]): Promise<void> {
    const run = this.updates.then(() => this.updateNow(keys, plan));
    this.updates = run.catch(() => undefined);
    await run;
  }

  private async updateNow(keys: readonly string[], plan: (values: readonly (string | undefined)[]) => readonly StoreWrite[]): Promise<void> {
    const redisKeys = keys.map(this.valueKey);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (redisKeys.length > 0) await this.watcher.watch(...redisKeys);
      const values = redisKeys.length > 0 ? (await this.watcher.mget(redisKeys)).map((v) => v ?? undefined) : [];
      const writes = plan(values);
      if (writes.length === 0) {
        await this.watcher.unwatch();
        return;
      }
      const results = await this.queue(writes, this.watcher).exec();
      if (results === null) continue; // a watched key changed: read and plan again
      const failed = results.find(([error]) => error);
      if (failed) throw new Error(`${this.description}: update failed (${failed[0]?.message})`);
      return;
    }
    throw new Error(`${this.description}: update gave up after ${MAX_UPDATE_ATTEMPTS} conflicting writers`);
  }

  async readLog(log: string, after: string | null, limit: number): Promise<LogEntry[]> {
    const entries = await this.client.xrange(this.logKey(log), after === null ? '-' : `(${after}`, '+', 'COUNT', limit);
    return entries.map(([id, fields]) => ({ id, value: fields[1] ?? '' }));
  }

  async close(): Promise<void> {
    await Promise.all([this.client.quit(), this.watcher.quit()]);
  }
}

/** Connects to the Redis database of `url`; a server that does not answer is refused with the reason. */
export async function openRedisStore(url: string, namespace: string): Promise<KeyValueStore> {
  const where = redisLocationForMessages(url);
  let opened = false;
  // a server that is down at start is refused at once; once open, a dropped connection is retried with back-off
  const retryStrategy = (times: number) => (opened ? Math.min(times * 200, 2000) : null);
  const server = new URL(url);
  server.search = '';
  const connect = () => new Redis(server.toString(), { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000, retryStrategy });
  const client = connect();
  const watcher = connect();
  try {
    await client.connect();
    await watcher.connect();
    await client.ping();
    opened = true;
  } catch (error) {
    client.disconnect();
    watcher.disconnect();
    throw new StoreRefusedError(where, `cannot reach the Redis server (${(error as Error).message})`);
  }
  return new RedisStore(client, watcher, url, namespace);
}
