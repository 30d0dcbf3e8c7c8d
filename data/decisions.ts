// Analyst decisions: account labels, group verdicts, block / allow list entries; zod schemas, every one saying who, when and why.
//
// Decisions are an input like the tables (imported from CSV / JSONL, posted over HTTP, read by training), so their
// vocabulary sits in the bottom layer where training, serving and the stores can all import it.
import { z } from 'zod';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH, parseIsoUtc } from './tables.js';

const IdSchema = z.string().min(1).max(MAX_ID_LENGTH);
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]00:?00)$/;

/** A keyed identifier hash (HMAC of the raw value with the deployment's secret): lists never hold raw identifiers. */
export const KeyedHashSchema = z
  .string()
  .regex(/^[0-9a-f]{16,64}$/, { message: 'a keyed identifier hash (16-64 lowercase hex digits); raw identifiers are never accepted' })
  .describe('keyed hash of the identifier, as the identity index holds it');

/** Who, when, why: every decision carries them. */
export const DecisionProvenanceSchema = z.object({
  reviewer: IdSchema.describe('who decided (analyst id or the name of the import that brought the decision in)'),
  decided_at: z
    .string()
    .regex(ISO_UTC, { message: 'an ISO-8601 UTC timestamp such as 2026-03-01T12:00:00Z', abort: true })
    .refine((s) => parseIsoUtc(s) !== null, { message: 'not a real calendar time' })
    .describe('when it was decided (ISO-8601 UTC)'),
  note: z.string().max(MAX_TEXT_LENGTH).default('').describe('why: what the reviewer saw'),
});

export const FraudKindSchema = z
  .string()
  .regex(/^[a-z0-9_-]{1,40}$/, { message: 'a short lower-case kind such as ring, bot, takeover, test_cheat' })
  .describe('the kind of fraud (free text, lower-case), as the labels table names it');

export const AccountDecisionSchema = DecisionProvenanceSchema.extend({
  type: z.literal('account'),
  account_id: IdSchema,
  label: z.enum(['fraud', 'honest']).describe('the review outcome'),
  kind: FraudKindSchema.optional().describe('for fraud: which kind, when the reviewer could tell'),
}).refine((d) => d.label === 'fraud' || d.kind === undefined, { message: 'only a fraud label has a kind', path: ['kind'] });
export type AccountDecision = z.infer<typeof AccountDecisionSchema>;

export const GroupDecisionSchema = DecisionProvenanceSchema.extend({
  type: z.literal('group'),
  group_id: IdSchema.describe('the ring or group id the analyst reviewed (a name of their own when it has none)'),
  verdict: z.enum(['benign', 'fraud_ring']).describe('benign: an honest group (agency, household...); fraud_ring: a confirmed ring'),
  kind: FraudKindSchema.optional().describe('what the group is, e.g. agency, household, ring'),
  account_ids: z.array(IdSchema).min(1).max(10_000).describe('the members the verdict covers'),
});
export type GroupDecision = z.infer<typeof GroupDecisionSchema>;

export const LIST_ENTRY_KINDS = ['account', 'bank', 'device', 'ip'] as const;
export const ListDecisionSchema = DecisionProvenanceSchema.extend({
  type: z.literal('list'),
  list: z.enum(['block', 'allow']),
  entry_kind: z.enum(LIST_ENTRY_KINDS).describe('what the entry names: an account, or a bank / device / IP by its keyed hash'),
  value: z.string().min(1).max(MAX_ID_LENGTH).describe('the account id, or the keyed identifier hash'),
}).superRefine((d, ctx) => {
  if (d.entry_kind === 'account') return;
  const hash = KeyedHashSchema.safeParse(d.value);
  if (!hash.success) ctx.addIssue({ code: 'custom', path: ['value'], message: hash.error.issues[0]?.message ?? 'not a keyed hash' });
});
export type ListDecision = z.infer<typeof ListDecisionSchema>;

export const DecisionSchema = z.discriminatedUnion('type', [AccountDecisionSchema, GroupDecisionSchema, ListDecisionSchema]);

/**
 * A list entry as it arrives: the keyed hash in `value`, or the raw bank / device / IP in `identifier`, which the
 * receiver hashes with the deployment's secret at once (keyedDecision) and never stores.
 */
export const ListDecisionRequestSchema = DecisionProvenanceSchema.extend({
  type: z.literal('list'),
  list: ListDecisionSchema.shape.list,
  entry_kind: ListDecisionSchema.shape.entry_kind,
  value: z.string().min(1).max(MAX_ID_LENGTH).optional().describe('the account id, or the keyed identifier hash'),
  identifier: z
    .string()
    .min(1)
    .max(MAX_ID_LENGTH)
    .optional()
    .describe('instead of value: the raw bank / device / IP, hashed with the deployment secret on arrival and never stored'),
}).superRefine((d, ctx) => {
  if ((d.value === undefined) === (d.identifier === undefined))
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'give exactly one of value (account id or keyed hash) and identifier (raw)' });
  else if (d.identifier !== undefined && d.entry_kind === 'account')
    ctx.addIssue({ code: 'custom', path: ['identifier'], message: 'an account entry names the account in value' });
  else if (d.value !== undefined && d.entry_kind !== 'account') {
    const hash = KeyedHashSchema.safeParse(d.value);
    if (!hash.success) ctx.addIssue({ code: 'custom', path: ['value'], message: hash.error.issues[0]?.message ?? 'not a keyed hash' });
  }
});
export type ListDecisionRequest = z.infer<typeof ListDecisionRequestSchema>;

/** A decision as a client or a file may send it: a list entry may carry a raw identifier (hashed on arrival). */
export const DecisionRequestSchema = z.discriminatedUnion('type', [AccountDecisionSchema, GroupDecisionSchema, ListDecisionRequestSchema]);
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type DecisionInput = z.input<typeof DecisionSchema>;

/** The columns of the CSV form: one row per decision, the union of every type's fields; `account_ids` space-separated. */
export const DECISION_CSV_COLUMNS = [
  'type',
  'account_id',
  'label',
  'kind',
  'group_id',
  'verdict',
  'account_ids',
  'list',
  'entry_kind',
  'value',
  'reviewer',
  'decided_at',
  'note',
] as const;

/** One decision as CSV cells (empty where the type has no such field). */
export function decisionToCsvCells(decision: Decision): string[] {
  const cells: Record<string, string> = {};
  for (const [key, value] of Object.entries(decision)) cells[key] = Array.isArray(value) ? value.join(' ') : String(value ?? '');
  return DECISION_CSV_COLUMNS.map((column) => cells[column] ?? '');
}

/** The object a CSV row stands for: empty cells are absent fields, `account_ids` is split on spaces. */
export function csvCellsToDecisionInput(header: readonly string[], fields: readonly string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  header.forEach((column, j) => {
    const cell = (fields[j] ?? '').trim();
    if (cell === '') return;
    record[column] = column === 'account_ids' ? cell.split(/\s+/) : cell;
  });
  return record;
}

/** The decisions that label accounts (account decisions, and members of fraud-ring groups), latest per account wins. */
export function accountLabelsFromDecisions(decisions: readonly Decision[]): Map<string, { label: 0 | 1; kind: string }> {
  const ordered = [...decisions].sort((a, b) => Date.parse(a.decided_at) - Date.parse(b.decided_at));
  const labels = new Map<string, { label: 0 | 1; kind: string }>();
  for (const decision of ordered) {
    if (decision.type === 'account') labels.set(decision.account_id, { label: decision.label === 'fraud' ? 1 : 0, kind: decision.kind ?? '' });
    else if (decision.type === 'group') {
      for (const id of decision.account_ids)
        labels.set(id, decision.verdict === 'fraud_ring' ? { label: 1, kind: decision.kind ?? 'ring' } : { label: 0, kind: '' });
    }
  }
  return labels;
}
