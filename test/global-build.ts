/**
 * vitest's global setup: the CDK tests synthesize the prebuilt function (dist/lambda/reconciler/) and the spawned
 * CLI tests run the compiled CLI (dist/cli/), while every other test imports the TypeScript sources. Rebuilding
 * whatever is older than its sources first (scripts/build.ts --if-stale, a second or two) keeps a stale build
 * from being what a test checks.
 */
import { build } from '../scripts/build';

export default async function setup(): Promise<void> {
  await build({ targets: ['lambda', 'cli'], ifStale: true });
}
