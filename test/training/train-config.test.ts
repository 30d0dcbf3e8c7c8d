import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionForScore } from '../../training/scoring/risk-policy.js';
import { ConfigError, readTrainConfig } from '../../training/train-config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ringfence-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('readTrainConfig', () => {
  it('needs no file: the defaults are the documented policy (> 75 block, > 50 flag)', async () => {
    const config = await readTrainConfig(undefined);
    expect(config.policy).toMatchObject({ block_above: 75, flag_above: 50, ring_above: 50, block_needs_kinds: 2 });
    const twoKinds = ['anomaly', 'ring'] as const;
    expect([76, 75, 51, 50].map((score) => actionForScore(score, config.policy, twoKinds))).toEqual([
      'BLOCK_ACCOUNT',
      'FLAG_FOR_REVIEW',
      'FLAG_FOR_REVIEW',
      'MONITOR',
    ]);
  });

  it('takes a partial file and keeps the defaults for the rest', async () => {
    const config = await readTrainConfig(await configFile('partial.json', { policy: { block_above: 90 }, identity: { hub_cap: { ip: 10 } } }));
    expect(config.policy).toMatchObject({ block_above: 90, flag_above: 50 });
    expect(config.identity.hub_cap).toEqual({ bank: 20, device: 16, ip: 10 });
    expect(actionForScore(85, config.policy)).toBe('FLAG_FOR_REVIEW');
    expect(config.rules.length).toBeGreaterThan(0);
  });

  it('refuses a flag threshold at or above the block threshold, naming the field', async () => {
    const file = await configFile('inverted.json', { policy: { block_above: 40, flag_above: 60 } });
    await expect(readTrainConfig(file)).rejects.toThrow(ConfigError);
    await expect(readTrainConfig(file)).rejects.toThrow(/policy\.flag_above: flag_above must be lower than block_above/);
  });

  it('lists every invalid field at once: out-of-range thresholds, unknown keys, rules on unknown features', async () => {
    const file = await configFile('bad.json', {
      policy: { block_above: 120 },
      weights: { anomaly: -1 },
      surprise: true,
      rules: [{ code: 'odd', feature: 'no_such_feature', above: 1, weight: 0.5, description: 'x' }],
    });
    const error = (await readTrainConfig(file).then(
      () => null,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('policy.block_above');
    expect(error.message).toContain('weights.anomaly');
    expect(error.message).toMatch(/surprise/);
    expect(error.message).toMatch(/rules\.0\.feature: unknown feature "no_such_feature"/);
  });

  it('refuses a misspelt key at any depth rather than dropping it', async () => {
    await expect(readTrainConfig(await configFile('typo.json', { identity: { hub_caps: { ip: 10 } } }))).rejects.toThrow(/identity.*hub_caps/);
    await expect(readTrainConfig(await configFile('typo2.json', { detectors: { autoencoder: { epoch: 5 } } }))).rejects.toThrow(
      /detectors\.autoencoder.*epoch/,
    );
  });

  it('refuses a rule with both or neither threshold', async () => {
    const rule = { code: 'both', feature: 'login_country_changes', above: 1, below: 5, weight: 0.2, description: 'x' };
    await expect(readTrainConfig(await configFile('rule.json', { rules: [rule] }))).rejects.toThrow(/rules\.0.*exactly one of above \/ below/);
  });

  it('says which file is missing or is not JSON', async () => {
    await expect(readTrainConfig(path.join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: no such file/);
    await expect(readTrainConfig(await configFile('broken.json', '{"policy": '))).rejects.toThrow(/broken\.json: not valid JSON/);
  });
});
