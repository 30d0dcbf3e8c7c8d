// Identity links: how many known accounts share its identifiers, and the size of its ring (from the model's index).
import { type AccountIdentity, type AccountLinks, findAccountLinks, type IdentityIndex, ringSizeOf } from '../identity/identity-index.js';

export interface LinkEvidence {
  readonly links: AccountLinks;
  readonly ringSize: number;
  readonly ringIds: string[];
}

export function findLinkEvidence(account: AccountIdentity, index: IdentityIndex): LinkEvidence {
  const links = findAccountLinks(index, account.account_id, account.identifiers);
  const { size, ringIds } = ringSizeOf(index, account.account_id, links);
  return { links, ringSize: size, ringIds };
}

export function computeLinkFeatures(evidence: LinkEvidence): Record<string, number> {
  return {
    link_bank_accounts: evidence.links.maxSharedBank,
    link_device_accounts: evidence.links.maxSharedDevice,
    link_ip_accounts: evidence.links.ipLinkedAccounts,
    link_ring_size: evidence.ringSize,
  };
}
