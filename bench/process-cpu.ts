// CPU time (user + system) of a process and its children from /proc, Linux only: CPU per request measures the
// service's own cost, which other work on a shared machine disturbs far less than throughput.
import { readFileSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node runs on

function ticksOf(pid: number): number {
  // fields after the command name, which is in parentheses and may hold spaces
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
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
