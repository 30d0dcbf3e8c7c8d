// The messages between a cluster's primary and its workers (IPC), as zod schemas: each side parses what it receives.
import { z } from 'zod';
import { PROBLEM_TYPES } from './http-problem.js';

/** Tag of our messages; anything else on the channel (node:cluster's own, say) is ignored. */
const tag = z.literal('ringfence');
const ProblemRefSchema = z.object({ slug: z.enum(Object.keys(PROBLEM_TYPES) as [keyof typeof PROBLEM_TYPES]), detail: z.string() });
export type ProblemRef = z.infer<typeof ProblemRefSchema>;

export const ToWorkerSchema = z.discriminatedUnion('kind', [
  /** the validated config (parsed again by the worker) and the exact model version to load */
  z.object({ ringfence: tag, kind: z.literal('start'), config: z.record(z.string(), z.unknown()), version: z.string() }),
  /** load and check a version without serving it; answered by `prepared` */
  z.object({ ringfence: tag, kind: z.literal('prepare'), tx: z.string(), version: z.string() }),
  /** serve the version prepared under `tx`; answered by `installed` */
  z.object({ ringfence: tag, kind: z.literal('commit'), tx: z.string() }),
  z.object({ ringfence: tag, kind: z.literal('abort'), tx: z.string() }),
  /** load and serve a version at once (a worker that started while another version went in); answered by `installed` */
  z.object({ ringfence: tag, kind: z.literal('install'), tx: z.string(), version: z.string() }),
  z.object({
    ringfence: tag,
    kind: z.literal('reload-result'),
    tx: z.string(),
    version: z.string().nullable(),
    problem: ProblemRefSchema.nullable(),
  }),
  /** send this worker's metrics as prom-client JSON; answered by `metrics-part` */
  z.object({ ringfence: tag, kind: z.literal('collect-metrics'), id: z.string() }),
  z.object({ ringfence: tag, kind: z.literal('metrics-result'), id: z.string(), text: z.string().nullable(), error: z.string().nullable() }),
  z.object({
    ringfence: tag,
    kind: z.literal('lease-result'),
    id: z.string(),
    granted: z.number().int().min(0),
    before: z.number().int().min(0),
    resetTime: z.number(),
  }),
  z.object({ ringfence: tag, kind: z.literal('shutdown') }),
  /** SIGHUP: re-read the keys file; with `model`, also reload the configured version on every worker (as POST /v1/model/reload) */
  z.object({ ringfence: tag, kind: z.literal('reload-config'), model: z.boolean() }),
]);
export type ToWorker = z.infer<typeof ToWorkerSchema>;

export const ToPrimarySchema = z.discriminatedUnion('kind', [
  /** the worker listens for messages now: send it `start` */
  z.object({ ringfence: tag, kind: z.literal('booted') }),
  z.object({ ringfence: tag, kind: z.literal('ready'), url: z.string(), version: z.string() }),
  /** the sender loaded and checked `version` under `tx`; put it in service everywhere */
  z.object({ ringfence: tag, kind: z.literal('reload'), tx: z.string(), version: z.string() }),
  z.object({ ringfence: tag, kind: z.literal('prepared'), tx: z.string(), problem: ProblemRefSchema.nullable() }),
  z.object({ ringfence: tag, kind: z.literal('installed'), tx: z.string(), version: z.string().nullable(), problem: ProblemRefSchema.nullable() }),
  z.object({ ringfence: tag, kind: z.literal('metrics'), id: z.string() }),
  /** hits of the rate limit for a key (see leased-rate-limit.ts) */
  z.object({
    ringfence: tag,
    kind: z.literal('lease'),
    id: z.string(),
    key: z.string(),
    limit: z.number().int().min(1),
    windowMs: z.number().int().min(1),
  }),
  z.object({ ringfence: tag, kind: z.literal('metrics-part'), id: z.string(), metrics: z.array(z.looseObject({ name: z.string() })) }),
  /** the worker's counters and histograms now and then, so that the primary keeps their totals if the worker dies */
  z.object({ ringfence: tag, kind: z.literal('counters'), metrics: z.array(z.looseObject({ name: z.string() })) }),
]);
export type ToPrimary = z.infer<typeof ToPrimarySchema>;

type Untagged<T> = T extends unknown ? Omit<T, 'ringfence'> : never;

// cheap test first: other senders' messages would each cost a zod error
const isOurs = (message: unknown) =>
  typeof message === 'object' && message !== null && (message as { ringfence?: unknown }).ringfence === 'ringfence';

/** Our message, or null for another sender's (or a malformed one). */
export function parseToWorker(message: unknown): ToWorker | null {
  if (!isOurs(message)) return null;
  const parsed = ToWorkerSchema.safeParse(message);
  return parsed.success ? parsed.data : null;
}

export function parseToPrimary(message: unknown): ToPrimary | null {
  if (!isOurs(message)) return null;
  const parsed = ToPrimarySchema.safeParse(message);
  return parsed.success ? parsed.data : null;
}

export const toWorker = (message: Untagged<ToWorker>): ToWorker => ({ ringfence: 'ringfence', ...message }) as ToWorker;
export const toPrimary = (message: Untagged<ToPrimary>): ToPrimary => ({ ringfence: 'ringfence', ...message }) as ToPrimary;
