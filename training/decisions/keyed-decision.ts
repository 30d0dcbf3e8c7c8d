// A decision as received → the decision as stored: a raw list identifier is hashed with the deployment's secret,
// by the identity index's own hashing, so that lists hold keyed hashes only and match the hashes scoring sees.
import { type Decision, type DecisionRequest, DecisionSchema } from '../../data/decisions.js';
import { hashIdentifier } from '../identity/identity-index.js';

export function keyedDecision(request: DecisionRequest, hashKey: string): Decision {
  if (request.type !== 'list') return request;
  const { identifier, value, ...rest } = request;
  const keyed = identifier === undefined || rest.entry_kind === 'account' ? value : hashIdentifier(hashKey, rest.entry_kind, identifier);
  // parsed again so that the stored form (the content id hashes it) is the schema's, whatever the request held
  return DecisionSchema.parse({ ...rest, value: keyed });
}
