// The world a synthetic marketplace is drawn from: fraud rate and mix, honest groups and shared networks, as a
// zod-validated JSON file or a named preset (worlds/*.json). Every rate is documented in data/README.md.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import agencyHeavy from './worlds/agency-heavy.json' with { type: 'json' };
import baseline from './worlds/baseline.json' with { type: 'json' };
import householdHeavy from './worlds/household-heavy.json' with { type: 'json' };

const share = z.number().min(0).max(1);

/** An inclusive integer range, e.g. group sizes or days. */
function rangeSchema(floor: number, ceiling: number, fallback: { min: number; max: number }) {
  return z
    .object({ min: z.number().int().min(floor).max(ceiling), max: z.number().int().min(floor).max(ceiling) })
    .strict()
    .refine((r) => r.min <= r.max, { message: 'min must not exceed max' })
    .default(fallback);
}

/** A kind of shared network: which share of honest users join one, how many users share an IP, how often they use it. */
function networkSchema(fallback: { user_share: number; users_per_ip: number; login_share: number }) {
  return z
    .object({ user_share: share, users_per_ip: z.number().min(1).max(100_000), login_share: share })
    .strict()
    .default(fallback);
}

/**
 * A network whose IP changes from login to login (carrier NAT, public Wi-Fi): each user moves among `ips_per_user`
 * of the pool's IPs, so that an IP is seen by about `users_per_ip` users; 0 lets every user roam the whole pool (as
 * the first generator did), so an IP is seen by several times more users than `users_per_ip`.
 */
function roamingNetworkSchema(fallback: { user_share: number; users_per_ip: number; login_share: number; ips_per_user: number }) {
  return z
    .object({
      user_share: share,
      users_per_ip: z.number().min(1).max(100_000),
      login_share: share,
      ips_per_user: z.number().int().min(0).max(50).default(0),
    })
    .strict()
    .default(fallback);
}

const NONE = { user_share: 0, users_per_ip: 30, login_share: 0.3 };

export const FRAUD_KINDS = ['ring', 'bot', 'takeover', 'test_cheat', 'bid_abuse', 'agency_ring', 'household_ring'] as const;
export type FraudKind = (typeof FRAUD_KINDS)[number];
/** Honest group kinds, as written in labels.csv `kind` (label 0) and honest_groups.csv. */
export const HONEST_GROUP_KINDS = ['agency', 'household', 'reopened', 'shared_network'] as const;
export type HonestGroupKind = (typeof HONEST_GROUP_KINDS)[number];
export const NETWORK_VARIANTS = ['office', 'coworking', 'university', 'public_wifi', 'mobile_nat', 'vpn'] as const;
export type NetworkVariant = (typeof NETWORK_VARIANTS)[number];

const FraudMixSchema = z
  .object({
    ring: share.default(0.36),
    bot: share.default(0.16),
    takeover: share.default(0.18),
    test_cheat: share.default(0.15),
    bid_abuse: share.default(0.15),
    agency_ring: share.default(0),
    household_ring: share.default(0),
  })
  .strict()
  .refine((mix) => Math.abs(Object.values(mix).reduce((a, b) => a + b, 0) - 1) < 1e-6, {
    message: 'the fraud kind shares must add up to 1',
  })
  .default({ ring: 0.36, bot: 0.16, takeover: 0.18, test_cheat: 0.15, bid_abuse: 0.15, agency_ring: 0, household_ring: 0 });

const ImitatingRingSchema = (size: { min: number; max: number }, spread: { min: number; max: number }) =>
  z
    .object({ size: rangeSchema(2, 100, size), creation_spread_days: rangeSchema(1, 365, spread) })
    .strict()
    .prefault({});

export const WorldSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
    description: z.string().min(1),
    /** one line of rationale per rate, keyed by the field's path (e.g. "honest.agencies") */
    rationale: z.record(z.string(), z.string()).default({}),
    fraud: z
      .object({
        rate: z.number().min(0).max(0.5).default(0.05),
        hard_share: share.default(0.5),
        mix: FraudMixSchema,
        ring_size: rangeSchema(3, 100, { min: 3, max: 10 }),
        agency_ring: ImitatingRingSchema({ min: 4, max: 15 }, { min: 14, max: 56 }),
        household_ring: ImitatingRingSchema({ min: 2, max: 5 }, { min: 10, max: 40 }),
      })
      .strict()
      .prefault({}),
    honest: z
      .object({
        agencies: z
          .object({
            account_share: share.default(0),
            size: rangeSchema(2, 200, { min: 2, max: 30 }),
            new_agency_share: share.default(0.2),
            agency_bank_share: share.default(0.6),
            template_share: share.default(0.5),
            workstation_share: share.default(0.3),
            office_login_share: share.default(0.6),
          })
          .strict()
          .prefault({}),
        households: z
          .object({
            account_share: share.default(0.001),
            size: rangeSchema(2, 10, { min: 2, max: 2 }),
            same_country_share: share.default(0),
            home_login_share: share.default(0),
            shared_device_share: share.default(0.2),
            joint_bank_share: share.default(0.5),
          })
          .strict()
          .prefault({}),
        reopened: z
          .object({ account_share: share.default(0) })
          .strict()
          .prefault({}),
        shared_networks: z
          .object({
            office: networkSchema({ user_share: 0.2, users_per_ip: 50, login_share: 0.4 }),
            coworking: networkSchema(NONE),
            university: networkSchema(NONE),
            public_wifi: roamingNetworkSchema({ ...NONE, ips_per_user: 0 }),
            mobile_nat: roamingNetworkSchema({ user_share: 0.3, users_per_ip: 40, login_share: 0.35, ips_per_user: 0 }),
            vpn: networkSchema({ user_share: 0.08, users_per_ip: 30, login_share: 0.3 }),
          })
          .strict()
          .prefault({}),
        traveller_share: share.default(0.08),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((world, ctx) => {
    const planned = world.honest.agencies.account_share + world.honest.reopened.account_share;
    if (planned + world.fraud.rate > 0.95) {
      ctx.addIssue({
        code: 'custom',
        path: ['honest'],
        message: `agencies, re-opened accounts and fraud take ${planned + world.fraud.rate} of all accounts; at most 0.95`,
      });
    }
    const h = world.honest.households;
    if (householdSlotChance(world) > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['honest', 'households', 'account_share'],
        message: `${h.account_share} is too high for households of ${h.size.min}-${h.size.max}`,
      });
    }
  });
export type World = z.output<typeof WorldSchema>;

/**
 * Households fill fixed slots of `size.max` consecutive accounts (so a household is found from any member's index
 * without a table): the chance that a slot holds one, compensated for the accounts agencies and re-opened pairs take.
 */
export function householdSlotChance(world: World): number {
  const h = world.honest.households;
  const meanSize = (h.size.min + h.size.max) / 2;
  const free = 1 - world.honest.agencies.account_share - world.honest.reopened.account_share;
  return (h.account_share * h.size.max) / meanSize / Math.max(free, 0.05);
}

export const WORLD_PRESETS: Readonly<Record<string, World>> = Object.fromEntries(
  [baseline, agencyHeavy, householdHeavy].map((json) => {
    const world = WorldSchema.parse(json);
    return [world.name, world];
  }),
);
export const DEFAULT_WORLD = 'baseline';

export class WorldConfigError extends Error {
  override readonly name = 'WorldConfigError';
}

/** Validates a parsed world; `source` names it in errors. */
export function parseWorld(json: unknown, source: string): World {
  const parsed = WorldSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new WorldConfigError(`world file ${source} is invalid: ${issues}`);
}

/** A preset's name, or the path of a JSON world file. */
export async function resolveWorld(nameOrFile: string, cwd = process.cwd()): Promise<World> {
  const preset = WORLD_PRESETS[nameOrFile];
  if (preset) return preset;
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, nameOrFile), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WorldConfigError(
      `world ${nameOrFile}: ${code === 'ENOENT' ? 'no such preset or file' : `cannot read (${code ?? (error as Error).message})`}; presets: ${Object.keys(WORLD_PRESETS).join(', ')}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WorldConfigError(`world file ${nameOrFile}: not valid JSON (${(error as Error).message})`);
  }
  return parseWorld(json, nameOrFile);
}
