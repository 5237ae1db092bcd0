/**
 * The package as a user gets it (`npm run test:package`, run by .ci/run; docs/testing.md, "The package and its
 * build"): `npm pack` (which builds first, through `prepare`), the tarball installed into a fresh TypeScript CDK app
 * in a temporary directory outside the repository, with its own package.json and its dependencies from the npm
 * cache or registry; the README's example synthesized offline with cdk-nag; the installed `netrecon` run on the
 * seed capture the tarball itself carries. Nothing in the app points back into the repository: the tarball is
 * copied next to it, and the test checks that no repository path reaches what the app produced.
 *
 * A file the construct or the CLI needs but `files` leaves out fails it: the synth (no bundle), the type check (no
 * .d.ts) or the CLI run (no chunk or capture).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lambda/cli/main';

const REPO = realpathSync(fileURLToPath(new URL('../..', import.meta.url)));
const repoPackage = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
/** The app's dependencies at the versions the repository is tested with (so `npm ci` already cached them). */
const pinned = (name: string): string => {
  const version = repoPackage.devDependencies[name];
  if (version === undefined) throw new Error(`${name} is not a devDependency of netrecon`);
  return version;
};

let work: string;
let app: string;
let tarball: string;

/** A child process with npm's own variables of this `npm run` removed (they name the repository), offline for AWS. */
function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('npm_') && !key.startsWith('INIT_CWD')) env[key] = value;
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  Object.assign(env, {
    HOME: process.env.HOME ?? work,
    AWS_CONFIG_FILE: join(work, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    FORCE_COLOR: '0',
  });
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 400_000, maxBuffer: 64 << 20 });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status === 0) return result.stdout;
  // Each line quoted: a child's stack trace read as this error's own frames sends vitest to parse its files' maps.
  const quoted = `${result.stdout}\n${result.stderr}`.trim().replace(/^/gm, '  | ');
  throw new Error(`${what} exited ${result.status ?? result.signal}:\n${quoted}`);
}

const APP_FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify(
    {
      // As `cdk init app --language typescript` writes it: NodeNext, CommonJS (no "type": "module"), tsx to run.
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['es2022'], strict: true, skipLibCheck: true, noEmit: true, isolatedModules: true, types: ['node'] },
      exclude: ['node_modules', 'cdk.out'],
    },
    null,
    2,
  ),
  'cdk.json': JSON.stringify({ app: 'npx tsx bin/app.ts' }),
  // The README's example, as a user's stack.
  'lib/monitoring-stack.ts': `import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { NetworkReconciler } from 'netrecon';

export class MonitoringStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    new NetworkReconciler(this, 'Net', { clusters: ['prod'] });
  }
}
`,
  // cdk-nag as a plugin (a finding fails the synth), and its findings written out, with a stack that must have
  // some so that an empty list means the checks ran and found nothing, not that they never ran.
  'bin/app.ts': `import { writeFileSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MonitoringStack } from '../lib/monitoring-stack';

const app = new App();
const stack = new MonitoringStack(app, 'Monitoring');
const findings = (scope: Stack) => new AwsSolutionsChecks(scope).validateScope(scope).violations.map((v) => v.ruleName);
const control = new Stack(new App(), 'Control');
new sqs.Queue(control, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
writeFileSync('nag-findings.json', JSON.stringify({ monitoring: findings(stack), control: findings(control) }));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
`,
  // The published types are the real ones: a wrong prop is refused (an \`any\` would make @ts-expect-error fail).
  'lib/types-check.ts': `import type { NetworkReconcilerProps } from 'netrecon';
import { makeReconcileConfig, reconcile, validateCapture, type ReconcileReport } from 'netrecon/core';

// @ts-expect-error clusters is a list of cluster names or 'auto'
export const wrong: NetworkReconcilerProps = { clusters: 42 };
export const right: NetworkReconcilerProps = { clusters: ['prod'], sourceProfile: 'enis' };
export function replay(json: unknown): ReconcileReport {
  const { capture, skipped } = validateCapture(json, 'input');
  return reconcile(capture, makeReconcileConfig({ periodSeconds: capture.periodSeconds }), { skipped });
}
`,
  'replay.mjs': `import { readFileSync } from 'node:fs';
import { makeReconcileConfig, reconcile, validateCapture } from 'netrecon/core';
const { capture, skipped } = validateCapture(JSON.parse(readFileSync(process.argv[2], 'utf8')), process.argv[2]);
console.log(JSON.stringify(reconcile(capture, makeReconcileConfig({ periodSeconds: capture.periodSeconds }), { skipped }).summary));
`,
};

beforeAll(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'netrecon-consumer-')));
  const packed = JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', work], REPO), 'npm pack')) as { filename: string }[];
  app = join(work, 'app');
  mkdirSync(join(app, 'bin'), { recursive: true });
  mkdirSync(join(app, 'lib'), { recursive: true });
  tarball = join(app, packed[0]!.filename);
  copyFileSync(join(work, packed[0]!.filename), tarball);
  const appPackage = {
    name: 'consumer-app',
    version: '0.1.0',
    private: true,
    dependencies: { 'aws-cdk-lib': pinned('aws-cdk-lib'), constructs: pinned('constructs'), netrecon: `file:./${packed[0]!.filename}` },
    devDependencies: Object.fromEntries(['aws-cdk', 'cdk-nag', 'tsx', 'typescript', '@types/node'].map((name) => [name, pinned(name)])),
  };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);
  for (const [file, text] of Object.entries(APP_FILES)) writeFileSync(join(app, file), text);
  ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app), 'npm install in the consumer app');
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed netrecon in a fresh CDK app', () => {
  it('is installed from the tarball, a copy inside the app, with no runtime dependency of its own', () => {
    const installed = realpathSync(join(app, 'node_modules', 'netrecon'));
    expect(installed.startsWith(`${app}/`)).toBe(true);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    // What ships: the builds, the seed capture, the docs; no TypeScript source, no test.
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'docs', 'examples', 'package.json']);
    expect(readdirSync(join(installed, 'dist')).sort()).toEqual(['cli', 'lambda', 'lib', 'types']);
  });

  it('type-checks against the published .d.ts (the construct and netrecon/core typed, not any)', () => {
    ok(run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], app), 'tsc in the consumer app');
  });

  it('synthesizes the README example offline: the prebuilt function, alarms, dashboard, cdk-nag clean', () => {
    const synth = run(join(app, 'node_modules', '.bin', 'cdk'), ['synth', '--no-notices', '-q', '-o', 'cdk.out'], app);
    ok(synth, 'cdk synth in the consumer app');
    expect(`${synth.stdout}${synth.stderr}`).not.toMatch(/Bundling asset|esbuild/i);
    const template = JSON.parse(readFileSync(join(app, 'cdk.out', 'Monitoring.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as { Type: string; Properties: Record<string, any> }[];
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    const fns = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fns.length).toBe(1);
    expect(fns[0]!.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    // The staged asset is the tarball's prebuilt bundle, byte for byte: nothing was bundled at synth.
    const assetDir = join(app, 'cdk.out', `asset.${String(fns[0]!.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    const prebuilt = join(app, 'node_modules', 'netrecon', 'dist', 'lambda', 'reconciler');
    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    for (const file of ['index.mjs', 'index.mjs.map']) expect(readFileSync(join(assetDir, file)).equals(readFileSync(join(prebuilt, file)))).toBe(true);
    // The default profile (mixed) for one cluster: EC2 discrepancy, residual, heartbeat, function errors; one composite.
    expect(count('AWS::CloudWatch::Alarm')).toBe(4);
    expect(count('AWS::CloudWatch::CompositeAlarm')).toBe(1);
    expect(count('AWS::CloudWatch::Dashboard')).toBe(1);
    expect(count('AWS::Events::Rule')).toBe(1);
    const nag = JSON.parse(readFileSync(join(app, 'nag-findings.json'), 'utf8')) as { monitoring: string[]; control: string[] };
    expect(nag.control).toContain('AwsSolutions-SQS2');
    expect(nag.monitoring).toEqual([]);
    // No path of the repository reached the assembly (the app's code and the template came from the tarball).
    for (const file of readdirSync(join(app, 'cdk.out')).filter((f) => f.endsWith('.json'))) {
      expect(readFileSync(join(app, 'cdk.out', file), 'utf8'), file).not.toContain(REPO);
    }
  });

  it('replays a capture through netrecon/core from plain JavaScript', () => {
    const seed = join(app, 'node_modules', 'netrecon', 'examples', 'seed-experiment.capture.json');
    const summary = JSON.parse(ok(run(process.execPath, ['replay.mjs', seed], app), 'netrecon/core replay'));
    expect(summary.nodePeriods).toBeGreaterThan(0);
  });

  it('runs the installed netrecon: --help, --version, and reconcile --from the tarball\'s seed capture as the sources do', async () => {
    const bin = join(app, 'node_modules', '.bin', 'netrecon');
    const help = run(bin, ['--help'], app);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: netrecon COMMAND/);
    expect(ok(run(bin, ['--version'], app), 'netrecon --version').trim()).toBe(`netrecon ${repoPackage.version}`);
    const seed = join(app, 'node_modules', 'netrecon', 'examples', 'seed-experiment.capture.json');
    const installed = run(bin, ['reconcile', '--from', seed], app);
    // The same command through the TypeScript sources, in this process: the compiled CLI must print the same.
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['reconcile', '--from', seed], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    expect(installed.status).toBe(code);
    expect(installed.stdout).toBe(out.join(''));
    expect(installed.stdout).toContain('ip-192-168-55-245');
    expect(installed.stderr).toBe(err.join(''));
  });
});
