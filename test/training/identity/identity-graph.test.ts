import { describe, expect, it } from 'vitest';
import type { AccountEvents } from '../../../data/tables.js';
import { buildIdentityIndex } from '../../../training/identity/identity-graph.js';
import {
  accountIdentifiers,
  findAccountLinks,
  hashIdentifier,
  IdentityConfigSchema,
  identityIndexMeta,
  identityIndexToJsonl,
  restoreIdentityIndex,
} from '../../../training/identity/identity-index.js';

const T0 = Date.UTC(2026, 0, 1);
function account(id: string, ids: { banks?: string[]; devices?: string[]; ips?: string[] }): AccountEvents {
  const devices = ids.devices ?? [`dev-${id}`];
  const ips = ids.ips ?? [`ip-${id}`];
  const logins = Math.max(devices.length, ips.length);
  return {
    account_id: id,
    created_at: T0,
    country: 'DE',
    has_2fa: false,
    logins: Array.from({ length: logins }, (_, k) => ({
      ts: T0 + k,
      ip: ips[k % ips.length] as string,
      country: 'DE',
      device_id: devices[k % devices.length] as string,
    })),
    proposals: [],
    tests: [],
    payouts: (ids.banks ?? [`bank-${id}`]).map((bank_hash, k) => ({ added_at: T0 + k, bank_hash })),
  };
}
const config = IdentityConfigSchema.parse({ hub_cap: { bank: 3, device: 3, ip: 3 } });
// candidate groups, rings or not: these tests are about linking, not about judging groups (ring-score.test.ts)
const ringsOf = (accounts: AccountEvents[]) => {
  const index = buildIdentityIndex(accounts, { config, hashKey: 'k' });
  return [...index.rings.values(), ...index.groups.values()].map((r) => r.members);
};

describe('buildIdentityIndex', () => {
  it('chains A-B-C sharing different identifiers into one ring', () => {
    const rings = ringsOf([
      account('A', { banks: ['b1'] }),
      account('B', { banks: ['b1'], devices: ['d1'] }),
      account('C', { devices: ['d1'] }),
      account('D', {}),
    ]);
    expect(rings).toEqual([['A', 'B', 'C']]);
  });

  it('does not let a hub identifier link anyone, so a hub does not merge two rings', () => {
    const hubIp = 'campus';
    const accounts = [
      account('A1', { banks: ['x'], ips: [hubIp] }),
      account('A2', { banks: ['x'], ips: [hubIp] }),
      account('B1', { banks: ['y'], ips: [hubIp] }),
      account('B2', { banks: ['y'], ips: [hubIp] }),
    ];
    expect(ringsOf(accounts).sort()).toEqual([
      ['A1', 'A2'],
      ['B1', 'B2'],
    ]);
    const index = buildIdentityIndex(accounts, { config, hashKey: 'k' });
    expect([...index.identifiers.records()].find((i) => i.kind === 'ip')?.is_hub).toBe(true);
  });

  it('links through IPs only when two accounts share at least two non-hub IPs', () => {
    expect(ringsOf([account('A', { ips: ['i1'] }), account('B', { ips: ['i1'] })])).toEqual([]);
    expect(ringsOf([account('A', { ips: ['i1', 'i2'] }), account('B', { ips: ['i1', 'i2'] })])).toEqual([['A', 'B']]);
  });

  it('records the identifiers tying a ring with their member counts, never the raw values', () => {
    const index = buildIdentityIndex([account('A', { banks: ['secret-bank'] }), account('B', { banks: ['secret-bank'] })], { config, hashKey: 'k' });
    const ring = [...index.rings.values()][0];
    expect(ring?.identifiers).toEqual([{ kind: 'bank', hash: expect.stringMatching(/^[0-9a-f]{24}$/), accounts: 2 }]);
    expect(Buffer.from(identityIndexToJsonl(index)).toString('utf8')).not.toContain('secret-bank');
  });
});

describe('findAccountLinks', () => {
  it('links a new account to the known accounts and ring it shares a bank hash with, after a save and restore', () => {
    const index = buildIdentityIndex([account('A', { banks: ['b1'] }), account('B', { banks: ['b1'] })], { config, hashKey: 'k' });
    const restored = restoreIdentityIndex(identityIndexMeta(index), identityIndexToJsonl(index), 'k');
    const newcomer = account('NEW', { banks: ['b1'] });
    const links = findAccountLinks(restored, 'NEW', accountIdentifiers(newcomer, restored.hashKey));
    expect([...links.linked.keys()].sort()).toEqual(['A', 'B']);
    expect(links.maxSharedBank).toBe(2);
  });

  it('restores records written in blocks, whatever their count, and names a broken line', () => {
    const accounts = Array.from({ length: 3000 }, (_, i) => account(`A${i}`, { banks: [`bank-${Math.floor(i / 2)}`] }));
    const index = buildIdentityIndex(accounts, { config, hashKey: 'k' });
    const bytes = identityIndexToJsonl(index);
    expect(bytes.length).toBeGreaterThan(100_000);
    const restored = restoreIdentityIndex(identityIndexMeta(index), bytes, 'k');
    expect([...restored.identifiers.records()]).toEqual([...index.identifiers.records()]);
    const lines = Buffer.from(bytes).toString('utf8').split('\n');
    lines[41] = '{"kind":"bank","hash":';
    expect(() => restoreIdentityIndex(identityIndexMeta(index), Buffer.from(lines.join('\n')), 'k')).toThrow(
      /identity-index\.jsonl line 42: not JSON/,
    );
    lines[41] = '{"kind":"bank"}';
    expect(() => restoreIdentityIndex(identityIndexMeta(index), Buffer.from(lines.join('\n')), 'k')).toThrow(/identity-index\.jsonl line 42: /);
    const record = JSON.parse(lines[40] as string) as { kind: string; hash: string };
    lines[41] = lines[40] as string;
    expect(() => restoreIdentityIndex(identityIndexMeta(index), Buffer.from(lines.join('\n')), 'k')).toThrow(
      `identity-index.jsonl line 42: ${record.kind} ${record.hash} is listed twice`,
    );
    lines[41] = (lines[40] as string).replace(record.hash, 'raw-value');
    expect(() => restoreIdentityIndex(identityIndexMeta(index), Buffer.from(lines.join('\n')), 'k')).toThrow(
      'identity-index.jsonl line 42: hash must be 24 lower-case hex digits',
    );
  });
});

describe('accountIdentifiers', () => {
  it('hashes each distinct identifier once, per kind in the order the events first list it', () => {
    const devices = ['d3', 'd1', 'd3', 'd2', 'd1'];
    const ips = ['i1', 'i1', 'i2', 'i9', 'i2', 'i1'];
    const subject = account('A', { banks: ['b2', 'b1', 'b2'], devices, ips });
    const plain = (values: string[], kind: 'bank' | 'device' | 'ip') => [...new Set(values)].map((v) => hashIdentifier('k', kind, v));
    const logins = subject.logins;
    expect(accountIdentifiers(subject, 'k')).toEqual({
      bank: plain(['b2', 'b1', 'b2'], 'bank'),
      device: plain(
        logins.map((l) => l.device_id),
        'device',
      ),
      ip: plain(
        logins.map((l) => l.ip),
        'ip',
      ),
    });
    expect(accountIdentifiers(account('B', { banks: [], devices: [], ips: [] }), 'k').bank).toEqual([]);
  });
});
