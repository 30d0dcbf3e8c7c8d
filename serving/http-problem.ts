// HttpProblem, catalogue of problem types, toProblem(unknown) mapping domain errors (RFC 9457)
import { z } from 'zod';
import { HashSecretError } from '../models/hash-secret.js';
import { ModelFeatureMismatchError, ModelIntegrityError } from '../models/read-model-version.js';
import { ModelNotFoundError } from '../models/registry.js';
import { HashSecretMismatchError } from '../models/secret-fingerprint.js';
import type { Problem } from './api-schemas.js';
import { ServiceStoppingError } from './in-flight-work.js';

export const PROBLEM_TYPES = {
  'invalid-request': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  'undecodable-body': { status: 400, title: 'The body does not decode as its Content-Encoding says' },
  'request-aborted': { status: 400, title: 'The client stopped sending the body' },
  'bad-request': { status: 400, title: 'The request is not valid HTTP' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: 'The API key lacks the scope for this route' },
  'not-found': { status: 404, title: 'Not found' },
  'request-timeout': { status: 408, title: 'The request did not arrive in time' },
  'payload-too-large': { status: 413, title: 'The request is too large' },
  'unsupported-media-type': { status: 415, title: 'The body must be application/json' },
  'model-rejected': { status: 422, title: 'The model version was refused' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  'internal-error': { status: 500, title: 'Internal error' },
  'model-not-ready': { status: 503, title: 'No model is loaded yet' },
  'service-stopping': { status: 503, title: 'The service is stopping' },
} as const;
export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export interface FieldError {
  pointer: string;
  detail: string;
  code: string;
}

export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly slug: ProblemSlug,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
  get status(): number {
    return PROBLEM_TYPES[this.slug].status;
  }
}

/** JSON Pointer (RFC 6901) of a zod issue path, as a URI fragment. */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  return `#${path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`;
}

/** Field errors listed in one answer at most (a body can hold millions). */
const MAX_LISTED_ERRORS = 100;

export function zodProblem(error: z.ZodError, what: string): HttpProblem {
  const errors = error.issues
    .slice(0, MAX_LISTED_ERRORS)
    .map((issue) => ({ pointer: toJsonPointer(issue.path), detail: issue.message, code: issue.code }));
  const count = error.issues.length;
  return new HttpProblem(
    'invalid-request',
    `${what}: ${count} invalid field${count > 1 ? 's' : ''}${count > errors.length ? `, the first ${errors.length} listed` : ''}`,
    errors,
  );
}

/** An error that Express, its router or body-parser marked as the client's (status 4xx), as a problem; else null. */
function clientErrorProblem(error: unknown): HttpProblem | null {
  const { status, type } = error as { status?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  switch (type) {
    case 'entity.parse.failed':
      return new HttpProblem('malformed-json', 'the body could not be parsed as JSON');
    case 'entity.too.large':
      return new HttpProblem('payload-too-large', `the body exceeds the limit of ${(error as { limit?: number }).limit ?? '?'} bytes`);
    case 'encoding.unsupported':
      return new HttpProblem('unsupported-media-type', 'the body must be sent with Content-Encoding gzip, deflate, br or identity');
    case 'charset.unsupported':
      return new HttpProblem('unsupported-media-type', 'the body must be UTF-8 JSON');
    case 'request.aborted':
      return new HttpProblem('request-aborted', 'the client closed the connection before the whole body arrived');
    case 'request.size.invalid':
      return new HttpProblem('invalid-request', 'the body is shorter or longer than its Content-Length');
  }
  // the router's failed decodeURIComponent: its message holds the raw path value (an account id), never repeated
  if (error instanceof URIError) return new HttpProblem('invalid-request', 'the path holds an invalid percent-encoding');
  // body-parser passes a decompression failure on with status 400 and zlib's code
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(Z_|ERR_BROTLI|ERR__ERROR_)/.test(code)) {
    return new HttpProblem('undecodable-body', 'the body could not be decompressed as its Content-Encoding says');
  }
  return null;
}

/** The single mapping from anything thrown to a problem. Never echoes identifiers or internals in detail. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof z.ZodError) return zodProblem(error, 'the request');
  const clientError = clientErrorProblem(error);
  if (clientError) return clientError;
  if (error instanceof ServiceStoppingError)
    return new HttpProblem(
      'service-stopping',
      'the service is stopping; send the request again (another instance or the restarted one answers it)',
      undefined,
      {
        'Retry-After': '1',
      },
    );
  if (error instanceof ModelIntegrityError) return new HttpProblem('model-rejected', `model refused: ${error.message}`);
  if (error instanceof ModelFeatureMismatchError) return new HttpProblem('model-rejected', error.message);
  if (error instanceof ModelNotFoundError) return new HttpProblem('model-rejected', error.message);
  if (error instanceof HashSecretMismatchError || error instanceof HashSecretError)
    return new HttpProblem('model-rejected', `model refused: ${error.message}`);
  return new HttpProblem('internal-error', 'an unexpected error occurred; it has been logged with this request id');
}

export function problemBody(problem: HttpProblem, requestId: string): Problem {
  return {
    type: `urn:ringfence:problem:${problem.slug}`,
    title: PROBLEM_TYPES[problem.slug].title,
    status: problem.status,
    detail: problem.detail,
    instance: `urn:uuid:${requestId}`,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}
