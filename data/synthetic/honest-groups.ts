// Honest groups that share identifiers: agencies, households and re-opened accounts. A group's shared details
// (office IP, agency bank, home IP, ...) come from the group's own stream, so any member can rebuild them alone.
import type { SeededRandom } from '../seeded-random.js';
import { HOUR, roundSecond, type Affiliation, type Household } from './honest-account.js';
import { COUNTRIES, COUNTRY_WEIGHTS, DAY_MS, firstName, hexId, ipFor, personalLetter, WINDOW_END_MS, WINDOW_START_MS } from './marketplace-world.js';
import type { Plan, PlannedGroup } from './population-plan.js';
import { householdSlotChance, type World } from './world-config.js';

const drawCountry = (random: SeededRandom) => (COUNTRIES[random.weightedIndex(COUNTRY_WEIGHTS)] as (typeof COUNTRIES)[number]).code;

/**
 * The household account i belongs to, if any. Households fill slots of `size.max` consecutive accounts (ids carry
 * no meaning, so neighbours are strangers otherwise); only honest accounts outside planned groups join one, and a
 * slot with fewer than two of them holds none. The first generator's households are the case of slots of 2.
 */
export function householdOf(i: number, plan: Plan, world: World, root: SeededRandom): { id: string; household: Household } | null {
  const config = world.honest.households;
  if (config.account_share === 0) return null;
  const width = config.size.max;
  const slot = Math.floor(i / width);
  const random = root.fork(`household:${slot}`);
  if (!random.chance(householdSlotChance(world))) return null;
  const sharesDevice = random.chance(config.shared_device_share);
  const size = random.int(config.size.min, config.size.max);
  let members = 0;
  let isMember = false;
  for (let j = slot * width; j < Math.min(plan.kind.length, slot * width + size); j++) {
    if (plan.kind[j] !== 0 || plan.group[j] !== 0) continue;
    members++;
    if (j === i) isMember = true;
  }
  if (members < 2 || !isMember) return null;
  const country = random.chance(config.same_country_share) ? drawCountry(random) : null;
  const seed = root.seed;
  return {
    id: `HH${slot}`,
    household: {
      ip: ipFor(`household:${seed}:${slot}`, 77),
      device: hexId(`household:${seed}:${slot}`, 16),
      sharesDevice,
      country,
      jointBankShare: config.joint_bank_share,
      homeLoginShare: config.home_login_share,
    },
  };
}

/**
 * An agency member: the agency's country, its office IP for most logins, often the agency's bank and proposal
 * template, sometimes a shared workstation. Accounts open over months or years; a new agency opens a batch on its
 * first day.
 */
export function agencyMember(group: PlannedGroup, member: number, world: World, root: SeededRandom, side: SeededRandom): Affiliation {
  const config = world.honest.agencies;
  const random = root.fork(`agency:${group.number}`);
  const seed = root.seed;
  const country = drawCountry(random);
  const founded = WINDOW_END_MS - (group.isNewAgency ? 30 + random.next() * 140 : 180 + random.next() * 1300) * DAY_MS;
  const batch = group.isNewAgency ? random.int(2, Math.min(5, group.size)) : 1;
  const hasTemplate = random.chance(config.template_share);
  const template = hasTemplate
    ? personalLetter((items) => random.pick(items), `the ${firstName((items) => random.pick(items))} Studio team`)
    : undefined;
  const workstations = random.chance(config.workstation_share) ? random.int(1, 3) : 0;
  const createdAt = member < batch ? founded + side.next() * 8 * HOUR : founded + side.next() * (WINDOW_END_MS - 14 * DAY_MS - founded);
  const affiliation: Affiliation = {
    country,
    createdAt: roundSecond(createdAt),
    workIp: { ip: ipFor(`agency:${seed}:${group.number}`, 160), share: config.office_login_share },
  };
  if (side.chance(config.agency_bank_share)) affiliation.bank = hexId(`agencybank:${seed}:${group.number}`, 24);
  if (template) affiliation.letter = template;
  if (workstations > 0 && side.chance(0.5)) affiliation.device = hexId(`workstation:${seed}:${group.number}:${side.int(0, workstations - 1)}`, 16);
  return affiliation;
}

/** A re-opened pair: member 0 lost access and stopped; member 1 opened days later on the same device, home and bank. */
export function reopenedMember(group: PlannedGroup, member: number, root: SeededRandom, side: SeededRandom): Affiliation {
  const random = root.fork(`reopened:${group.number}`);
  const seed = root.seed;
  const lostAt = WINDOW_START_MS + (30 + random.next() * 120) * DAY_MS;
  const shared = {
    country: drawCountry(random),
    device: hexId(`reopendev:${seed}:${group.number}`, 16),
    homeIp: ipFor(`reopenhome:${seed}:${group.number}`, 80 + random.int(0, 39)),
    bank: hexId(`reopenbank:${seed}:${group.number}`, 24),
  };
  const createdAt = member === 0 ? lostAt - (60 + side.next() * 600) * DAY_MS : lostAt + (0.5 + side.next() * 20) * DAY_MS;
  return { ...shared, createdAt: roundSecond(createdAt), ...(member === 0 ? { activeUntil: roundSecond(lostAt) } : {}) };
}
