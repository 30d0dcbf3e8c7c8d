// seeded normal accounts, honest groups and labelled fraud → tables, labels, true rings and true honest groups
//
// Every account draws from its own stream (`fork`), so the output is byte-for-byte reproducible and accounts are
// generated one at a time: memory stays flat however many accounts are asked for. Only the population plan
// (which account is which kind, and group membership) is held for the whole population: a few bytes per account.
// What the population looks like (rates of honest groups, fraud mix) is the world (world-config.ts).
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createCsvWriter, type CsvWriter } from '../csv-writer.js';
import type { ProgressEvent } from '../progress-event.js';
import { createSeededRandom, type SeededRandom } from '../seeded-random.js';
import { TABLE_COLUMNS, TRUTH_TABLE_COLUMNS } from '../tables.js';
import { trackTemporaryOutput } from '../temporary-outputs.js';
import { bidAbuseAccount, botAccount, ringMember, ringShared, takeoverAccount, testCheatAccount } from './fraud-accounts.js';
import { honestAccount, networkPools, type AccountOut, type Affiliation, type NetworkPools } from './honest-account.js';
import { agencyMember, householdOf, reopenedMember } from './honest-groups.js';
import { imitatingRing, imitatingRingMember } from './imitating-rings.js';
import { isFraudRingKind, planPopulation, type Plan } from './population-plan.js';
import { DEFAULT_WORLD, FRAUD_KINDS, WORLD_PRESETS, type FraudKind, type HonestGroupKind, type World } from './world-config.js';

export { FRAUD_KINDS, type FraudKind } from './world-config.js';

export interface GenerateOptions {
  readonly accounts: number;
  readonly seed: number;
  /** the population's rates; default: the `baseline` preset */
  readonly world?: World;
  /** share of fraudulent accounts; default: the world's */
  readonly fraudRate?: number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface GenerateSummary {
  readonly accounts: number;
  readonly world: string;
  readonly rows: Record<string, number>;
  /** fraud accounts per kind and difficulty, e.g. {"ring/easy": 40} */
  readonly labelMix: Record<string, number>;
  /** honest accounts per group kind of labels.csv (agency, household, reopened, shared_network) */
  readonly honestMix: Record<string, number>;
  readonly rings: number;
}

/** One honest account's groups for honest_groups.csv; the first is the kind labels.csv names. */
type GroupRow = [groupId: string, kind: HonestGroupKind, variant: string];

interface AccountContext {
  seed: number;
  world: World;
  root: SeededRandom;
  plan: Plan;
  pools: NetworkPools;
  /** members of each classic ring met so far (the first generator numbered members by order of appearance) */
  ringMembersSeen: Map<number, number>;
}

/** Account i as it is written, its fraud kind (null: honest) and the honest groups it belongs to. */
function buildAccount(
  i: number,
  context: AccountContext,
): { account: AccountOut; kind: FraudKind | null; isHard: boolean; groups: GroupRow[]; ringId: string | null } {
  const { seed, world, root, plan } = context;
  const random = root.fork(`account:${i}`);
  const side = root.fork(`account:${i}:groups`);
  const kindCode = plan.kind[i] as number;
  const isHard = plan.isHard[i] === 1;
  const group = plan.group[i] ? plan.groups[(plan.group[i] as number) - 1] : undefined;
  const member = plan.member[i] as number;
  const groups: GroupRow[] = [];
  let affiliation: Affiliation | null = null;
  if (group?.kind === 'agency') {
    affiliation = agencyMember(group, member, world, root, side);
    groups.push([`AG${String(group.number).padStart(5, '0')}`, 'agency', group.isNewAgency ? 'new' : 'established']);
  } else if (group?.kind === 'reopened') {
    affiliation = reopenedMember(group, member, root, side);
    groups.push([`RO${String(group.number).padStart(5, '0')}`, 'reopened', '']);
  }
  const household = group ? null : householdOf(i, plan, world, root);
  if (household) groups.push([household.id, 'household', household.household.sharesDevice ? 'shared_laptop' : '']);
  const honest = honestAccount(i, random, { seed, pools: context.pools, household: household?.household ?? null, affiliation, side });
  for (const networkGroup of new Set(honest.networks.values())) groups.push([networkGroup, 'shared_network', networkGroup.split('-')[1] as string]);
  let account = honest.account;
  const kind = kindCode === 0 ? null : (FRAUD_KINDS[kindCode - 1] as FraudKind);
  let ringId: string | null = null;
  if (group && isFraudRingKind(group.kind)) ringId = `R${String(group.number).padStart(5, '0')}`;
  if (group?.kind === 'ring') {
    const seen = context.ringMembersSeen.get(group.number) ?? 0;
    if (seen + 1 === group.size) context.ringMembersSeen.delete(group.number);
    else context.ringMembersSeen.set(group.number, seen + 1);
    account = ringMember(account, random, ringShared(seed, group.number, group.isHard, group.size), seen, isHard);
  } else if (group?.kind === 'agency_ring' || group?.kind === 'household_ring') {
    account = imitatingRingMember(account, random, imitatingRing({ ...group, kind: group.kind }, world, root), {
      member,
      size: group.size,
      isHard,
      seed,
    });
  } else if (kind === 'bot') account = botAccount(account, random, isHard, seed);
  else if (kind === 'takeover') account = takeoverAccount(account, random, isHard, seed);
  else if (kind === 'test_cheat') account = testCheatAccount(account, random, isHard);
  else if (kind === 'bid_abuse') account = bidAbuseAccount(account, random, isHard);
  return { account, kind, isHard, groups: kind ? [] : groups, ringId };
}

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Writes a seeded synthetic marketplace into `outDir` (which must not exist or be empty). */
export async function generateMarketplace(outDir: string, options: GenerateOptions): Promise<GenerateSummary> {
  const world = options.world ?? (WORLD_PRESETS[DEFAULT_WORLD] as World);
  const fraudRate = options.fraudRate ?? world.fraud.rate;
  if (!Number.isInteger(options.accounts) || options.accounts < 10)
    throw new RangeError(`accounts must be an integer >= 10, got ${options.accounts}`);
  if (!(fraudRate >= 0 && fraudRate <= 0.5)) throw new RangeError(`fraud rate must be in [0, 0.5], got ${fraudRate}`);
  const existing = await readdir(outDir).catch(() => null);
  if (existing && existing.length > 0) throw new Error(`output folder ${outDir} is not empty; choose a new folder or pass --force`);
  const tmpDir = `${outDir.replace(/[/\\]+$/, '')}.tmp-${process.pid}`;
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  const untrack = trackTemporaryOutput(tmpDir);
  const root = createSeededRandom(options.seed);
  const plan = planPopulation(options.accounts, { ...world, fraud: { ...world.fraud, rate: fraudRate } }, root.fork('plan'));
  const writers: Record<string, CsvWriter> = {};
  for (const table of ['accounts', 'logins', 'proposals', 'tests', 'payouts', 'labels'] as const) {
    writers[table] = createCsvWriter(
      path.join(tmpDir, `${table}.csv`),
      TABLE_COLUMNS[table].map((c) => c.name),
    );
  }
  // the truth beside the data: true fraud rings, and true honest groups (an account may be in several)
  for (const table of ['rings', 'honest_groups'] as const) {
    writers[table] = createCsvWriter(
      path.join(tmpDir, `${table}.csv`),
      TRUTH_TABLE_COLUMNS[table].map((c) => c.name),
    );
  }
  const rows: Record<string, number> = { accounts: 0, logins: 0, proposals: 0, tests: 0, payouts: 0, labels: 0, rings: 0, honest_groups: 0 };
  const labelMix: Record<string, number> = {};
  const honestMix: Record<string, number> = {};
  const context: AccountContext = { seed: options.seed, world, root, plan, pools: networkPools(options.accounts, world), ringMembersSeen: new Map() };
  const write = async (table: string, values: (string | number | boolean)[]) => {
    rows[table] = (rows[table] ?? 0) + 1;
    await (writers[table] as CsvWriter).writeRow(values);
  };
  try {
    for (let i = 0; i < options.accounts; i++) {
      const { account, kind, isHard, groups, ringId } = buildAccount(i, context);
      if (ringId) await write('rings', [ringId, account.id]);
      await write('accounts', [account.id, iso(account.createdAt), account.country, account.has2fa]);
      for (const l of account.logins) await write('logins', [account.id, iso(Math.max(l[0], account.createdAt)), l[1], l[2], l[3]]);
      for (const p of account.proposals)
        await write('proposals', [account.id, iso(Math.max(p[0], account.createdAt)), p[1], iso(p[2]), p[3], p[4], p[5]]);
      for (const t of account.tests) await write('tests', [account.id, t[0], iso(Math.max(t[1], account.createdAt)), t[2], t[3], t[4]]);
      for (const p of account.payouts) await write('payouts', [account.id, iso(Math.max(p[0], account.createdAt)), p[1]]);
      const difficulty = kind ? (isHard ? 'hard' : 'easy') : '';
      const honestKind = groups[0]?.[1] ?? '';
      await write('labels', [account.id, kind ? 1 : 0, kind ?? honestKind, difficulty]);
      for (const [groupId, groupKind, variant] of groups) await write('honest_groups', [groupId, groupKind, variant, account.id]);
      if (kind) labelMix[`${kind}/${difficulty}`] = (labelMix[`${kind}/${difficulty}`] ?? 0) + 1;
      else if (honestKind) honestMix[honestKind] = (honestMix[honestKind] ?? 0) + 1;
      if (i % 5000 === 0) options.onProgress?.({ stage: 'generate', done: i, total: options.accounts, unit: 'accounts' });
    }
    options.onProgress?.({ stage: 'generate', done: options.accounts, total: options.accounts, unit: 'accounts' });
    for (const writer of Object.values(writers)) await writer.close();
    if (existing) await rm(outDir, { recursive: true, force: true });
    await mkdir(path.dirname(path.resolve(outDir)), { recursive: true });
    await rename(tmpDir, outDir);
    untrack();
  } catch (error) {
    await Promise.all(Object.values(writers).map((w) => w.abort()));
    await rm(tmpDir, { recursive: true, force: true });
    untrack();
    throw error;
  }
  return {
    accounts: options.accounts,
    world: world.name,
    rows,
    labelMix,
    honestMix,
    rings: plan.groups.filter((g) => isFraudRingKind(g.kind)).length,
  };
}
