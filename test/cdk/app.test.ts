import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_SETTINGS } from '../../lambda/settings';

const ENV = Object.fromEntries(Object.entries(RUN_SETTINGS).map(([key, spec]) => [key, spec.env])) as { [K in keyof typeof RUN_SETTINGS]: string };
import { AppContextError, readAppContext, unknownContextKeys } from '../../lib/app-context';
import { resolveSettings } from '../../lib/props';
import { accountIdsIn } from './support';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netrecon-app-'));
  temps.push(dir);
  return dir;
}
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const reader = (context: Record<string, unknown>) => (key: string) => context[key];

describe('readAppContext', () => {
  it('reads -c strings into typed props, leaving the rest to the defaults', () => {
    const config = readAppContext(
      reader({
        clusters: ' prod-eu, prod-us ',
        periodSeconds: '60',
        perNodeMetrics: 'true',
        scheduleMinutes: '10',
        timeoutSeconds: '600',
        thresholds: '{"ec2MismatchRatio":0.2}',
        agentNamespace: 'NodeAgent',
        logRetentionDays: '90',
        alarmEmail: 'oncall@example.com',
        residualAlarm: 'false',
      }),
    );
    expect(config.stackName).toBe('NetRecon');
    expect(config.env).toBeUndefined();
    expect(config.nag).toBe(false);
    expect(config.reconciler).toMatchObject({
      clusters: ['prod-eu', 'prod-us'],
      periodSeconds: 60,
      perNodeMetrics: true,
      thresholds: { ec2MismatchRatio: 0.2 },
      sources: { agentNamespace: 'NodeAgent' },
      logRetentionDays: 90,
      scheduleMinutes: 10,
      timeoutSeconds: 600,
      alarmEmail: 'oncall@example.com',
      residualAlarm: false,
      lagSeconds: undefined,
    });
  });

  it('reads cdk.json values as they are typed', () => {
    const config = readAppContext(reader({ clusters: ['a', 'b'], periodSeconds: 120, perNodeMetrics: false, thresholds: { residualRatio: 0.3 }, region: 'eu-west-1' }));
    expect(config.reconciler).toMatchObject({ clusters: ['a', 'b'], periodSeconds: 120, perNodeMetrics: false, thresholds: { residualRatio: 0.3 } });
    expect(config.env).toEqual({ account: undefined, region: 'eu-west-1' });
  });

  it('reads -c clusters=auto -c clusterTag=KEY=VALUE for a stack that lists its clusters', () => {
    const config = readAppContext(reader({ clusters: 'auto', clusterTag: 'netrecon=enabled' }));
    expect(config.reconciler).toMatchObject({ clusters: ['auto'], clusterTag: 'netrecon=enabled' });
    expect(resolveSettings(config.reconciler)).toMatchObject({ clusters: 'auto', clusterTag: 'netrecon=enabled' });
  });

  it('reads interface rules inline or from a JSON file', () => {
    const rules = { vpcCniVethPrefix: 'pod' };
    expect(readAppContext(reader({ clusters: 'a', interfaceRules: JSON.stringify(rules) })).reconciler.interfaceRules).toEqual(rules);
    const file = join(tempDir(), 'rules.json');
    writeFileSync(file, JSON.stringify(rules));
    expect(readAppContext(reader({ clusters: 'a', interfaceRules: file })).reconciler.interfaceRules).toEqual(rules);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no clusters', {}, /Context "clusters" is invalid: undefined\. It is required: npx cdk deploy -c clusters=/],
    ['a number that is not one', { clusters: 'a', periodSeconds: 'five' }, /Context "periodSeconds" is invalid: "five"\. Give a number/],
    ['a negative schedule', { clusters: 'a', scheduleMinutes: '-5' }, /Context "scheduleMinutes" is invalid: "-5"\. Give a positive number/],
    ['a flag that is not a boolean', { clusters: 'a', perNodeMetrics: 'yes' }, /Context "perNodeMetrics" is invalid: "yes"\. Give true or false/],
    ['thresholds that are not JSON', { clusters: 'a', thresholds: '{ratio: 1}' }, /Context "thresholds" is invalid: "\{ratio: 1\}"\. It is not a JSON object/],
    ['thresholds given as a path', { clusters: 'a', thresholds: 'thresholds.json' }, /Context "thresholds" is invalid: "thresholds\.json"\. Give a JSON object/],
    ['a rules file that does not exist', { clusters: 'a', interfaceRules: '/nonexistent/rules.json' }, /Context "interfaceRules" is invalid: "\/nonexistent\/rules\.json"\. Give a JSON object or the path of a JSON file \(ENOENT/],
    ['a topic that is not an SNS ARN', { clusters: 'a', alarmTopicArn: 'oncall' }, /Context "alarmTopicArn" is invalid: "oncall"\. Give an SNS topic ARN/],
    ['a stack name CloudFormation refuses', { clusters: 'a', stackName: 'bad name!' }, /Context "stackName" is invalid: "bad name!"\. A stack name is 1-128 letters, digits or hyphens, starting with a letter/],
    ['an account that is not 12 digits', { clusters: 'a', account: 'abc' }, /Context "account" is invalid: "abc"\. An AWS account id is 12 digits/],
    ['a region that is not one', { clusters: 'a', region: 'mars-1' }, /Context "region" is invalid: "mars-1"\. Use a region name, e\.g\. eu-west-1/],
  ])('rejects %s with the key, the value and a hint', (_name, context, message) => {
    expect(() => readAppContext(reader(context))).toThrow(AppContextError);
    expect(() => readAppContext(reader(context))).toThrow(message);
  });
});

describe('unknownContextKeys', () => {
  const read = new Set(['clusters', 'sourceProfile', 'alarmEmail', 'alarmTopicArn', 'stackName', 'region', 'account', 'org']);

  it('names each key the app never read, with the setting it most likely misspells', () => {
    expect(unknownContextKeys(['clusters', 'sourceprofile', 'alarmEmial', 'regoin', 'colour'], read)).toEqual([
      { key: 'sourceprofile', nearest: 'sourceProfile' },
      { key: 'alarmEmial', nearest: 'alarmEmail' },
      { key: 'regoin', nearest: 'region' },
      { key: 'colour' },
    ]);
  });

  it("leaves the CDK's own keys alone (feature flags, aws:cdk:*, cached lookups)", () => {
    expect(unknownContextKeys(['@aws-cdk/core:newStyleStackSynthesis', 'aws:cdk:bundling-stacks', 'availability-zones:account=1:region=x'], read)).toEqual([]);
  });
});

/** The CLI `npx cdk` resolves to, run directly (npx's own start-up is not under test). */
const CDK_CLI = fileURLToPath(new URL('../../node_modules/aws-cdk/bin/cdk', import.meta.url));

/** `npx cdk synth` as a user runs it: no AWS credentials, no profile, no metadata endpoint, a fresh HOME. */
function cdkSynth(args: string[]) {
  const home = tempDir();
  const outdir = join(home, 'cdk.out');
  const result = spawnSync(process.execPath, [CDK_CLI, 'synth', '--no-notices', '-q', '-o', outdir, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CDK_DISABLE_VERSION_CHECK: 'true',
      npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? home, '.npm'),
    },
  });
  return { ...result, outdir };
}

describe('npx cdk synth of bin/app.ts', () => {
  it('synthesizes offline with no credentials, from -c flags, with cdk-nag passing', () => {
    const run = cdkSynth(['-c', 'clusters=prod-eu,prod-us', '-c', 'alarmEmail=oncall@example.com', '-c', 'perNodeMetrics=true', '-c', 'nag=true']);
    expect(run.status, run.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(run.outdir, 'NetRecon.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as { Type: string; Properties: Record<string, any> }[];
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    expect(count('AWS::Lambda::Function')).toBe(1);
    expect(count('AWS::CloudWatch::CompositeAlarm')).toBe(2);
    // The default source profile, mixed: per cluster EC2 discrepancy, residual and heartbeat (no coverage alarm), plus function errors.
    expect(count('AWS::CloudWatch::Alarm')).toBe(2 * 3 + 1);
    expect(count('AWS::SNS::Subscription')).toBe(1);
    const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect(fn.Properties.Environment.Variables).toMatchObject({ [ENV.clusters]: 'prod-eu,prod-us', [ENV.perNodeMetrics]: 'true' });
    // Environment-agnostic: no account or region baked in.
    expect(accountIdsIn(template)).toEqual([]);
    // The prebuilt bundle (dist/lambda/reconciler/) was staged next to the template.
    const asset = readdirSync(run.outdir).find((name) => name.startsWith('asset.'));
    expect(asset && existsSync(join(run.outdir, asset, 'index.mjs'))).toBe(true);
  });

  it('warns about misspelled context keys, naming the setting meant, and still synthesizes', () => {
    const run = cdkSynth(['-c', 'clusters=demo', '-c', 'sourceprofile=full', '-c', 'alarmEmial=oncall@example.com']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('netrecon: warning: context "sourceprofile" is not a setting of this app and is ignored; did you mean "sourceProfile"?');
    expect(run.stderr).toContain('netrecon: warning: context "alarmEmial" is not a setting of this app and is ignored; did you mean "alarmEmail"?');
    expect(run.stderr).not.toMatch(/context "(clusters|aws:cdk|@aws-cdk)/);
  });

  it('refuses a stack name CloudFormation would refuse in one line, not a CDK stack trace', () => {
    const run = cdkSynth(['-c', 'clusters=demo', '-c', 'stackName=bad name!']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('netrecon: Context "stackName" is invalid: "bad name!".');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails with one clear line on a bad setting, before bundling', () => {
    const run = cdkSynth(['-c', 'clusters=demo', '-c', 'periodSeconds=250']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('netrecon: NetworkReconciler prop periodSeconds is invalid: 250. Use a multiple of 60 seconds from 60 to 3600');
    expect(run.stderr).not.toContain('Bundling asset');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user error
  });
});

describe('the account-id check on templates', () => {
  // A real asset hash shape (64 hex characters) that happens to hold 12 digits in a row.
  const hash = `ab${'123456789012'}cdef${'0'.repeat(46)}`;

  it('ignores digits inside asset hashes, where a plain /\\d{12}/ check failed by chance', () => {
    const template = { Resources: { Fn: { Properties: { Code: { S3Key: `${hash}.zip` } } } } };
    expect(JSON.stringify(template)).toMatch(/\d{12}/); // what the old check tripped on
    expect(accountIdsIn(template)).toEqual([]);
  });

  it('still finds an account id in an ARN or on its own', () => {
    const template = { Resources: { R: { Properties: { Role: 'arn:aws:iam::123456789012:role/x', Account: '210987654321' } } } };
    expect(accountIdsIn(template)).toEqual(['123456789012', '210987654321']);
  });
});
