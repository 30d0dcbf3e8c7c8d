// Sums the samples of a V8 .cpuprofile (node --cpu-prof) per function, self and inclusive (a function counted once per
// stack, however deep it recurses), in percent of the samples kept; the first seconds (start-up, model load) can be
// left out; and per owner, the first frame up the stack in this project or a package. Used for the predict path's profile of issue 21 (bench/RESULTS.md).
// Usage: npm run bench:build && node dist-bench/bench/cpuprofile-summary.js FILE.cpuprofile [skipSeconds=3] [rows=40]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  /** microseconds since the previous sample */
  readonly timeDeltas: readonly number[];
}

/** "function file:line", the file cut to its part under dist/ or node_modules/ */
const functionKey = (node: ProfileNode) =>
  `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;

/**
 * Who a sample's time is for: the first frame up the stack in this project's compiled code (its file) or in a package
 * (its name), so that Node's internals count for the code that called them; V8's own states ((idle), (garbage
 * collector), (program)) as they are.
 */
function ownerKey(byId: Map<number, ProfileNode>, parentOf: Map<number, number>, leaf: number): string {
  const state = byId.get(leaf)!.callFrame.functionName;
  if (state === '(idle)' || state === '(garbage collector)' || state === '(program)') return state;
  for (let at: number | undefined = leaf; at !== undefined; at = parentOf.get(at)) {
    const url = byId.get(at)!.callFrame.url;
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (inPackage) return `package ${inPackage[1]}`;
    const ours = /\/dist(?:-bench)?\/(.*)$/.exec(url);
    if (ours) return ours[1] as string;
  }
  return `node ${byId.get(leaf)!.callFrame.functionName || byId.get(leaf)!.callFrame.url}`;
}

/** Per function: samples where it was running (self) and where it was on the stack (inclusive); per owner (ownerKey); and the samples kept. */
function sumSamples(
  profile: CpuProfile,
  skipSeconds: number,
): { self: Map<string, number>; inclusive: Map<string, number>; owners: Map<string, number>; total: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const owners = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let time = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i] ?? 0;
    if (time - profile.startTime < skipSeconds * 1e6) return;
    total++;
    add(self, functionKey(byId.get(id)!));
    add(owners, ownerKey(byId, parentOf, id));
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) onStack.add(functionKey(byId.get(at)!));
    for (const key of onStack) add(inclusive, key);
  });
  return { self, inclusive, owners, total };
}

const [file, skip = '3', rows = '40'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node dist-bench/bench/cpuprofile-summary.js FILE.cpuprofile [skipSeconds=3] [rows=40]');
  process.exit(2);
}
const { self, inclusive, owners, total } = sumSamples(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(skip));
const table = (title: string, counts: Map<string, number>) => {
  console.log(`\n${title} (% of ${total} samples)`);
  for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, Number(rows)))
    console.log(`${((100 * count) / total).toFixed(1).padStart(5)}  ${key}`);
};
table('self', self);
table('inclusive', inclusive);
table('by owner: the first frame up the stack in this project or a package', owners);
