// Child process of the store contract tests: opens a store and records `count` items, each as one transaction of a
// counter update, a put and a log append, printing "wrote N" after each. Usage:
//   node --import tsx store-writer.ts <location> <writer name> <count> [pause ms]
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../stores/open-store.js';
import { TEST_STORE_IDENTITY } from './store-contract-helpers.js';

const [location, name, countText, pauseText] = process.argv.slice(2) as [string, string, string, string | undefined];
const store = await openStore(location, TEST_STORE_IDENTITY);
for (let i = 0; i < Number(countText); i++) {
  await store.update(['counter'], ([value]) => [
    { op: 'put', key: 'counter', value: String(Number(value ?? 0) + 1) },
    { op: 'put', key: `item:${name}:${i}`, value: `${name}-${i}` },
    { op: 'append', log: 'items', value: `${name}-${i}` },
  ]);
  process.stdout.write(`wrote ${i + 1}\n`);
  if (pauseText) await sleep(Number(pauseText));
}
await store.close();
