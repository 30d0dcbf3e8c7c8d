// CPU time (user + system) of a process and its children from /proc, Linux only: CPU per request measures the
// service's own cost, which other work on a shared machine disturbs far less than throughput.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node runs on

function ticksOf(pid: number, file = `/proc/${pid}/stat`): number {
  // fields after the command name, which is in parentheses and may hold spaces
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}

function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(' ').map(Number) : [];
}

/** CPU milliseconds used so far by `pid` and its children (workers), or null where /proc cannot tell. */
export function processTreeCpuMs(pid: number): number | null {
  if (os.platform() !== 'linux') return null;
  try {
    return ([pid, ...childrenOf(pid)].reduce((sum, p) => sum + ticksOf(p), 0) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * CPU milliseconds used so far by this process's main thread and by its other threads together (V8's compiler and
 * garbage-collector helpers, libuv's pool, LMDB's writer), or null where /proc cannot tell.
 */
export function ownThreadsCpuMs(): { main: number; others: number } | null {
  if (os.platform() !== 'linux') return null;
  try {
    let main = 0;
    let others = 0;
    for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
      const ms = (ticksOf(process.pid, `/proc/${process.pid}/task/${tid}/stat`) * 1000) / CLOCK_TICKS_PER_SECOND;
      if (Number(tid) === process.pid) main += ms;
      else others += ms;
    }
    return { main, others };
  } catch {
    return null;
  }
}
