// ringfence decisions import|export as a real process (dist/, so `npm run build` first): files in and out of a model
// name's decision store, all or nothing, raw list identifiers hashed before they are stored.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readHashSecret } from '../../models/hash-secret.js';
import { openDecisionStore, readAllDecisions } from '../../training/decisions/decision-store.js';
import { hashIdentifier } from '../../training/identity/identity-index.js';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { runCliProcess } from './serve-process.js';

const fixture = inject('fixtureModel');
const temporaryDir = useTemporaryDirs('ringfence-decisions-cli-');
const who = { reviewer: 'ana', decided_at: '2026-07-01T10:00:00Z' };
const RAW_BANK = 'DE89370400440532013000';

const DECISIONS = [
  { type: 'account', account_id: 'acc-1', label: 'fraud', kind: 'ring', note: 'chargebacks, "three"', ...who },
  { type: 'account', account_id: 'acc-2', label: 'honest', ...who },
  { type: 'group', group_id: 'agency-4', verdict: 'benign', kind: 'agency', account_ids: ['acc-3', 'acc-4'], ...who },
  { type: 'list', list: 'block', entry_kind: 'bank', identifier: RAW_BANK, note: 'mule account', ...who },
  { type: 'list', list: 'allow', entry_kind: 'account', value: 'acc-5', ...who },
];

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = runCliProcess(['decisions', ...args]);
  const { code } = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

async function storedIn(location: string) {
  const store = await openDecisionStore(location, (await readHashSecret(fixture.modelsRoot)).fingerprint);
  try {
    return await readAllDecisions(store);
  } finally {
    await store.close();
  }
}

/** Every byte of the files under `dir`, as text (to show a raw identifier is nowhere in the store). */
async function allBytes(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
}

describe('ringfence decisions import|export', () => {
  it('imports JSONL into the store beside the identity store, hashing raw list entries; a second import adds nothing; export and re-import elsewhere give the same decisions', async () => {
    const dir = await temporaryDir();
    const file = path.join(dir, 'in.jsonl');
    await writeFile(file, DECISIONS.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const base = ['--models', fixture.modelsRoot, '--name', fixture.name];
    // --identity-store as `ringfence serve` is given it: the decision store is found beside it
    const identityArgs = [...base, '--identity-store', path.join(dir, 'identity-store')];

    const first = await run(['import', ...identityArgs, file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^imported 5 decisions from .*in\.jsonl into lmdb .*decision-store; 0 already recorded \(5 rows\)$/m);
    const stored = await storedIn(path.join(dir, 'decision-store'));
    expect(stored.map((s) => s.decision.type)).toEqual(['account', 'account', 'group', 'list', 'list']);
    expect(stored.every((s) => s.recorded_by === 'import of in.jsonl')).toBe(true);
    const key = (await readHashSecret(fixture.modelsRoot)).key;
    expect(stored[3]?.decision).toMatchObject({ list: 'block', entry_kind: 'bank', value: hashIdentifier(key, 'bank', RAW_BANK) });
    expect(await allBytes(path.join(dir, 'decision-store'))).not.toContain(RAW_BANK);

    const again = await run(['import', ...identityArgs, file]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^imported 0 decisions .*; 5 already recorded \(5 rows\)$/m);
    expect(await storedIn(path.join(dir, 'decision-store'))).toHaveLength(5);

    for (const name of ['out.csv', 'out.jsonl']) {
      const out = path.join(dir, name);
      const exported = await run(['export', ...identityArgs, out]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toMatch(new RegExp(`^exported 5 decisions from lmdb .* to .*${name}$`, 'm'));
      expect(await readFile(out, 'utf8')).not.toContain(RAW_BANK);
      const other = path.join(dir, `store-from-${name}`);
      const reimported = await run(['import', ...base, '--decision-store', other, out]);
      expect(reimported.code, reimported.stderr).toBe(0);
      expect((await storedIn(other)).map((s) => [s.id, s.decision])).toEqual(stored.map((s) => [s.id, s.decision]));
    }
  }, 60_000);

  it('refuses a file with bad rows, naming file, line and field of each, and records none of its rows', async () => {
    const dir = await temporaryDir();
    const location = path.join(dir, 'decision-store');
    const args = ['import', '--models', fixture.modelsRoot, '--name', fixture.name, '--decision-store', location];
    const csv = path.join(dir, 'bad.csv');
    await writeFile(
      csv,
      [
        'type,account_id,label,kind,reviewer,decided_at',
        'account,acc-1,fraud,ring,ana,2026-07-01T10:00:00Z',
        'account,acc-2,maybe,,ana,2026-07-01T10:00:00Z',
        'account,acc-3,honest,bot,ana,2026-07-01T10:00:00Z',
        'account,acc-4,fraud,,,yesterday',
      ].join('\n') + '\n',
    );
    const bad = await run([...args, csv]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: bad.csv: 4 invalid fields');
    for (const where of [
      'bad.csv line 3, column label',
      'bad.csv line 4, column kind',
      'bad.csv line 5, column reviewer',
      'bad.csv line 5, column decided_at',
    ])
      expect(bad.stderr).toContain(where);

    const jsonl = path.join(dir, 'typo.jsonl');
    await writeFile(jsonl, `${JSON.stringify(DECISIONS[0])}\n${JSON.stringify({ ...DECISIONS[1], lable: 'fraud' })}\n`);
    const typo = await run([...args, jsonl]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('typo.jsonl line 2, column lable: unknown field');
    expect(await storedIn(location)).toEqual([]);

    const missing = await run(['import', '--models', fixture.modelsRoot, '--name', fixture.name]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/'ringfence decisions import' takes one FILE \(none was given\)/);
  }, 60_000);
});
