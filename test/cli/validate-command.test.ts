import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/cli-command.js';
import { runCli } from '../../cli/run-cli.js';

const BROKEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/broken');

function capture(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function validate(args: string[], cwd = process.cwd()) {
  const stdout = capture();
  const stderr = capture();
  const io: CliIo = { stdout: stdout.stream, stderr: stderr.stream, cwd, env: { RINGFENCE_QUIET: '1' } };
  const code = await runCli(['validate', ...args], io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ringfence-validate-'));
  await writeFile(
    path.join(dir, 'accounts.csv'),
    'account_id,created_at,country,has_2fa\nA1,2026-01-01T00:00:00Z,DE,true\nA2,2026-01-02T00:00:00Z,US,false\n',
  );
  await writeFile(
    path.join(dir, 'logins.csv'),
    'account_id,ts,ip,country,device_id,browser\nA1,2026-01-05T10:00:00Z,10.0.0.1,DE,d1,ff\nA2,2026-01-01T10:00:00Z,10.0.0.2,US,d2,ch\n',
  );
  await writeFile(path.join(dir, 'labels.csv'), 'account_id,label,kind,difficulty\nA1,0,,\nA2,1,bot,easy\n');
  await writeFile(path.join(dir, 'rings.csv'), 'ring_id,account_id\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ringfence validate', () => {
  it('prints per-table rows, time range, label mix and notes, and exits 0 when the folder loads', async () => {
    const { code, stdout, stderr } = await validate(['--data', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^table +file +format +rows +rejected +size\n/);
    expect(stdout).toMatch(/\naccounts +accounts\.csv +csv +2 +0 /);
    expect(stdout).toMatch(/\nlogins +logins\.csv +csv +2 +0 /);
    expect(stdout).toContain('time range: 2026-01-01T10:00:00.000Z .. 2026-01-05T10:00:00.000Z (events)');
    expect(stdout).toContain('labels:     1 normal, 1 fraud (bot 1)');
    expect(stdout).toContain(
      'warning: 1 logins dated before their account was created (kept as they are) [event-before-account-creation], e.g. logins.csv:3',
    );
    expect(stdout).toContain('note: logins.csv columns not in the contract were ignored: browser');
    expect(stdout).toContain('note: files that are not input tables were ignored: rings.csv');
  });

  const broken: [folder: string, location: string][] = [
    ['bad-timestamp', 'logins.csv line 3, column ts:'],
    ['non-numeric-amount', 'proposals.csv line 5, column bid_amount:'],
    ['missing-column', 'logins.csv line 1 (header): missing required column device_id'],
    ['ragged-row', 'logins.csv line 4, column device_id:'],
    ['unterminated-quote', 'proposals.csv line 3, column text:'],
    ['unknown-account', 'logins.csv line 4, column account_id:'],
    ['wrong-type-jsonl', 'tests.jsonl line 2, column score:'],
  ];
  it.each(broken)('exits 1 on %s, naming file, line and column, without a stack trace', async (folder, location) => {
    const { code, stdout, stderr } = await validate(['--data', path.join(BROKEN, folder)]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(location);
    expect(stderr).toMatch(/^error/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 on a truncated gzip, naming the file', async () => {
    const folder = await mkdtemp(path.join(dir, 'gz-'));
    await writeFile(path.join(folder, 'accounts.csv'), 'account_id,created_at,country,has_2fa\nA1,2026-01-01T00:00:00Z,DE,true\n');
    const rows = Array.from({ length: 1000 }, (_, i) => `A1,2026-01-05T10:00:00Z,10.0.${i % 100}.1,DE,d${i}`).join('\n');
    const gz = gzipSync(`account_id,ts,ip,country,device_id\n${rows}\n`);
    await writeFile(path.join(folder, 'logins.csv.gz'), gz.subarray(0, gz.length >> 1));
    const { code, stderr } = await validate(['--data', folder]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/logins\.csv\.gz line \d+: the gzip data is truncated or corrupt/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('writes rejects, prints where, and still exits 1 when rows were rejected', async () => {
    const { code, stdout } = await validate(['--data', path.join(BROKEN, 'bad-timestamp'), '--rejects', path.join(dir, 'rejects.jsonl')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/\nlogins +logins\.csv +csv +1 +1 /);
    expect(stdout).toContain(`rejected: 1 bad row written to ${path.join(dir, 'rejects.jsonl')}`);
    expect(JSON.parse(await readFile(path.join(dir, 'rejects.jsonl'), 'utf8'))).toMatchObject({ table: 'logins', line: 3, column: 'ts' });
  });

  it('exits 1 with a clear message on an empty folder', async () => {
    const empty = await mkdtemp(path.join(dir, 'empty-'));
    const { code, stderr } = await validate(['--data', empty]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: the data folder .* is empty: it needs at least an accounts table/);
  });

  it('exits 2 on bad usage', async () => {
    expect((await validate([])).code).toBe(2);
    expect((await validate(['--data', dir, '--max-errors', '0'])).code).toBe(2);
    expect((await validate(['--data', dir, '--bogus'])).code).toBe(2);
  });

  it('lists at most --max-errors errors', async () => {
    const folder = await mkdtemp(path.join(dir, 'many-'));
    await writeFile(
      path.join(folder, 'accounts.csv'),
      `account_id,created_at,country,has_2fa\n${Array.from({ length: 10 }, (_, i) => `A${i},bad,DE,true`).join('\n')}\n`,
    );
    const { code, stderr } = await validate(['--data', folder, '--max-errors', '2']);
    expect(code).toBe(1);
    expect(stderr.match(/ {2}- accounts\.csv line \d+, column created_at/g)).toHaveLength(2);
    expect(stderr).toContain('... and 8 more');
    expect(stderr).toContain('--rejects FILE');
  });
});
