import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogFollower } from '../../stores/log-follower.js';
import { openStore } from '../../stores/open-store.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { logReadCountingView } from './log-read-counting-view.js';
import { TEST_STORE_IDENTITY } from './store-contract-helpers.js';

const temporaryDir = useTemporaryDirs('ringfence-follower-');
const append = (values: string[]) => values.map((value) => ({ op: 'append' as const, log: 'events', value }));

describe('LogFollower', () => {
  it('hands over every entry once, in log order, in batches, whatever the number of concurrent catch-ups', async () => {
    const store = await openStore(path.join(await temporaryDir(), 'store'), TEST_STORE_IDENTITY);
    const follower = new LogFollower(store, 'events', 3);
    const seen: string[] = [];
    const batches: number[] = [];
    const apply = async (entries: readonly { value: string }[]) => {
      batches.push(entries.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(...entries.map((e) => e.value));
    };
    await store.write(append(['a', 'b', 'c', 'd', 'e', 'f', 'g']));
    await Promise.all([follower.catchUp(apply), follower.catchUp(apply), follower.catchUp(apply)]);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(batches).toEqual([3, 3, 1]);
    await store.write(append(['h']));
    await follower.catchUp(apply);
    await follower.catchUp(apply);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    await store.close();
  });

  it('does not count a batch as followed when applying it failed: the next catch-up hands it over again', async () => {
    const store = await openStore(path.join(await temporaryDir(), 'store'), TEST_STORE_IDENTITY);
    const follower = new LogFollower(store, 'events', 10);
    await store.write(append(['x', 'y']));
    await expect(
      follower.catchUp(() => {
        throw new Error('apply failed');
      }),
    ).rejects.toThrow('apply failed');
    const seen: string[] = [];
    await follower.catchUp((entries) => void seen.push(...entries.map((e) => e.value)));
    expect(seen).toEqual(['x', 'y']);
    await store.close();
  });

  it('hands over entries it knows (its own appends) without reading them only when they are all the log holds after its cursor', async () => {
    const store = await openStore(path.join(await temporaryDir(), 'store'), TEST_STORE_IDENTITY);
    const follower = new LogFollower(store, 'events', 3);
    const seen: [string, boolean][] = [];
    const apply = (entries: readonly { value: string }[], known: boolean) =>
      void seen.push(...entries.map((e): [string, boolean] => [e.value, known]));
    // the known entries say what they hold in their own words, so which of the two was handed over shows
    const knownOf = (ids: string[], values: string[]) => new Map(ids.map((id, i) => [id, { value: `known ${values[i]}` }]));
    const own = await store.write(append(['a', 'b']));
    await follower.catchUp(apply, knownOf(own, ['a', 'b']));
    expect(seen.splice(0)).toEqual([
      ['known a', true],
      ['known b', true],
    ]);
    // another writer's entry before this one's: all read
    await store.write(append(['c']));
    const mine = await store.write(append(['d']));
    await follower.catchUp(apply, knownOf(mine, ['d']));
    expect(seen.splice(0)).toEqual([
      ['c', false],
      ['d', false],
    ]);
    // a full batch may not be the end of the log: read
    const many = await store.write(append(['e', 'f', 'g', 'h']));
    await follower.catchUp(apply, knownOf(many, ['e', 'f', 'g', 'h']));
    expect(seen.splice(0)).toEqual([
      ['e', false],
      ['f', false],
      ['g', false],
      ['known h', true],
    ]);
    // nothing new: nothing handed over, known or not
    await follower.catchUp(apply, knownOf(many, ['e', 'f', 'g', 'h']));
    await follower.catchUp(apply);
    expect(seen).toEqual([]);
    await store.close();
  });

  it('finds nothing new without reading the log where the store lists ids, and hands over the same entries either way', async () => {
    const store = await openStore(path.join(await temporaryDir(), 'store'), TEST_STORE_IDENTITY);
    const listingView = logReadCountingView(store, true);
    const readingView = logReadCountingView(store, false);
    const listing = new LogFollower(listingView.view, 'events', 2);
    const reading = new LogFollower(readingView.view, 'events', 2);
    const seen = { listing: [] as string[], reading: [] as string[] };
    const catchUpBoth = async () => {
      await listing.catchUp((entries) => void seen.listing.push(...entries.map((e) => e.value)));
      await reading.catchUp((entries) => void seen.reading.push(...entries.map((e) => e.value)));
    };
    await catchUpBoth();
    expect(listingView.reads.count).toBe(0);
    await store.write(append(['a', 'b', 'c']));
    await catchUpBoth();
    await catchUpBoth();
    expect(seen.listing).toEqual(['a', 'b', 'c']);
    expect(seen.reading).toEqual(['a', 'b', 'c']);
    // a catch-up with nothing new reads nothing where the store lists ids
    listingView.reads.count = 0;
    readingView.reads.count = 0;
    await catchUpBoth();
    expect(listingView.reads.count).toBe(0);
    expect(readingView.reads.count).toBe(1);
    await store.close();
  });

  it('catches up through its own entry without reading when every entry up to it is its own, later ones left for the next', async () => {
    const store = await openStore(path.join(await temporaryDir(), 'store'), TEST_STORE_IDENTITY);
    const follower = new LogFollower(store, 'events', 10);
    const seen: [string, boolean][] = [];
    const apply = (entries: readonly { value: string }[], known: boolean) =>
      void seen.push(...entries.map((e): [string, boolean] => [e.value, known]));
    const knownOf = (ids: string[], values: string[]) => new Map(ids.map((id, i) => [id, { value: `known ${values[i]}` }]));
    const own = await store.write(append(['a', 'b']));
    await store.write(append(['later']));
    await follower.catchUp(apply, knownOf(own, ['a', 'b']), own.at(-1));
    if (store.logIdsThrough) {
      expect(seen.splice(0)).toEqual([
        ['known a', true],
        ['known b', true],
      ]);
      await follower.catchUp(apply);
      expect(seen.splice(0)).toEqual([['later', false]]);
    } else expect(seen.splice(0).map(([v]) => v)).toEqual(['a', 'b', 'later']);
    // another writer's entry before its own: all read, up to the end
    await store.write(append(['c']));
    const mine = await store.write(append(['d']));
    await store.write(append(['e']));
    await follower.catchUp(apply, knownOf(mine, ['d']), mine.at(-1));
    expect(seen.splice(0)).toEqual([
      ['c', false],
      ['d', false],
      ['e', false],
    ]);
    // its entry followed already: nothing to do
    await follower.catchUp(apply, knownOf(mine, ['d']), mine.at(-1));
    expect(seen).toEqual([]);
    await store.close();
  });
});
