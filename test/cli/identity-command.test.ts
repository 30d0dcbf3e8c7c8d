// ringfence identity forget: erases an account from the identity store a service shares, by the store's rules.
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readHashSecret } from '../../models/hash-secret.js';
import { openIdentityStore, recordAccounts } from '../../training/identity/identity-store.js';
import type { LiveAccount } from '../../training/identity/live-account.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { runCliProcess } from './serve-process.js';

const fixture = inject('fixtureModel');
const temporaryDir = useTemporaryDirs('ringfence-identity-cli-');

const account = (id: string): LiveAccount => ({
  account_id: id,
  identifiers: { bank: ['0123456789abcdef01234567'], device: [], ip: [] },
  created_at: 0,
  recorded_at: 0,
  template_signature: null,
});

describe('ringfence identity forget', () => {
  it('erases a recorded account, says when there is none, and refuses a store of another secret', async () => {
    const location = path.join(await temporaryDir(), 'identity-store');
    const secret = await readHashSecret(fixture.modelsRoot);
    const store = await openIdentityStore(location, secret.fingerprint);
    await recordAccounts(store, [account('gone'), account('stays')]);
    await store.close();
    const args = ['identity', 'forget', '--models', fixture.modelsRoot, '--name', fixture.name, '--identity-store', location];
    const erased = runCliProcess([...args, '--account', 'gone']);
    expect(await erased.exited, erased.stderr()).toEqual({ code: 0, signal: null });
    expect(erased.stdout()).toMatch(/erased account gone from lmdb /);
    const again = runCliProcess([...args, '--account', 'gone']);
    expect((await again.exited).code).toBe(1);
    expect(again.stderr()).toMatch(/account gone is not recorded in lmdb .*nothing erased/);
    const reopened = await openIdentityStore(location, secret.fingerprint);
    expect(await reopened.get('account:gone')).toBeUndefined();
    expect(await reopened.get('account:stays')).toBeDefined();
    await reopened.close();
    const foreign = runCliProcess([...args, '--account', 'stays'], { RINGFENCE_HASH_SECRET: 'another secret' });
    expect((await foreign.exited).code).not.toBe(0);
    expect(foreign.stderr()).toMatch(/refused: it was made with the secret of fingerprint/);
  });
});
