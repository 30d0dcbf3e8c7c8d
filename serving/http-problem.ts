// HttpProblem, catalogue of problem types, toProblem(unknown) mapping domain errors (RFC 9457)
import { z } from 'zod';
import { ModelFeatureMismatchError, ModelIntegrityError } from '../models/read-model-version.js';
import { ModelNotFoundError } from '../models/registry.js';
import type { Problem } from './api-schemas.js';

export const PROBLEM_TYPES = {
  'invalid-request': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: 'The API key lacks the scope for this route' },
  'not-found': { status: 404, title: 'Not found' },
  'payload-too-large': { status: 413, title: 'The request is too large' },
  'unsupported-media-type': { status: 415, title: 'The body must be application/json' },
  'model-rejected': { status: 422, title: 'The model version was refused' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'internal-error': { status: 500, title: 'Internal error' },
  'model-not-ready': { status: 503, title: 'No model is loaded yet' },
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

export function zodProblem(error: z.ZodError, what: string): HttpProblem {
  const errors = error.issues.map((issue) => ({ pointer: toJsonPointer(issue.path), detail: issue.message, code: issue.code }));
  return new HttpProblem('invalid-request', `${what}: ${errors.length} invalid field${errors.length > 1 ? 's' : ''}`, errors);
}

/** The single mapping from anything thrown to a problem. Never echoes identifiers or internals in detail. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof z.ZodError) return zodProblem(error, 'the request');
  const bodyParserType = (error as { type?: string }).type;
  if (bodyParserType === 'entity.parse.failed') return new HttpProblem('malformed-json', 'the body could not be parsed as JSON');
  if (bodyParserType === 'entity.too.large') {
    const limit = (error as { limit?: number }).limit;
    return new HttpProblem('payload-too-large', `the body exceeds the limit of ${limit ?? '?'} bytes`);
  }
  if (bodyParserType === 'encoding.unsupported' || bodyParserType === 'charset.unsupported') return new HttpProblem('unsupported-media-type', 'the body must be UTF-8 JSON');
  if (error instanceof ModelIntegrityError) return new HttpProblem('model-rejected', `model refused: ${error.message}`);
  if (error instanceof ModelFeatureMismatchError) return new HttpProblem('model-rejected', error.message);
  if (error instanceof ModelNotFoundError) return new HttpProblem('model-rejected', error.message);
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
