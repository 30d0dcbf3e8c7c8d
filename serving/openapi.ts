// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and responses.
import { z } from 'zod';
import {
  AccountDecisionsSchema,
  ChangedRingsSchema,
  DecisionsRecordedSchema,
  DecisionsRequestSchema,
  HealthSchema,
  ModelSummarySchema,
  PredictRequestSchema,
  PredictResponseSchema,
  ProblemSchema,
  ReloadRequestSchema,
  RingDetailSchema,
} from './api-schemas.js';
import { PROBLEM_TYPES } from './http-problem.js';

const input = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
const output = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' });

function problems(...slugs: (keyof typeof PROBLEM_TYPES)[]): Record<string, unknown> {
  // one response per status: the slugs that share a status share its description
  const byStatus = new Map<number, string[]>();
  for (const slug of slugs) {
    const status = PROBLEM_TYPES[slug].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), `${PROBLEM_TYPES[slug].title} (urn:ringfence:problem:${slug})`]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, descriptions]) => [
      String(status),
      { description: descriptions.join('; or '), content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    ]),
  );
}
const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const secured = [{ bearer: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: 'ringfence scoring service',
      version,
      description: 'Scores marketplace accounts: risk 0-100, action and reasons. Errors are RFC 9457 problem+json.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: "API key from 'ringfence keys create'" } },
      schemas: {
        PredictRequest: input(PredictRequestSchema),
        PredictResponse: output(PredictResponseSchema),
        RingDetail: output(RingDetailSchema),
        ChangedRings: output(ChangedRingsSchema),
        ModelSummary: output(ModelSummarySchema),
        ReloadRequest: input(ReloadRequestSchema),
        DecisionsRequest: input(DecisionsRequestSchema),
        DecisionsRecorded: output(DecisionsRecordedSchema),
        AccountDecisions: output(AccountDecisionsSchema),
        Problem: output(ProblemSchema),
        Health: output(HealthSchema),
      },
    },
    paths: {
      '/v1/predict': {
        post: {
          summary: 'Score 1 to the configured maximum of accounts, each with its events',
          security: secured,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PredictRequest' } } } },
          responses: {
            '200': json('PredictResponse', 'one result per account, in request order'),
            ...problems(
              'invalid-request',
              'malformed-json',
              'undecodable-body',
              'unauthorized',
              'forbidden',
              'payload-too-large',
              'unsupported-media-type',
              'rate-limited',
              'internal-error',
              'model-not-ready',
              'service-stopping',
            ),
          },
        },
      },
      '/v1/rings': {
        get: {
          summary: 'Rings of the live identity state that grew or changed since a time: their earlier members need a second look',
          security: secured,
          parameters: [{ name: 'changed_since', in: 'query', required: true, schema: { type: 'string', format: 'date-time' } }],
          responses: {
            '200': json('ChangedRings', 'the rings, latest change first'),
            ...problems('invalid-request', 'unauthorized', 'forbidden', 'model-not-ready', 'service-stopping'),
          },
        },
      },
      '/v1/accounts/{account_id}': {
        delete: {
          summary: "Erase a recorded account's identifiers and links from the live identity state (admin scope)",
          security: secured,
          parameters: [{ name: 'account_id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '204': { description: 'erased' },
            ...problems('not-found', 'unauthorized', 'forbidden', 'model-not-ready', 'service-stopping'),
          },
        },
      },
      '/v1/decisions': {
        post: {
          summary:
            "Record analysts' decisions (review scope): account labels, group verdicts, block / allow list entries; they act on the next score of every worker",
          security: secured,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionsRequest' } } } },
          responses: {
            '201': json('DecisionsRecorded', 'recorded (some were new)'),
            '200': json('DecisionsRecorded', 'every decision was already recorded: nothing changed'),
            ...problems(
              'invalid-request',
              'malformed-json',
              'unauthorized',
              'forbidden',
              'payload-too-large',
              'unsupported-media-type',
              'rate-limited',
              'model-not-ready',
              'service-stopping',
            ),
          },
        },
        get: {
          summary: 'The decisions naming an account (review scope)',
          security: secured,
          parameters: [{ name: 'account_id', in: 'query', required: true, schema: { type: 'string' } }],
          responses: {
            '200': json('AccountDecisions', 'its decisions, in the order recorded'),
            ...problems('invalid-request', 'unauthorized', 'forbidden', 'model-not-ready', 'service-stopping'),
          },
        },
      },
      '/v1/rings/{ring_id}': {
        get: {
          summary:
            'A ring of the live identity state: members, the identifiers that tie them, its score (an absorbed ring id answers with the ring that absorbed it)',
          security: secured,
          parameters: [{ name: 'ring_id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': json('RingDetail', 'the ring'),
            ...problems('not-found', 'unauthorized', 'forbidden', 'model-not-ready', 'service-stopping'),
          },
        },
      },
      '/v1/accounts/{account_id}/ring': {
        get: {
          summary: "A known account's ring",
          security: secured,
          parameters: [{ name: 'account_id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': json('RingDetail', 'the ring'),
            ...problems('not-found', 'unauthorized', 'forbidden', 'model-not-ready', 'service-stopping'),
          },
        },
      },
      '/v1/model': {
        get: {
          summary: "The loaded version's manifest summary",
          security: secured,
          responses: { '200': json('ModelSummary', 'the model'), ...problems('unauthorized', 'forbidden', 'model-not-ready') },
        },
      },
      '/v1/model/reload': {
        post: {
          summary: 'Load another (or the newest) version without dropping a request (admin scope)',
          security: secured,
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/ReloadRequest' } } } },
          responses: { '200': json('ModelSummary', 'the new model'), ...problems('invalid-request', 'unauthorized', 'forbidden', 'model-rejected') },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': json('Health', 'alive') } } },
      '/readyz': { get: { summary: 'Readiness: a model is loaded', responses: { '200': json('Health', 'ready'), ...problems('model-not-ready') } } },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (metrics or admin scope)',
          security: secured,
          responses: { '200': { description: 'text exposition format' }, ...problems('unauthorized', 'forbidden', 'rate-limited') },
        },
      },
    },
  };
}
