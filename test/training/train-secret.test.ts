// The deployment's hashing secret end to end: training keys identifiers with it and writes only its fingerprint;
// no file of a version holds the secret or a raw identifier; loading refuses another secret and key-holding versions.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../data/load-dataset.js';
import { generateMarketplace } from '../../data/synthetic/generate-marketplace.js';
import { defaultHashSecretFile, HashSecretError } from '../../models/hash-secret.js';
import { ModelIntegrityError } from '../../models/read-model-version.js';
import { HashSecretMismatchError, secretFingerprint } from '../../models/secret-fingerprint.js';
import { hashIdentifier } from '../../training/identity/identity-index.js';
import { FILES, loadScoringParts } from '../../training/model-files.js';
import { trainModel, type TrainModelResult } from '../../training/train-model.js';
import { useTemporaryDirs } from '../temporary-dirs.js';

const tempDir = useTemporaryDirs('ringfence-train-secret-');
const SECRET = `e2e-secret-${randomBytes(12).toString('hex')}`;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(file)));
    else out.push(file);
  }
  return out;
}

/** Every needle that occurs in `text`, found by looking up each window of each needle length (thousands of needles). */
function needlesIn(text: string, needles: ReadonlySet<string>): string[] {
  const lengths = new Set([...needles].map((n) => n.length));
  const found = new Set<string>();
  for (const length of lengths) {
    for (let at = 0; at + length <= text.length; at++) {
      const window = text.slice(at, at + length);
      if (needles.has(window)) found.add(window);
    }
  }
  return [...found];
}

describe('training with a configured secret', () => {
  let dataDir: string;
  let modelsRoot: string;
  let trained: TrainModelResult;
  let raw: { ips: Set<string>; devices: Set<string>; banks: Set<string> };
  beforeAll(async () => {
    const root = await tempDir();
    dataDir = path.join(root, 'data');
    modelsRoot = path.join(root, 'models');
    await generateMarketplace(dataDir, { accounts: 240, seed: 5, fraudRate: 0.15 });
    trained = await trainModel({ dataDir, modelsRoot, name: 'keyed', seed: 1, hashSecret: SECRET });
    const dataset = await loadDataset(dataDir);
    raw = {
      ips: new Set(dataset.accounts.flatMap((a) => a.logins.map((l) => l.ip))),
      devices: new Set(dataset.accounts.flatMap((a) => a.logins.map((l) => l.device_id))),
      banks: new Set(dataset.accounts.flatMap((a) => a.payouts.map((p) => p.bank_hash))),
    };
  }, 120_000);

  it('writes no file (report/ included) holding the secret or any raw IP, device id or bank value of the input', async () => {
    const needles = new Set([SECRET, ...raw.ips, ...raw.devices, ...raw.banks]);
    expect(raw.ips.size).toBeGreaterThan(100);
    expect(raw.banks.size).toBeGreaterThan(50);
    // the scan finds them where they are: in the input files
    const inInput = needlesIn(await readFile(path.join(dataDir, 'logins.csv'), 'latin1'), needles);
    expect(inInput.length).toBeGreaterThan(raw.ips.size);
    const files = await filesUnder(trained.dir);
    expect(files.map((f) => path.relative(trained.dir, f))).toEqual(
      expect.arrayContaining([FILES.identityMeta, FILES.identityIndex, 'report/report.html', 'report/rings.csv', 'report/accounts.csv']),
    );
    for (const file of files)
      expect({ file: path.relative(trained.dir, file), found: needlesIn(await readFile(file, 'latin1'), needles) }).toEqual({
        file: path.relative(trained.dir, file),
        found: [],
      });
  });

  it('records the fingerprint of the secret in place of the secret, and creates no secret file', async () => {
    const meta = JSON.parse(await readFile(path.join(trained.dir, FILES.identityMeta), 'utf8')) as Record<string, unknown>;
    expect(meta['key_fingerprint']).toBe(secretFingerprint(SECRET));
    expect(meta).not.toHaveProperty('hash_key');
    expect(trained.secret).toEqual({ fingerprint: secretFingerprint(SECRET), origin: 'RINGFENCE_HASH_SECRET', created: false });
    await expect(stat(defaultHashSecretFile(modelsRoot))).rejects.toThrow(/ENOENT/);
  });

  it('hashes identifiers with the secret alone, so any retrain with it gives the same hashes', async () => {
    const lines = (await readFile(path.join(trained.dir, FILES.identityIndex), 'utf8')).trim().split('\n');
    const stored = new Set(lines.map((line) => (JSON.parse(line) as { kind: string; hash: string }).hash));
    const expected = new Set([
      ...[...raw.ips].map((v) => hashIdentifier(SECRET, 'ip', v)),
      ...[...raw.devices].map((v) => hashIdentifier(SECRET, 'device', v)),
      ...[...raw.banks].map((v) => hashIdentifier(SECRET, 'bank', v)),
    ]);
    expect(stored).toEqual(expected);
  });

  it('loads with the same secret and refuses another, or none, naming the reason', async () => {
    const { parts } = await loadScoringParts(modelsRoot, 'keyed', trained.version, { hashSecret: SECRET });
    expect(parts.identityIndex.hashKey).toBe(SECRET);
    const wrong = await loadScoringParts(modelsRoot, 'keyed', trained.version, { hashSecret: 'another-secret' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(HashSecretMismatchError);
    expect((wrong as Error).message).toContain(
      `model keyed/${trained.version} was written with a hashing secret of fingerprint ${secretFingerprint(SECRET).slice(0, 12)}`,
    );
    expect((wrong as Error).message).toContain(
      `this process's secret (RINGFENCE_HASH_SECRET) has fingerprint ${secretFingerprint('another-secret').slice(0, 12)}`,
    );
    const none = await loadScoringParts(modelsRoot, 'keyed', trained.version).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(HashSecretError);
    expect((none as Error).message).toMatch(/no hashing secret: set RINGFENCE_HASH_SECRET/);
  });

  it('refuses a version written by an earlier ringfence that holds the secret itself (hash_key)', async () => {
    const metaFile = path.join(trained.dir, FILES.identityMeta);
    const manifestFile = path.join(trained.dir, 'manifest.json');
    const [metaText, manifestText] = await Promise.all([readFile(metaFile, 'utf8'), readFile(manifestFile, 'utf8')]);
    try {
      const { key_fingerprint: _dropped, ...meta } = JSON.parse(metaText) as Record<string, unknown>;
      const legacy = `${JSON.stringify({ ...meta, format_version: 1, hash_key: SECRET })}\n`;
      const manifest = JSON.parse(manifestText) as { files: Record<string, { sha256: string; bytes: number }> };
      manifest.files[FILES.identityMeta] = { sha256: createHash('sha256').update(legacy).digest('hex'), bytes: Buffer.byteLength(legacy) };
      await writeFile(metaFile, legacy);
      await writeFile(manifestFile, JSON.stringify(manifest));
      const error = await loadScoringParts(modelsRoot, 'keyed', trained.version, { hashSecret: SECRET }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelIntegrityError);
      expect((error as ModelIntegrityError).file).toBe(metaFile);
      expect((error as Error).message).toMatch(/holds the identifier hashing secret itself \(hash_key\).*train a new version with this ringfence/);
    } finally {
      await Promise.all([writeFile(metaFile, metaText), writeFile(manifestFile, manifestText)]);
    }
  });
});

describe('training without a configured secret', () => {
  it("creates the deployment's secret file in the models root once (mode 0600) and keys every version with it", async () => {
    const root = await tempDir();
    const dataDir = path.join(root, 'data');
    const modelsRoot = path.join(root, 'models');
    await generateMarketplace(dataDir, { accounts: 120, seed: 9 });
    const first = await trainModel({ dataDir, modelsRoot, name: 'm', seed: 1 });
    const secretFile = defaultHashSecretFile(modelsRoot);
    expect(first.secret).toMatchObject({ origin: `secret file ${secretFile}`, created: true });
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    const key = (await readFile(secretFile, 'utf8')).trim();
    expect(first.secret.fingerprint).toBe(secretFingerprint(key));
    const second = await trainModel({ dataDir, modelsRoot, name: 'other', seed: 2 });
    expect(second.secret).toEqual({ ...first.secret, created: false });
    expect((await readFile(secretFile, 'utf8')).trim()).toBe(key);
    for (const trained of [first, second]) {
      const meta = JSON.parse(await readFile(path.join(trained.dir, FILES.identityMeta), 'utf8')) as { key_fingerprint: string };
      expect(meta.key_fingerprint).toBe(secretFingerprint(key));
      expect(needlesIn(await readFile(path.join(trained.dir, FILES.identityMeta), 'latin1'), new Set([key]))).toEqual([]);
    }
    // score and serve read the same file by default
    expect((await loadScoringParts(modelsRoot, 'other')).parts.identityIndex.hashKey).toBe(key);
  }, 120_000);
});
