// The CLI from its TypeScript sources, through tsx's loader (compiled on every start: slow, but never stale).
// Run by bin/netrecon.mjs before the first build and by the compiled CLI when the sources are newer than it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lambda/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
