/**
 * The package's start-up figures (the end of `npm run bench`; alone: `npx tsx bench/package-start.ts [--runs=10]`):
 * the function bundle's size and the time Node 20 takes to import() it (a cold start's share that is netrecon's:
 * module evaluation, clients created at load), the compiled CLI's `--help` and `npm start`, and the same two
 * through tsx from the sources, as the CLI ran before the build. Each figure is the median of --runs processes.
 * Builds what is stale first (scripts/build.ts). Figures, not a test.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { build, LAMBDA_DIR, LAMBDA_METAFILE, ROOT } from '../scripts/build';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const runs = Number(args.runs ?? 10);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const range = (values: number[]): string => `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`;

/** Wall time of one process, in milliseconds; fails on a non-zero exit. */
function wallMs(command: string, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function row(what: string, values: number[]): void {
  console.log(`${what.padEnd(58)}${median(values).toFixed(0).padStart(7)} ms   (${range(values)} ms over ${values.length})`);
}

await build({ targets: ['lambda', 'cli'], ifStale: true });

const bundle = join(LAMBDA_DIR, 'index.mjs');
const bytes = statSync(bundle).size;
const mapBytes = statSync(`${bundle}.map`).size;
const deflated = deflateRawSync(readFileSync(bundle), { level: 9 }).length + deflateRawSync(readFileSync(`${bundle}.map`), { level: 9 }).length;
console.log(`Function bundle (dist/lambda/reconciler/): index.mjs ${bytes.toLocaleString('en-US')} bytes, index.mjs.map ${mapBytes.toLocaleString('en-US')} bytes, about ${deflated.toLocaleString('en-US')} bytes zipped`);

const meta = JSON.parse(readFileSync(LAMBDA_METAFILE, 'utf8')) as Metafile;
const output = Object.values(meta.outputs).find((o) => o.entryPoint === 'lambda/handler.ts')!;
const byPackage = new Map<string, number>();
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  const key = m ? m[1]! : 'netrecon (lambda/)';
  byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
}
const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 6);
console.log(`  largest parts (minified bytes): ${top.map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`);

// import() inside a fresh Node each time: the module's load and evaluation, without Node's own start.
const importScript = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(performance.now() - t);`;
const importMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', importScript], { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR' } });
  if (r.status !== 0) throw new Error(`import() of the bundle failed: ${r.stderr}`);
  importMs.push(Number(r.stdout.trim()));
}
row(`import() of the function bundle, Node ${process.versions.node}`, importMs);

const times = (command: string, argv: readonly string[], n = runs): number[] => Array.from({ length: n }, () => wallMs(command, argv));
row('netrecon --help (compiled: node dist/cli/netrecon.mjs)', times(process.execPath, ['dist/cli/netrecon.mjs', '--help']));
row('npm start (compiled, through bin/netrecon.mjs)', times('npm', ['start', '--silent']));
row('node bin/netrecon.mjs reconcile --from the seed (no npm)', times(process.execPath, ['bin/netrecon.mjs', 'reconcile', '--from', 'examples/seed-experiment.capture.json']));
row('before the build: --help from the sources through tsx', times(process.execPath, ['bin/netrecon-sources.mjs', '--help']));
row('before the build: reconcile --from the seed through tsx', times(process.execPath, ['bin/netrecon-sources.mjs', 'reconcile', '--from', 'examples/seed-experiment.capture.json']));
