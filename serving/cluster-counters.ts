// The primary's memory of the workers' counters: each live worker's last report, and the sum of the last reports of
// those that died, which /metrics adds in so that a worker's restart does not look like a counter reset.
import { AggregatorRegistry } from 'prom-client';

export type MetricsJson = { name: string }[];

const aggregate = (parts: MetricsJson[]) => AggregatorRegistry.aggregate(parts as unknown as Parameters<typeof AggregatorRegistry.aggregate>[0]);

export class CounterTotals {
  private readonly last = new Map<number, MetricsJson>();
  private retired: Promise<MetricsJson> = Promise.resolve([]);

  report(workerId: number, metrics: MetricsJson): void {
    this.last.set(workerId, metrics);
  }

  /** The worker died: its last report joins the retired totals. */
  retire(workerId: number): void {
    const last = this.last.get(workerId);
    this.last.delete(workerId);
    if (!last) return;
    this.retired = this.retired.then(async (retired) => (await aggregate([retired, last]).getMetricsAsJSON()) as unknown as MetricsJson);
  }

  /** Prometheus text of the live workers' metrics plus the retired totals. */
  async text(live: MetricsJson[]): Promise<string> {
    return aggregate([...live, await this.retired]).metrics();
  }
}
