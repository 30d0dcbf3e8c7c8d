// What the live identity state keeps of one recorded account: its keyed identifier hashes and the summary group
// evidence needs (creation time, typical proposal text as a MinHash signature), never its events or raw identifiers.
import { z } from 'zod';
import { IdentifierKindSchema } from '../scoring/risk-assessment.js';
import type { AccountIdentity } from './identity-index.js';
import { MemberProfileSchema } from './member-profile.js';

const HashList = z.array(z.string().regex(/^[0-9a-f]{24}$/, 'a keyed identifier hash is 24 lower-case hex digits'));

export const LiveAccountSchema = z.strictObject({
  account_id: z.string().min(1),
  identifiers: z.strictObject({ bank: HashList, device: HashList, ip: HashList }).describe('distinct keyed hashes per kind'),
  created_at: z.number().describe('account creation, epoch ms (retention counts from it)'),
  recorded_at: z.number().describe('when the service recorded it, epoch ms'),
  template_signature: z.array(z.number().int().nonnegative()).nullable().describe('MinHash of its typical proposal text, null without proposals'),
  profile: MemberProfileSchema.optional().describe('what judging its group needs (ring-score.ts); absent in records made before ring scores'),
  anomaly: z
    .number()
    .min(0)
    .max(100)
    .nullable()
    .optional()
    .describe("the detectors' combined anomaly score against the model's own index (pure: model + events); absent in older records"),
});
export type LiveAccount = z.infer<typeof LiveAccountSchema>;

/**
 * The live record of an account from its accountIdentity (identifiers hashed with the deployment's key); `anomaly` as
 * memberAnomalyScore gives it.
 */
export function liveAccountOf(identity: AccountIdentity, recordedAt: number, anomaly: number | null): LiveAccount {
  const { template_signature, created_at } = identity.profile;
  return {
    account_id: identity.account_id,
    identifiers: identity.identifiers,
    created_at,
    recorded_at: recordedAt,
    // the profile's signature of the same text (its typical proposal text), not computed twice
    template_signature: template_signature === null ? null : [...template_signature],
    profile: identity.profile,
    anomaly,
  };
}

export const LIVE_IDENTIFIER_KINDS = IdentifierKindSchema.options;
