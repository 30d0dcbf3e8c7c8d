import { defineConfig } from 'vitest/config';

// RINGFENCE_TEST_JSON=<file> adds vitest's JSON reporter, so CI can print "N passed, N failed" from it.
const jsonOut = process.env['RINGFENCE_TEST_JSON'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    reporters: jsonOut ? ['default', ['json', { outputFile: jsonOut }]] : ['default'],
  },
});
