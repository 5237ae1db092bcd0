/**
 * `npm run build` (also run by `npm ci` through `prepare`): the package in dist/ (docs/testing.md, "The package and
 * its build"). Never committed (.gitignore).
 *
 *   dist/lambda/reconciler/  the function: one minified ESM bundle with its source map, everything inside (the AWS
 *                            SDK too), the directory the construct deploys as its code asset
 *   dist/cli/                the compiled CLI: netrecon.mjs and the chunks it loads per command
 *   dist/lib/                the construct library (index.mjs) and the core's replay API (core.mjs); aws-cdk-lib
 *                            and constructs are left to the consumer's copies (peer dependencies)
 *   dist/types/              the .d.ts of both (tsc)
 *   dist/meta/, dist/stamps/ esbuild's metafiles (what each bundle holds) and the freshness stamps; not shipped
 *
 * `--if-stale` rebuilds only the bundles whose stamp no longer matches the sources (scripts/build-stamp.ts);
 * `--only=lambda,cli` limits the targets (types are built by a full `npm run build` only: tsc takes seconds).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ALWAYS_INPUTS, staleReason, writeStamp } from './build-stamp';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
/** The function's code asset: exactly the files Lambda gets (the construct zips this directory). */
export const LAMBDA_DIR = join(DIST, 'lambda', 'reconciler');
export const LAMBDA_METAFILE = join(DIST, 'meta', 'lambda.json');

export const TARGETS = ['lambda', 'cli', 'lib', 'types'] as const;
export type Target = (typeof TARGETS)[number];

/** CommonJS dependencies inside an ESM bundle get the `require` they expect for Node built-ins. */
const REQUIRE_BANNER = "import { createRequire as __netreconCreateRequire } from 'node:module'; const require = __netreconCreateRequire(import.meta.url);";

/**
 * The function's bundle: local esbuild (never Docker), every dependency inside it (the SDK version is the one the
 * tests ran against, not the runtime's), ESM like the sources, minified with names kept (stack traces, error
 * names), a source map without the sources' text (NODE_OPTIONS=--enable-source-maps, lib/environment.ts).
 */
export const LAMBDA_BUILD: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: REQUIRE_BANNER },
  minify: true,
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  // .mjs: the zip has no package.json saying "type": "module", and Lambda loads a .js file as CommonJS.
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
};

/**
 * The CLI: all of it bundled like the function (the package has no runtime dependencies), Node 20 like the
 * machines it runs on, split per command so that `netrecon --help` loads no command and no AWS SDK
 * (lambda/cli/main.ts imports each command when it runs). The chunks sit next to the entry, two levels below the
 * package root like lambda/cli/main.ts, which finds package.json (`--version`) at `../../package.json`.
 */
const CLI_BUILD: esbuild.BuildOptions = {
  ...LAMBDA_BUILD,
  target: 'node20',
  splitting: true,
  sourcemap: false,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  banner: { js: `#!/usr/bin/env node\n${REQUIRE_BANNER}` },
};

/** The library: not minified (a consumer reads its stack traces), aws-cdk-lib and constructs the consumer's own. */
const LIB_BUILD: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
};

interface BundleTarget {
  readonly entryPoints: Record<string, string>;
  readonly outdir: string;
  readonly options: esbuild.BuildOptions;
}

const BUNDLES: Record<Exclude<Target, 'types'>, BundleTarget> = {
  lambda: { entryPoints: { index: 'lambda/handler.ts' }, outdir: LAMBDA_DIR, options: LAMBDA_BUILD },
  cli: { entryPoints: { netrecon: 'lambda/cli/entry.ts' }, outdir: join(DIST, 'cli'), options: CLI_BUILD },
  lib: { entryPoints: { index: 'lib/index.ts', core: 'lambda/core/index.ts' }, outdir: join(DIST, 'lib'), options: LIB_BUILD },
};

export const stampPath = (target: Target): string => join(DIST, 'stamps', `${target}.json`);
export const metafilePath = (target: Target): string => join(DIST, 'meta', `${target}.json`);

/** Builds one bundle into a fresh directory and swaps it in whole, so a reader never sees half a build. */
async function buildBundle(target: Exclude<Target, 'types'>): Promise<void> {
  const { entryPoints, outdir, options } = BUNDLES[target];
  const startedAtMs = Date.now();
  const result = await esbuild.build({
    ...options,
    absWorkingDir: ROOT,
    entryPoints: Object.entries(entryPoints).map(([out, in_]) => ({ in: in_, out })),
    outdir,
    write: false,
    metafile: true,
  });
  const staging = `${outdir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const used = reachableOutputs(result.metafile, Object.values(entryPoints));
  for (const file of result.outputFiles.filter((f) => used.has(relative(ROOT, f.path)))) {
    const path = join(staging, relative(outdir, file.path));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.contents, target === 'cli' && file.path.endsWith('netrecon.mjs') ? { mode: 0o755 } : {});
  }
  const old = `${outdir}.old-${process.pid}`;
  mkdirSync(dirname(outdir), { recursive: true });
  try {
    renameSync(outdir, old);
  } catch {
    // First build: nothing to move away.
  }
  renameSync(staging, outdir);
  rmSync(old, { recursive: true, force: true });
  mkdirSync(join(DIST, 'meta'), { recursive: true });
  mkdirSync(join(DIST, 'stamps'), { recursive: true });
  writeFileSync(metafilePath(target), JSON.stringify(result.metafile));
  const sources = Object.keys(result.metafile.inputs).filter((input) => !input.split('/').includes('node_modules'));
  writeStamp(stampPath(target), { startedAtMs, inputs: [...new Set([...sources, ...ALWAYS_INPUTS])].sort() });
}

/**
 * The output files an entry loads, statically or by import(), with their source maps. With splitting, esbuild
 * also writes chunks for dynamic imports inside dependency code it tree-shook away (the SDK's user-agent parser in
 * the library, whose only SDK use is a type): nothing loads them, so they are not shipped.
 */
function reachableOutputs(metafile: esbuild.Metafile, entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    if (metafile.outputs[`${path}.map`]) seen.add(`${path}.map`);
    for (const imp of metafile.outputs[path]?.imports ?? []) if (!imp.external) visit(imp.path);
  };
  // A chunk loaded by import() is an entry point of its own in the metafile: start from ours only.
  for (const [path, output] of Object.entries(metafile.outputs)) if (output.entryPoint !== undefined && entries.includes(output.entryPoint)) visit(path);
  return seen;
}

/**
 * The .d.ts of the library and the core (tsconfig.build.json). The sources import each other without extensions
 * (moduleResolution Bundler); a consumer's TypeScript under NodeNext resolves an ESM package's relative imports
 * only with them, and would quietly type the construct as `any`. So every relative specifier gets its `.js`.
 */
function buildTypes(): void {
  const outdir = join(DIST, 'types');
  rmSync(outdir, { recursive: true, force: true });
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  for (const file of walk(outdir).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*)(['"])/g, (whole, head: string, spec: string, tail: string) => {
      if (/\.(m?js|json)$/.test(spec)) return whole;
      const base = join(dirname(file), spec);
      if (exists(`${base}.d.ts`)) return `${head}${spec}.js${tail}`;
      if (exists(join(base, 'index.d.ts'))) return `${head}${spec}/index.js${tail}`;
      throw new Error(`${relative(ROOT, file)}: cannot resolve ${spec} among the emitted declarations`);
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Builds the targets (all by default); with ifStale, only the bundles whose sources changed since their build. */
export async function build(options: { targets?: readonly Target[]; ifStale?: boolean; log?: (line: string) => void } = {}): Promise<Target[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const built: Target[] = [];
  for (const target of options.targets ?? TARGETS) {
    if (target === 'types') {
      if (options.ifStale) continue;
      const t0 = Date.now();
      buildTypes();
      log(`build: types in ${Date.now() - t0} ms`);
      built.push(target);
      continue;
    }
    const why = options.ifStale ? staleReason(ROOT, stampPath(target)) : 'asked';
    if (why === undefined) continue;
    const t0 = Date.now();
    await buildBundle(target);
    log(`build: ${target} in ${Date.now() - t0} ms${options.ifStale ? ` (${why})` : ''}`);
    built.push(target);
  }
  return built;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const unknown = only?.filter((t) => !(TARGETS as readonly string[]).includes(t)) ?? [];
  if (unknown.length > 0) {
    console.error(`build: unknown target ${JSON.stringify(unknown[0])}; targets: ${TARGETS.join(', ')}`);
    process.exit(1);
  }
  await build({ ...(only ? { targets: only as Target[] } : {}), ifStale: args.includes('--if-stale') });
}
