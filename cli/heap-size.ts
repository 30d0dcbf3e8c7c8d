// The V8 heap limit for the data-heavy commands: Node's default (about 4 GiB on 64-bit) is too small for training on
// a million accounts, whose feature summaries, identity graph and one shard of events are held at once (measured:
// 6.6 GiB peak RSS with a 7 GiB heap; out of memory with the default).
import { spawn } from 'node:child_process';
import os from 'node:os';
import v8 from 'node:v8';

const MIB = 1024 * 1024;
/** heap limit the data-heavy commands run with, MiB */
export const DATA_HEAP_MIB = 7168;
const DATA_COMMANDS = new Set(['train', 'score', 'demo']);

/**
 * The node arguments that rerun this command with a larger heap, or null when it is not a data-heavy command, the
 * heap is already large enough, the user chose a limit, or the machine has too little memory for it.
 */
export function largerHeapArgs(argv: readonly string[], execArgv: readonly string[], env: NodeJS.ProcessEnv): string[] | null {
  if (!DATA_COMMANDS.has(argv[0] ?? '')) return null;
  const chosen = [...execArgv, env['NODE_OPTIONS'] ?? ''].some((a) => a.includes('--max-old-space-size'));
  if (chosen || env['RINGFENCE_NO_HEAP_RESIZE'] === '1') return null;
  if (v8.getHeapStatistics().heap_size_limit / MIB >= DATA_HEAP_MIB) return null;
  if (os.totalmem() / MIB < DATA_HEAP_MIB * 1.25) return null;
  return [`--max-old-space-size=${DATA_HEAP_MIB}`, ...execArgv];
}

/**
 * Reruns this script in a child with the larger heap and resolves to its exit code, or rejects when the child cannot
 * be started; SIGINT and SIGTERM sent to this process are passed on, so a scheduler stopping the command stops the work.
 */
export async function rerunWithHeap(nodeArgs: readonly string[], script: string, argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...nodeArgs, script, ...argv], { stdio: 'inherit', env: { ...process.env, RINGFENCE_NO_HEAP_RESIZE: '1' } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      // only a child that never started rejects (the caller then runs the command itself); a failed kill does not
      let started = false;
      child.once('spawn', () => (started = true));
      child.on('error', (error) => {
        if (!started) reject(error);
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}
