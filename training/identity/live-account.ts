// What the live identity state keeps of one recorded account: its keyed identifier hashes and the summary group
// evidence needs (creation time, typical proposal text as a MinHash signature), never its events or raw identifiers.
import { z } from 'zod';
import type { AccountEvents } from '../../data/tables.js';
import { textSignature } from '../features/text-signature.js';
import { IdentifierKindSchema } from '../scoring/risk-assessment.js';
import { accountIdentity } from './identity-index.js';
import { MemberProfileSchema } from './member-profile.js';

const HashList = z.array(z.string().regex(/^[0-9a-f]{24}$/, 'a keyed identifier hash is 24 lower-case hex digits'));

export const LiveAccountSchema = z.strictObject({
  account_id: z.string().min(1),
  identifiers: z.strictObject({ bank: HashList, device: HashList, ip: HashList }).describe('distinct keyed hashes per kind'),
  created_at: z.number().describe('account creation, epoch ms (retention counts from it)'),
  recorded_at: z.number().describe('when the service recorded it, epoch ms'),
  template_signature: z.array(z.number().int().nonnegative()).nullable().describe('MinHash of its typical proposal text, null without proposals'),
  profile: MemberProfileSchema.optional().describe('what judging its group needs (ring-score.ts); absent in records made before ring scores'),
});
export type LiveAccount = z.infer<typeof LiveAccountSchema>;

/** The live record of `account`, its identifiers hashed with `hashKey`. */
export function liveAccountOf(account: AccountEvents, hashKey: string, recordedAt: number): LiveAccount {
  const identity = accountIdentity(account, hashKey);
  const text = identity.typicalProposalText;
  return {
    account_id: account.account_id,
    identifiers: identity.identifiers,
    created_at: account.created_at,
    recorded_at: recordedAt,
    template_signature: text === null ? null : Array.from(textSignature(text)),
    profile: identity.profile,
  };
}

export const LIVE_IDENTIFIER_KINDS = IdentifierKindSchema.options;
