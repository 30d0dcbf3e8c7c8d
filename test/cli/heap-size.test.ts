import os from 'node:os';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { DATA_HEAP_MIB, largerHeapArgs } from '../../cli/heap-size.js';

describe('largerHeapArgs', () => {
  it('asks for a larger heap for the data-heavy commands only, keeping the node arguments', () => {
    const roomy = os.totalmem() / 2 ** 20 >= DATA_HEAP_MIB * 1.25 && v8.getHeapStatistics().heap_size_limit / 2 ** 20 < DATA_HEAP_MIB;
    expect(largerHeapArgs(['train', '--data', 'x'], ['--enable-source-maps'], {})).toEqual(
      roomy ? [`--max-old-space-size=${DATA_HEAP_MIB}`, '--enable-source-maps'] : null,
    );
    for (const command of ['serve', 'inspect', 'keys', 'validate']) expect(largerHeapArgs([command], [], {})).toBeNull();
    expect(largerHeapArgs([], [], {})).toBeNull();
  });

  it("leaves the user's own limit, and the rerun itself, alone", () => {
    expect(largerHeapArgs(['train'], ['--max-old-space-size=2048'], {})).toBeNull();
    expect(largerHeapArgs(['score'], [], { NODE_OPTIONS: '--max-old-space-size=12000' })).toBeNull();
    expect(largerHeapArgs(['train'], [], { RINGFENCE_NO_HEAP_RESIZE: '1' })).toBeNull();
  });
});
