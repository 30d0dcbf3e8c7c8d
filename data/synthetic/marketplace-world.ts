// The fixed world the synthetic marketplace lives in: time window, countries, tests, jobs, identifiers, texts.
import { hashString32 } from '../seeded-random.js';

const DAY_MS = 86_400_000;
/** Fixed end of the synthetic window (never the wall clock, so outputs are reproducible). */
export const WINDOW_END_MS = Date.UTC(2026, 5, 30);
export const WINDOW_DAYS = 180;
export const WINDOW_START_MS = WINDOW_END_MS - WINDOW_DAYS * DAY_MS;
export { DAY_MS };

/** Countries users declare, with population weights and UTC offsets (hours) for their daily rhythm. */
export const COUNTRIES: readonly { code: string; weight: number; utcOffset: number; neighbours: readonly string[] }[] = [
  { code: 'US', weight: 18, utcOffset: -6, neighbours: ['CA', 'MX'] },
  { code: 'IN', weight: 16, utcOffset: 5.5, neighbours: ['PK', 'BD'] },
  { code: 'PH', weight: 8, utcOffset: 8, neighbours: ['VN', 'ID'] },
  { code: 'PK', weight: 6, utcOffset: 5, neighbours: ['IN'] },
  { code: 'GB', weight: 6, utcOffset: 0, neighbours: ['IE', 'FR'] },
  { code: 'UA', weight: 5, utcOffset: 2, neighbours: ['PL', 'RO'] },
  { code: 'DE', weight: 4, utcOffset: 1, neighbours: ['PL', 'FR', 'NL'] },
  { code: 'BR', weight: 4, utcOffset: -3, neighbours: ['AR'] },
  { code: 'NG', weight: 4, utcOffset: 1, neighbours: ['GH'] },
  { code: 'BD', weight: 4, utcOffset: 6, neighbours: ['IN'] },
  { code: 'CA', weight: 3, utcOffset: -5, neighbours: ['US'] },
  { code: 'PL', weight: 3, utcOffset: 1, neighbours: ['DE', 'UA'] },
  { code: 'EG', weight: 3, utcOffset: 2, neighbours: ['SA'] },
  { code: 'KE', weight: 2, utcOffset: 3, neighbours: ['UG'] },
  { code: 'VN', weight: 2, utcOffset: 7, neighbours: ['PH'] },
  { code: 'ID', weight: 2, utcOffset: 7, neighbours: ['PH'] },
  { code: 'FR', weight: 2, utcOffset: 1, neighbours: ['DE', 'ES'] },
  { code: 'ES', weight: 2, utcOffset: 1, neighbours: ['FR', 'PT'] },
  { code: 'RO', weight: 2, utcOffset: 2, neighbours: ['UA'] },
  { code: 'AU', weight: 2, utcOffset: 10, neighbours: ['NZ'] },
  { code: 'MX', weight: 2, utcOffset: -6, neighbours: ['US'] },
  { code: 'AR', weight: 1, utcOffset: -3, neighbours: ['BR'] },
  { code: 'NL', weight: 1, utcOffset: 1, neighbours: ['DE'] },
];
export const COUNTRY_WEIGHTS = COUNTRIES.map((c) => c.weight);
/** Far-away countries typical of proxies and account takeovers. */
export const FAR_COUNTRIES = ['RU', 'CN', 'VN', 'NG', 'BR', 'ID', 'TR', 'KZ'] as const;

/** The skills-test catalogue: id and its typical (median) duration in seconds. */
export const TESTS: readonly { id: string; typicalSeconds: number }[] = Array.from({ length: 30 }, (_, i) => ({
  id: `T${String(i + 1).padStart(3, '0')}`,
  typicalSeconds: 600 + ((i * 397) % 3000),
}));

/** Jobs are posted evenly over the window; job i's id, post time and budget depend only on i. */
export const JOB_SPACING_MS = 90_000;
export function jobAt(index: number): { id: string; postedAt: number; budget: number } {
  const h = hashString32(`job:${index}`);
  const budget = Math.round(30 * Math.exp(((h % 1000) / 1000) * 4)); // 30 .. ~1600
  return { id: `J${index}`, postedAt: WINDOW_START_MS + index * JOB_SPACING_MS, budget };
}
export function jobIndexBefore(timeMs: number): number {
  return Math.max(0, Math.floor((timeMs - WINDOW_START_MS) / JOB_SPACING_MS));
}

/** Deterministic hex identifier for a labelled entity (device, bank, ...). */
export function hexId(label: string, length: number): string {
  let out = '';
  let i = 0;
  while (out.length < length) out += hashString32(`${label}#${i++}`).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

/** MurmurHash3's finaliser: every output bit depends on every input bit. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Deterministic dotted-quad IP for a labelled entity, in a block per purpose. */
export function ipFor(label: string, firstOctet: number): string {
  // FNV-1a alone keeps low-bit collisions between labels that differ in their last character (home IP 0 and 1 of two
  // accounts would collide together), which would invent shared IPs between strangers
  const h = mix32(hashString32(label));
  return `${firstOctet}.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${(h & 253) + 1}`;
}

const OPENERS = ['Hi,', 'Hello there,', 'Dear hiring manager,', 'Good day!', 'Hi team,', 'Greetings,', 'Hey,'];
const SKILLS = [
  'I have built several React and Node.js apps for small businesses',
  'I am a data analyst with strong Excel, SQL and Python skills',
  'I design clean, modern logos and brand kits',
  'I write SEO articles, product descriptions and newsletters',
  'I translate English, Spanish and Portuguese documents',
  'I edit videos for YouTube, TikTok and Instagram',
  'I manage WordPress sites, plugins and backups',
  'I do bookkeeping in QuickBooks and Xero',
  'I build Shopify stores and fix theme issues',
  'I develop Android and iOS apps with Flutter',
];
const DETAILS = [
  'Your project fits my experience well.',
  'I read your description carefully and I can start today.',
  'I have done a very similar job last month, the client was "very happy" with it.',
  'I can share a portfolio with recent, relevant work.',
  'I usually deliver ahead of schedule and keep you updated daily.',
  'My rate is flexible for long-term work.',
  'I have a few questions about the scope, deadlines and budget.',
  'I work in your time zone, so we can talk any time.',
];
const CLOSERS = ['Best regards', 'Thanks', 'Kind regards', 'Looking forward to hearing from you', 'Cheers'];

/** An honest user's own cover letter: built once per account from its stream of choices. */
export function personalLetter(pick: <T>(items: readonly T[]) => T, name: string): string {
  return `${pick(OPENERS)} ${pick(SKILLS)}. ${pick(DETAILS)} ${pick(DETAILS)}\n${pick(CLOSERS)}, ${name}`;
}

/** A honest proposal: the user's own letter, sometimes reworked, with a job-specific line. */
export function honestProposalText(letter: string, jobId: string, rewrite: number, pick: <T>(items: readonly T[]) => T): string {
  const jobLine = `About job ${jobId}: ${pick(DETAILS)}`;
  if (rewrite < 0.5) return `${letter}\n${jobLine}`;
  return `${pick(OPENERS)} ${pick(SKILLS)}, and ${pick(DETAILS).toLowerCase()}\n${jobLine}`;
}

const FRAUD_TEMPLATES = [
  'Hello dear, I am expert in this job with 10 years experience, I will do it perfect and fast, 100% satisfaction guaranteed, contact me now for best price.',
  'Hi sir, I have read your job, I am "top rated" and I can complete within 24 hours, please check my profile and send me message, thank you.',
  'Dear client, our professional team has completed 500+ similar projects, we give unlimited revisions and full refund guarantee, lets discuss.',
  'Hello, I can do this task with high quality, cheap price and fast delivery, I am available 24/7, waiting your reply.',
];
const SWAPS: readonly [string, string][] = [
  ['expert', 'specialist'],
  ['fast', 'quick'],
  ['perfect', 'excellent'],
  ['contact me', 'message me'],
  ['job', 'project'],
  ['cheap', 'low'],
  ['please', 'kindly'],
  ['completed', 'delivered'],
];

/** A fraud template (rings, bots) with `edits` word swaps chosen from the stream: paraphrases for the hard variants. */
export function templatedText(templateIndex: number, edits: number, pick: <T>(items: readonly T[]) => T, next: () => number): string {
  let text = FRAUD_TEMPLATES[templateIndex % FRAUD_TEMPLATES.length] as string;
  for (let i = 0; i < edits; i++) {
    const [from, to] = pick(SWAPS);
    text = text.replace(from, to);
  }
  if (next() < 0.3) text += ' Regards.';
  return text;
}
export const FRAUD_TEMPLATE_COUNT = FRAUD_TEMPLATES.length;

const FIRST_NAMES = [
  'Ana',
  'Ben',
  'Chen',
  'Divya',
  'Emeka',
  'Fatima',
  'Gabriel',
  'Hana',
  'Ivan',
  'Joy',
  'Kofi',
  'Lena',
  'Mateo',
  'Nadia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sam',
  'Tariq',
];
export function firstName(pick: <T>(items: readonly T[]) => T): string {
  return pick(FIRST_NAMES);
}
