import { defineConfig } from 'vitest/config';

/**
 * `npm run test:package`: the packed package in a fresh CDK app (test/package/). Apart from `npm test` because it
 * installs an app's dependencies and synthesizes it (a minute or two); .ci/run runs both.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/plain-summary-reporter.ts'],
    include: ['test/package/**/*.test.ts'],
    testTimeout: 400_000,
    hookTimeout: 600_000,
  },
});
