// SIGINT / SIGTERM while a command writes: remove its temporary outputs, say so, and end by the same signal.
import os from 'node:os';
import { removeTemporaryOutputsSync } from '../data/temporary-outputs.js';
import type { CliIo } from './cli-command.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Until the returned function is called, SIGINT and SIGTERM remove every temporary output being written (see
 * data/temporary-outputs.ts) and then end the process by that signal, so a shell or scheduler sees how it ended.
 */
export function removeOutputsOnSignal(io: Pick<CliIo, 'stderr'>): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    const removed = removeTemporaryOutputsSync();
    stop();
    const what = removed.length > 0 ? `removed the unfinished output (${removed.join(', ')})` : 'no output had been started';
    io.stderr.write(`\ninterrupted by ${signal}: ${what}\n`);
    // with no listener left, the signal's default action ends the process; the exit code is the fallback
    process.exitCode = 128 + (os.constants.signals[signal] ?? 0);
    process.kill(process.pid, signal);
  };
  const stop = () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return stop;
}
