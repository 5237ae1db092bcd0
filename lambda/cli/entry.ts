/**
 * The compiled CLI's entry (dist/cli/netrecon.mjs, the package's `bin`; scripts/build.ts). In an installed package
 * there are no sources and this runs the build. In a checkout whose sources changed after the last build it runs
 * the sources through tsx instead (bin/netrecon-sources.mjs), so a stale build never answers for the code.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { staleReason } from '../../scripts/build-stamp';

const root = fileURLToPath(new URL('../../', import.meta.url));
const inCheckout = existsSync(`${root}lambda/cli/main.ts`);
if (inCheckout && staleReason(root, `${root}dist/stamps/cli.json`) !== undefined) {
  await import(pathToFileURL(`${root}bin/netrecon-sources.mjs`).href);
} else {
  const { main } = await import('./main');
  process.exitCode = await main(process.argv.slice(2));
}
