// Loader throughput and memory against DuckDB's read_csv on the same files, in the same run.
//
//   npx tsx bench/load-dataset.bench.ts [--accounts 100000] [--data DIR] [--keep]
//
// Generates a synthetic marketplace with `ringfence generate` (or uses --data DIR), loads it with full
// validation through loadDataset in a child process (so its peak RSS is the loader's alone), then reads the
// same CSV files with DuckDB: `SELECT count(*) FROM read_csv(file, all_varchar = true)` per table, which makes
// DuckDB split every record and field but convert nothing (its raw read rate), and the same with auto-detected
// types. Prints rows/s, MB/s, peak RSS and the ratios; append the figures to bench/RESULTS.md by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { accounts: { type: 'string', default: '100000' }, data: { type: 'string' }, keep: { type: 'boolean', default: false }, child: { type: 'string' } },
});

const TABLES = ['accounts', 'logins', 'proposals', 'tests', 'payouts', 'labels'];

if (values.child) {
  // child: load once with full validation, report time and peak RSS as one JSON line
  const { loadDataset } = await import('../data/load-dataset.js');
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const start = performance.now();
  const dataset = await loadDataset(values.child);
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const rows = Object.values(dataset.summary.tables).reduce((a, t) => a + t.rows, 0);
  process.stdout.write(`${JSON.stringify({ seconds, rows, accounts: dataset.accounts.length, baselineRss, peakRss, heapUsed: process.memoryUsage().heapUsed })}\n`);
  process.exit(0);
}

const mb = (bytes: number) => bytes / 1e6;
const folder = values.data ? path.resolve(values.data) : await mkdtemp(path.join(tmpdir(), 'ringfence-bench-load-'));
try {
  if (!values.data) {
    const started = performance.now();
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'cli/ringfence.ts'), 'generate', '--accounts', String(values.accounts), '--seed', '1', '--out', folder], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, RINGFENCE_QUIET: '1' },
    });
    console.log(`generated ${values.accounts} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s → ${folder}`);
  }
  const files = (await readdir(folder)).filter((f) => TABLES.some((t) => f === `${t}.csv`));
  const sizes = await Promise.all(files.map(async (f) => (await stat(path.join(folder, f))).size));
  const csvBytes = sizes.reduce((a, b) => a + b, 0);
  console.log(`CSV input: ${files.length} tables, ${mb(csvBytes).toFixed(1)} MB`);

  // ringfence loader, in a child so peak RSS is its own
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', folder], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`loader child failed: ${child.stderr}`);
  const loader = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as { seconds: number; rows: number; accounts: number; baselineRss: number; peakRss: number; heapUsed: number };

  // DuckDB reference on the same files
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const duck = async (options: string) => {
    let rows = 0;
    const start = performance.now();
    for (const file of files) {
      const result = await connection.runAndReadAll(`SELECT count(*) FROM read_csv('${path.join(folder, file)}', ${options})`);
      rows += Number(result.getRows()[0]?.[0] as bigint);
    }
    return { seconds: (performance.now() - start) / 1000, rows };
  };
  await duck('all_varchar = true'); // warm the file cache and DuckDB's code paths once
  const duckVarchar = await duck('all_varchar = true');
  const duckTyped = await duck('auto_detect = true');
  connection.closeSync();
  instance.closeSync();
  const threads = (await import('node:os')).availableParallelism();

  const line = (name: string, r: { seconds: number; rows: number }) =>
    `${name.padEnd(44)} ${r.seconds.toFixed(2).padStart(7)} s ${(r.rows / r.seconds / 1e6).toFixed(2).padStart(6)} M rows/s ${(mb(csvBytes) / r.seconds).toFixed(1).padStart(7)} MB/s`;
  console.log('');
  console.log(line('ringfence loadDataset (full validation)', loader));
  console.log(line(`DuckDB read_csv all_varchar count(*) (${threads} threads)`, duckVarchar));
  console.log(line(`DuckDB read_csv auto types count(*)`, duckTyped));
  console.log('');
  console.log(`rows: loader ${loader.rows} (+ header lines), DuckDB ${duckVarchar.rows}${loader.rows === duckVarchar.rows ? ' (same)' : ' (DIFFERENT)'}`);
  console.log(`loader rate / DuckDB all_varchar rate: ${((duckVarchar.seconds / loader.seconds) * 100).toFixed(0)}% (target >= 25%)`);
  console.log(`loader rate / DuckDB auto-typed rate:  ${((duckTyped.seconds / loader.seconds) * 100).toFixed(0)}%`);
  console.log(
    `loader peak RSS ${mb(loader.peakRss).toFixed(0)} MB (process baseline ${mb(loader.baselineRss).toFixed(0)} MB, heap after load ${mb(loader.heapUsed).toFixed(0)} MB) = ${(loader.peakRss / csvBytes).toFixed(2)} x CSV size (target well under 3 x)`,
  );
} finally {
  if (!values.data && !values.keep) await rm(folder, { recursive: true, force: true });
}
