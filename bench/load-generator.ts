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

/**
 * A body whose account is new in every request: `template` with each of the JSON string literals in `fresh` (quotes
 * included) replaced by a value no other request of the run, or of any earlier run of this process, carries: an IPv4
 * address for kind 'ip', else an identifier. One body repeated re-records the same account in the live identity
 * state each time (its old links out, its new ones in); new sign-ups add accounts to it instead.
 */
export interface FreshAccountBodies {
  readonly template: string;
  readonly fresh: readonly { readonly literal: string; readonly kind: 'id' | 'ip' }[];
}

export interface LoadGenerator {
  readonly name: 'wrk' | 'autocannon';
  /** POSTs `body` (the same each time, or a new account each time) as JSON to `url` over `connections` keep-alive connections for `seconds` */
  run(url: string, body: string | FreshAccountBodies, connections: number, seconds: number): Promise<LoadResult>;
}

/** Requests numbered per run from run × RUN_STRIDE: runs never reuse an account, and 2^24 numbers make distinct 10.x.y.z addresses. */
const RUN_STRIDE = 2 ** 18;
let runsStarted = 0;

/** The template cut at its fresh literals: the text between them, and the kind of value each cut gets. */
function cutTemplate(bodies: FreshAccountBodies): { parts: string[]; kinds: ('id' | 'ip')[] } {
  const parts: string[] = [];
  const kinds: ('id' | 'ip')[] = [];
  const byLiteral = new Map(bodies.fresh.map((f) => [f.literal, f.kind]));
  const pattern = new RegExp([...byLiteral.keys()].map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  let last = 0;
  for (const match of bodies.template.matchAll(pattern)) {
    parts.push(bodies.template.slice(last, match.index));
    kinds.push(byLiteral.get(match[0])!);
    last = match.index + match[0].length;
  }
  parts.push(bodies.template.slice(last));
  if (kinds.length === 0) throw new Error('none of the fresh literals occurs in the template');
  return { parts, kinds };
}

/** Request n's value of a cut: a JSON string literal. */
function freshValue(kind: 'id' | 'ip', n: number): string {
  return kind === 'ip' ? `"10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}"` : `"fresh-${n}"`;
}

/** The wrk script of a run: a fixed body, or each request's body built from the template's parts (in a file, split at NUL bytes). */
async function wrkScript(workDir: string, body: string | FreshAccountBodies, run: number): Promise<string> {
  const header = 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n';
  const script = path.join(workDir, `post-${run}.lua`);
  const bodyFile = path.join(workDir, `body-${run}.json`);
  if (typeof body === 'string') {
    await writeFile(bodyFile, body);
    await writeFile(script, `${header}local f = assert(io.open(${JSON.stringify(bodyFile)}, "rb"))\nwrk.body = f:read("*a")\nf:close()\n`);
    return script;
  }
  const { parts, kinds } = cutTemplate(body);
  if (parts.some((part) => part.includes('\0'))) throw new Error('the template holds a NUL byte');
  await writeFile(bodyFile, parts.join('\0'));
  await writeFile(
    script,
    `${header}local f = assert(io.open(${JSON.stringify(bodyFile)}, "rb"))
local text = f:read("*a")
f:close()
local parts = {}
local from = 1
while true do
  local at = string.find(text, "\\0", from, true)
  if not at then break end
  parts[#parts + 1] = string.sub(text, from, at - 1)
  from = at + 1
end
parts[#parts + 1] = string.sub(text, from)
local kinds = { ${kinds.map((k) => `"${k}"`).join(', ')} }
local n = ${run * RUN_STRIDE}
request = function()
  n = n + 1
  local out = {}
  for i = 1, #kinds do
    out[#out + 1] = parts[i]
    if kinds[i] == "ip" then
      out[#out + 1] = string.format('"10.%d.%d.%d"', math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
    else
      out[#out + 1] = '"fresh-' .. n .. '"'
    end
  end
  out[#out + 1] = parts[#parts]
  return wrk.format(nil, nil, nil, table.concat(out))
end
`,
  );
  return script;
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

export function wrkInstalled(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version prints its usage and exits 1; only a missing binary is ENOENT
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

export function wrkGenerator(workDir: string): LoadGenerator {
  return {
    name: 'wrk',
    async run(url, body, connections, seconds) {
      const script = await wrkScript(workDir, body, runsStarted++);
      const output = await new Promise<string>((resolve, reject) =>
        execFile('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        ),
      );
      return parseWrkOutput(output);
    },
  };
}

export const autocannonGenerator: LoadGenerator = {
  name: 'autocannon',
  async run(url, body, connections, seconds) {
    const headers = { 'content-type': 'application/json' };
    let fresh: { parts: string[]; kinds: ('id' | 'ip')[] } | null = null;
    let n = runsStarted++ * RUN_STRIDE;
    if (typeof body !== 'string') fresh = cutTemplate(body);
    const freshBody = (cut: { parts: string[]; kinds: ('id' | 'ip')[] }) => {
      n++;
      return cut.parts.map((part, i) => (i < cut.kinds.length ? part + freshValue(cut.kinds[i]!, n) : part)).join('');
    };
    const result = await autocannon({
      url,
      method: 'POST',
      headers,
      connections,
      duration: seconds,
      ...(fresh === null
        ? { body: body as string }
        : { requests: [{ method: 'POST', headers, setupRequest: (request) => ({ ...request, body: freshBody(fresh!) }) }] }),
    });
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
