// Prometheus metrics per app instance (a cluster's primary adds its workers' together): requests and latency per route and status, scores per action, model version.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route' | 'method' | 'status'>;
  readonly scores: Counter<'action'>;
  readonly modelInfo: Gauge<'name' | 'version'>;
}

export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ringfence_' });
  return {
    registry,
    requests: new Counter({
      name: 'ringfence_http_requests_total',
      help: 'HTTP requests by route, method and status (client_closed: the client hung up before the answer was sent)',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'ringfence_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    scores: new Counter({ name: 'ringfence_scores_total', help: 'accounts scored, by action', labelNames: ['action'], registers: [registry] }),
    // 'max' when workers are aggregated: each worker serving the version says 1, and so does their sum
    modelInfo: new Gauge({
      name: 'ringfence_model_info',
      help: 'the model version being served (value 1)',
      labelNames: ['name', 'version'],
      aggregator: 'max',
      registers: [registry],
    }),
  };
}
