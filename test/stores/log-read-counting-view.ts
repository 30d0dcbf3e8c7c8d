// A store seen through a view that counts its readLog calls: what the catch-ups without reading are tested by.
import type { KeyValueStore } from '../../stores/key-value-store.js';

/** `store`'s operations with readLog counted, and without logIdsAfter when `listsIds` is false (every entry read back). */
export function logReadCountingView(store: KeyValueStore, listsIds: boolean): { view: KeyValueStore; reads: { count: number } } {
  const reads = { count: 0 };
  const view: KeyValueStore = {
    description: store.description,
    get: (key) => store.get(key),
    getMany: (keys) => store.getMany(keys),
    scan: (prefix) => store.scan(prefix),
    write: (writes) => store.write(writes),
    update: (keys, plan) => store.update(keys, plan),
    readLog: (log, after, limit) => {
      reads.count++;
      return store.readLog(log, after, limit);
    },
    close: () => store.close(),
    ...(listsIds && store.logIdsAfter ? { logIdsAfter: store.logIdsAfter } : {}),
  };
  return { view, reads };
}
