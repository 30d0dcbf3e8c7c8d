// What route modules receive from createApp.
import type { RequestHandler } from 'express';
import type { ServeConfig } from '../config.js';
import type { ServiceMetrics } from '../metrics.js';
import type { ModelHolder, ScoringModel } from '../model-holder.js';

export interface RouteDeps {
  readonly config: ServeConfig;
  readonly modelHolder: ModelHolder;
  readonly metrics: ServiceMetrics;
  /** loads a version (the newest when none) and puts it in service, on every worker of a cluster */
  reloadModel(version?: string): Promise<ScoringModel>;
  /** Prometheus text of this service (all workers of a cluster) */
  metricsText(): Promise<string>;
  /** the JSON body reader: a route with a body puts it first (the key and the limits have been checked by then) */
  readonly readBody: RequestHandler[];
  /** the model at the start of the request (a reload does not change it mid-request), or 503 */
  requireModel(): ScoringModel;
}
