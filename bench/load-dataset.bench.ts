// Loader throughput and memory against DuckDB's read_csv on the same files, in the same run.
//
//   npm run bench:build && node dist-bench/bench/load-dataset.bench.js [--accounts 100000] [--data DIR] [--keep]
//
// Generates a synthetic marketplace with `ringfence generate` (or uses --data DIR), loads it with full
// validation through loadDataset in a child process (so its peak RSS is the loader's alone), then reads the
// same CSV files with DuckDB (2 threads here) in three ways, per table: `SELECT count(*) FROM read_csv(file,
// all_varchar = true)`, the raw read rate, where DuckDB only has to find record boundaries (no column is
// projected); `SELECT count(col1), count(col2), ... FROM read_csv(file, all_varchar = true)`, which makes it
// split and materialise every field as text; and the same with auto-detected types (it parses numbers and
// timestamps). Prints rows/s, MB/s, peak RSS and the ratios; append the figures to bench/RESULTS.md by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TABLE_COLUMNS } from '../data/tables.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '100000' },
    data: { type: 'string' },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

const TABLES = Object.keys(TABLE_COLUMNS) as (keyof typeof TABLE_COLUMNS)[];

if (values.child) {
  // child: load once with full validation, report time and peak RSS as one JSON line
  const { loadDataset } = await import('../data/load-dataset.js');
  const baselineRss = process.memoryUsage().rss;
  const start = performance.now();
  const dataset = await loadDataset(values.child);
  const seconds = (performance.now() - start) / 1000;
  // the kernel's peak (getrusage), not a timer's samples: those miss peaks inside long synchronous steps
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const rows = Object.values(dataset.summary.tables).reduce((a, t) => a + t.rows, 0);
  process.stdout.write(
    `${JSON.stringify({ seconds, rows, accounts: dataset.accounts.length, baselineRss, peakRss, heapUsed: process.memoryUsage().heapUsed })}\n`,
  );
  process.exit(0);
}

const mb = (bytes: number) => bytes / 1e6;
const folder = values.data ? path.resolve(values.data) : await mkdtemp(path.join(tmpdir(), 'ringfence-bench-load-'));
try {
  if (!values.data) {
    const started = performance.now();
    // the same runtime as this script (compiled, or tsx when run from the sources)
    const cli = path.join(root, `cli/ringfence${path.extname(fileURLToPath(import.meta.url))}`);
    execFileSync(process.execPath, [...process.execArgv, cli, 'generate', '--accounts', String(values.accounts), '--seed', '1', '--out', folder], {
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
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', folder], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`loader child failed: ${child.stderr}`);
  const loader = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as {
    seconds: number;
    rows: number;
    accounts: number;
    baselineRss: number;
    peakRss: number;
    heapUsed: number;
  };

  // DuckDB reference on the same files
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const duck = async (options: string, isEveryColumn: boolean) => {
    let rows = 0;
    const start = performance.now();
    for (const file of files) {
      const columns = TABLE_COLUMNS[file.replace('.csv', '') as keyof typeof TABLE_COLUMNS].map((c) => c.name);
      const select = isEveryColumn ? `count(*), ${columns.map((c) => `count(${c})`).join(', ')}` : 'count(*)';
      const result = await connection.runAndReadAll(`SELECT ${select} FROM read_csv('${path.join(folder, file)}', ${options})`);
      rows += Number(result.getRows()[0]?.[0] as bigint);
    }
    return { seconds: (performance.now() - start) / 1000, rows };
  };
  await duck('all_varchar = true', false); // warm the file cache and DuckDB's code paths once
  const duckRaw = await duck('all_varchar = true', false);
  const duckVarchar = await duck('all_varchar = true', true);
  const duckTyped = await duck('auto_detect = true', true);
  connection.closeSync();
  instance.closeSync();
  const threads = (await import('node:os')).availableParallelism();

  const line = (name: string, r: { seconds: number; rows: number }) =>
    `${name.padEnd(44)} ${r.seconds.toFixed(2).padStart(7)} s ${(r.rows / r.seconds / 1e6).toFixed(2).padStart(6)} M rows/s ${(mb(csvBytes) / r.seconds).toFixed(1).padStart(7)} MB/s`;
  console.log('');
  console.log(line('ringfence loadDataset (full validation)', loader));
  console.log(line(`DuckDB all_varchar count(*) (${threads} threads)`, duckRaw));
  console.log(line(`DuckDB all_varchar count(every column)`, duckVarchar));
  console.log(line(`DuckDB auto types count(every column)`, duckTyped));
  console.log('');
  console.log(`rows: loader ${loader.rows}, DuckDB ${duckRaw.rows}${loader.rows === duckRaw.rows ? ' (same)' : ' (DIFFERENT)'}`);
  const ratio = (r: { seconds: number }) => `${((r.seconds / loader.seconds) * 100).toFixed(0)}%`;
  console.log(`loader rate / DuckDB raw count(*) rate: ${ratio(duckRaw)} (target >= 25%)`);
  console.log(`loader rate / DuckDB every column as text: ${ratio(duckVarchar)}; typed: ${ratio(duckTyped)}`);
  console.log(
    `loader peak RSS ${mb(loader.peakRss).toFixed(0)} MB (process baseline ${mb(loader.baselineRss).toFixed(0)} MB, heap after load ${mb(loader.heapUsed).toFixed(0)} MB) = ${(loader.peakRss / csvBytes).toFixed(2)} x CSV size (target well under 3 x)`,
  );
} finally {
  if (!values.data && !values.keep) await rm(folder, { recursive: true, force: true });
}
