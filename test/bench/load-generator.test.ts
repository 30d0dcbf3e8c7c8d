import { describe, expect, it } from 'vitest';
import { parseWrkOutput } from '../../bench/load-generator.js';

const OUTPUT = `Running 5s test @ http://127.0.0.1:18080/v1/predict
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.51ms    4.02ms  52.12ms   88.10%
    Req/Sec     2.53k   210.33     2.90k    70.00%
  Latency Distribution
     50%  537.00us
     75%    7.11ms
     90%   10.02ms
     99%    1.02s
  12651 requests in 5.00s, 15.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   2530.12
Transfer/sec:      3.02MB
`;

describe('parseWrkOutput', () => {
  it('reads req/s, p50 and p99 in ms whatever their unit, and adds up socket errors and non-2xx answers', () => {
    expect(parseWrkOutput(OUTPUT)).toEqual({ rps: 2530.12, p50: 0.537, p99: 1020, errors: 9 });
  });

  it('refuses output without the latency distribution', () => {
    expect(() => parseWrkOutput(OUTPUT.replace(/Latency Distribution[\s\S]*?99%.*\n/, ''))).toThrow(/not understood/);
  });
});
