// The fingerprint of a deployment's hashing secret: what a model version (or an identity store) records instead of
// the secret, so a reader can tell whether its own secret is the one the identifiers were hashed with.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The fixed message the fingerprint is an HMAC of. It differs from every identifier message (`bank:…`, `device:…`,
 * `ip:…`), so a fingerprint is never the hash of some identifier. Changing it changes every fingerprint.
 */
export const FINGERPRINT_LABEL = 'ringfence/hash-secret-fingerprint/v1';

/** HMAC-SHA256 of FINGERPRINT_LABEL under `secret`, as 64 hex digits; reveals nothing of a random secret. */
export function secretFingerprint(secret: string): string {
  return createHmac('sha256', secret).update(FINGERPRINT_LABEL).digest('hex');
}

export const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;

/** Whether two fingerprints are the same, compared in constant time. */
export function sameFingerprint(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The first 12 hex digits: enough for an operator to tell two fingerprints apart in a message. */
export const shortFingerprint = (fingerprint: string) => `${fingerprint.slice(0, 12)}…`;

/**
 * A process's hashing secret is not the one a model version or store was written with: identifiers would hash
 * differently and every link to the accounts it holds would silently vanish, so loading is refused.
 */
export class HashSecretMismatchError extends Error {
  override readonly name = 'HashSecretMismatchError';
  constructor(
    /** what was written with the other secret, e.g. "model fraud/20261206T101500Z" or "identity store /srv/…" */
    readonly subject: string,
    readonly expected: string,
    readonly actual: string,
    /** where this process's secret came from, e.g. "RINGFENCE_HASH_SECRET" or "secret file /srv/models/.hash-secret" */
    readonly secretOrigin: string,
  ) {
    super(
      `${subject} was written with a hashing secret of fingerprint ${shortFingerprint(expected)}, but this process's secret (${secretOrigin}) has fingerprint ${shortFingerprint(actual)}: identifiers would hash differently and its links would be lost. Use the deployment's secret (RINGFENCE_HASH_SECRET, RINGFENCE_HASH_SECRET_FILE or the secret file in the models root), or retrain with this one.`,
    );
  }
}

/** Throws HashSecretMismatchError unless `fingerprint` is the fingerprint of `secret`. */
export function assertSecretFingerprint(
  subject: string,
  fingerprint: string,
  secret: { readonly fingerprint: string; readonly origin: string },
): void {
  if (!sameFingerprint(fingerprint, secret.fingerprint)) throw new HashSecretMismatchError(subject, fingerprint, secret.fingerprint, secret.origin);
}
