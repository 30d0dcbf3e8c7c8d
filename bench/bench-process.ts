// What the benchmarks share: generating data in a child process (so this process's peak memory is the measured
// work's own) and that peak, read from the kernel rather than sampled (a timer misses peaks inside long steps).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs `ringfence generate` of the same build as the calling script (compiled, or the sources under tsx). */
export function generateInChild(out: string, accounts: number, seed: number, extraArgs: readonly string[] = []): void {
  const cli = path.join(here, `../cli/ringfence${path.extname(fileURLToPath(import.meta.url))}`);
  execFileSync(
    process.execPath,
    [...process.execArgv, cli, 'generate', '--accounts', String(accounts), '--seed', String(seed), '--out', out, ...extraArgs],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, RINGFENCE_QUIET: '1' },
    },
  );
}

/** Peak resident memory of this process so far, MiB (getrusage ru_maxrss). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
