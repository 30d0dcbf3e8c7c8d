// The load generator of bench/predict-load: wrk (C, one thread, far lighter) when installed, else autocannon, which
// runs in the bench process and takes most of a core from the servers it measures on a 2-core machine.
import { execFile, execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';

export interface LoadResult {
  readonly rps: number;
  /** ms */
  readonly p50: number;
  readonly p99: number;
  /** socket errors, timeouts and non-2xx answers */
  readonly errors: number;
}

export interface LoadGenerator {
  readonly name: 'wrk' | 'autocannon';
  /** POSTs `body` as JSON to `url` over `connections` keep-alive connections for `seconds` */
  run(url: string, body: string, connections: number, seconds: number): Promise<LoadResult>;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function toMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`wrk latency '${text}' not understood`);
  return Number(match[1]) * UNIT_MS[match[2] as string]!;
}

/** Reads req/s, the 50th and 99th latency percentiles and the error counts from `wrk --latency` output. */
export function parseWrkOutput(output: string): LoadResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  if (!rps || !p50 || !p99) throw new Error(`wrk output not understood:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return { rps: Number(rps[1]), p50: toMs(p50[1] as string), p99: toMs(p99[1] as string), errors };
}

function wrkInstalled(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version prints its usage and exits 1; only a missing binary is ENOENT
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function wrkGenerator(workDir: string): LoadGenerator {
  return {
    name: 'wrk',
    async run(url, body, connections, seconds) {
      const bodyFile = path.join(workDir, `body-${body.length}.json`);
      const script = path.join(workDir, `post-${body.length}.lua`);
      await writeFile(bodyFile, body);
      await writeFile(
        script,
        `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = assert(io.open(${JSON.stringify(bodyFile)}, "rb"))\nwrk.body = f:read("*a")\nf:close()\n`,
      );
      const output = await new Promise<string>((resolve, reject) =>
        execFile('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        ),
      );
      return parseWrkOutput(output);
    },
  };
}

const autocannonGenerator: LoadGenerator = {
  name: 'autocannon',
  async run(url, body, connections, seconds) {
    const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: seconds });
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
    };
  },
};

export function chooseLoadGenerator(workDir: string): LoadGenerator {
  return wrkInstalled() ? wrkGenerator(workDir) : autocannonGenerator;
}
