import { describe, expect, it } from 'vitest';
import { toProblem } from '../../serving/http-problem.js';
import { InFlightWork, ServiceStoppingError } from '../../serving/in-flight-work.js';

describe('InFlightWork', () => {
  it('drains only once the work under way has settled, failed work included, and refuses work begun after', async () => {
    const work = new InFlightWork();
    let finish!: () => void;
    const slow = work.run(() => new Promise<string>((resolve) => (finish = () => resolve('done'))));
    const failing = work.run(async () => {
      throw new Error('store error');
    });
    await expect(failing).rejects.toThrow('store error');
    let drained = false;
    const drain = work.drain().then(() => (drained = true));
    await expect(work.run(async () => 'late')).rejects.toBeInstanceOf(ServiceStoppingError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    finish();
    await expect(slow).resolves.toBe('done');
    await drain;
    expect(drained).toBe(true);
    await expect(work.drain()).resolves.toBeUndefined();
  });

  it('drains at once when nothing runs', async () => {
    await expect(new InFlightWork().drain()).resolves.toBeUndefined();
  });

  it('answers work refused while stopping with 503 service-stopping and a Retry-After', () => {
    const problem = toProblem(new ServiceStoppingError('stopping'));
    expect(problem.status).toBe(503);
    expect(problem.slug).toBe('service-stopping');
    expect(problem.headers['Retry-After']).toBe('1');
  });
});
