import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/plain-summary-reporter.ts'],
    // Builds the function bundle and the compiled CLI when their sources changed (test/global-build.ts).
    globalSetup: ['./test/global-build.ts'],
    // CDK synthesis and the spawned-CLI tests take seconds on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two projects, so that only the CDK files share modules (a project's include would add to a root one).
    projects: [
      {
        extends: true,
        test: {
          name: 'cdk',
          include: ['test/cdk/**/*.test.ts'],
          // Every CDK test file loads aws-cdk-lib and pays for its first synthesis; isolated, each file did it again
          // in a fresh module registry. These files read nothing from the environment at import and keep no module
          // state, so they share a worker's modules (measured on the loaded 2-core machine: 3m48s isolated, 1m07s shared).
          isolate: false,
        },
      },
      {
        extends: true,
        // The handler reads its configuration at import (cold start) and tests stub the environment before it:
        // everything else keeps a fresh module registry per file.
        // test/package/ is the packed package in a fresh app: `npm run test:package` (vitest.package.config.ts).
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/cdk/**', 'test/package/**'] },
      },
    ],
  },
});
