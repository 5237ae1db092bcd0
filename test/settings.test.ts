import { readFileSync } from 'node:fs';
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { MAX_PERIODS_PER_RUN } from '../lambda/plan/limits';
import { liveSettings } from '../lambda/cli/commands/live';
import { main } from '../lambda/cli/main';
import { ConfigError } from '../lambda/core/config';
import { parseHandlerConfig, type DeprecatedVariable } from '../lambda/handler-config';
import { resolveRunSettings, RUN_SETTINGS } from '../lambda/settings';
import type { SettingSpec } from '../lambda/setting-spec';
import { DEPLOY_SETTINGS } from '../lib/deploy-settings';
import { NetReconPropsError } from '../lib/errors';
import { resolveSettings, type NetworkReconcilerProps } from '../lib/props';
import { DEPLOY_DOC, withRenderedTable } from '../scripts/settings-table';

function functionError(env: Record<string, string>): ConfigError {
  try {
    parseHandlerConfig({ NETRECON_CLUSTERS: 'demo', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`the function accepted ${JSON.stringify(env)}`);
}

function propsError(props: Partial<NetworkReconcilerProps>): NetReconPropsError {
  try {
    resolveSettings({ clusters: ['demo'], ...props });
  } catch (error) {
    if (error instanceof NetReconPropsError) return error;
    throw error;
  }
  throw new Error(`the construct accepted ${JSON.stringify(props)}`);
}

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(argv, { stdout: () => undefined, stderr: (text) => void (stderr += text) });
  return { code, stderr };
}

describe('the settings table', () => {
  it('is the table docs/deploy.md shows (regenerate with: npx tsx scripts/settings-table.ts --write)', () => {
    const doc = readFileSync(DEPLOY_DOC, 'utf8');
    expect(doc).toBe(withRenderedTable(doc));
  });

  it('gives every setting, variable and flag one name', () => {
    const specs: SettingSpec<never>[] = [...Object.values(RUN_SETTINGS), ...Object.values(DEPLOY_SETTINGS)];
    const names = specs.flatMap((s) => [s.key, ...(s.propAliases ?? [])]);
    const variables = specs.flatMap((s) => (s.env ? [s.env, ...(s.envAliases ?? [])] : []));
    const flags = specs.flatMap((s) => (s.flag ? [s.flag] : []));
    for (const list of [names, variables, flags]) expect(new Set(list).size).toBe(list.length);
    expect(Object.entries(RUN_SETTINGS).every(([key, spec]) => spec.key === key)).toBe(true);
    expect(Object.entries(DEPLOY_SETTINGS).every(([key, spec]) => spec.key === key)).toBe(true);
  });

  it('has defaults that pass their own checks', () => {
    expect(() => resolveRunSettings({ clusters: ['demo'] })).not.toThrow();
    for (const spec of Object.values(DEPLOY_SETTINGS)) expect(spec.check(spec.default as never)).toBe(spec.default);
  });
});

describe('one check for the construct, the function and the CLI', () => {
  it('the CLI refuses --namespace AWS/EC2 with the message the function gives for its variable', async () => {
    const fn = functionError({ NETRECON_OUTPUT_NAMESPACE: 'AWS/EC2' });
    expect(fn.message).toMatch(/^NETRECON_OUTPUT_NAMESPACE is invalid: "AWS\/EC2"\. .*may not start with "AWS\/"/);
    // Refused before any AWS client exists: no credentials or region are needed to be told.
    const run = await cli(['reconcile', '--cluster', 'demo', '--namespace', 'AWS/EC2', '--dry-run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`netrecon reconcile: ${fn.message.replace('NETRECON_OUTPUT_NAMESPACE', '--namespace')}\n`);
    expect(propsError({ outputNamespace: 'AWS/EC2' }).hint).toBe(fn.hint);
  });

  it.each<[string, Record<string, string>, Partial<NetworkReconcilerProps>, string[]]>([
    ['a period over an hour', { NETRECON_PERIOD_SECONDS: '7200' }, { periodSeconds: 7200, periodsPerRead: 1 }, ['--period', '7200']],
    ['a cluster name with a space', { NETRECON_CLUSTERS: 'bad name' }, { clusters: ['bad name'] }, ['--cluster', 'bad name']],
    ['a node filter that is not a tag', { NETRECON_NODE_FILTER: 'cluster' }, { nodeFilter: 'cluster' }, ['--node-filter', 'cluster']],
    ['an output namespace equal to a source', { NETRECON_OUTPUT_NAMESPACE: 'CWAgent' }, { outputNamespace: 'CWAgent' }, ['--namespace', 'CWAgent']],
  ])('refuses %s with the same words everywhere', async (_name, env, props, flags) => {
    const fn = functionError(env);
    expect(propsError(props).hint).toBe(fn.hint);
    const run = await cli(['reconcile', '--cluster', 'demo', ...flags, '--dry-run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(fn.hint);
  });

  it('bounds maxPeriodsPerRun alike in the construct and the function, and the CLI takes that bound', () => {
    const atBound = { maxPeriodsPerRun: MAX_PERIODS_PER_RUN, backfillSeconds: 14 * 86_400 };
    expect(resolveSettings({ clusters: ['demo'], ...atBound }).maxPeriodsPerRun).toBe(4032);
    expect(parseHandlerConfig({ NETRECON_CLUSTERS: 'demo', NETRECON_MAX_PERIODS_PER_RUN: '4032' }).schedule.maxPeriodsPerRun).toBe(4032);
    const props = propsError({ maxPeriodsPerRun: 4033 });
    const fn = functionError({ NETRECON_MAX_PERIODS_PER_RUN: '4033' });
    expect(props.hint).toBe(fn.hint);
    expect(fn.hint).toMatch(/from 1 to 4032/);
    expect(liveSettings({ cluster: 'demo' }).schedule.maxPeriodsPerRun).toBe(4032);
  });

  it('quotes a CDK prop as the user wrote it: a number stays a number, a variable stays text', () => {
    const props = propsError({ maxPeriodsPerRun: 5000 });
    expect(props.value).toBe(5000);
    expect(props.message).toMatch(/^NetworkReconciler prop maxPeriodsPerRun is invalid: 5000\. /);
    expect(functionError({ NETRECON_MAX_PERIODS_PER_RUN: '5000' }).message).toMatch(/^NETRECON_MAX_PERIODS_PER_RUN is invalid: "5000"\. /);
  });

  it('names the variable of a default that another setting put out of range', () => {
    // A backfill window of 6 periods cannot hold a read of the default 12.
    expect(functionError({ NETRECON_BACKFILL_SECONDS: '1800' }).message).toMatch(/^NETRECON_PERIODS_PER_READ is invalid: 12\. .*backfill window \(6\)/);
  });
});

describe('earlier names', () => {
  it('the function still reads NETRECON_MIN_PENDING_PERIODS, and says it is deprecated', () => {
    const deprecated: DeprecatedVariable[] = [];
    const config = parseHandlerConfig({ NETRECON_CLUSTERS: 'demo', NETRECON_MIN_PENDING_PERIODS: '6' }, deprecated);
    expect(config.schedule.periodsPerRead).toBe(6);
    expect(deprecated).toEqual([{ variable: 'NETRECON_MIN_PENDING_PERIODS', insteadOf: 'NETRECON_PERIODS_PER_READ' }]);
    expect(functionError({ NETRECON_MIN_PENDING_PERIODS: '0' }).message).toMatch(/^NETRECON_MIN_PENDING_PERIODS is invalid: "0"/);
  });

  it('the construct still takes the Duration props, in the unit of the setting that replaced them', () => {
    const s = resolveSettings({ clusters: ['demo'], scheduleInterval: Duration.minutes(15), timeout: Duration.minutes(10), logRetention: 90 });
    expect(s).toMatchObject({ scheduleMinutes: 15, timeoutSeconds: 600, logRetentionDays: 90 });
    expect(s.deprecatedProps).toEqual([
      { prop: 'scheduleInterval', use: 'scheduleMinutes' },
      { prop: 'logRetention', use: 'logRetentionDays' },
      { prop: 'timeout', use: 'timeoutSeconds' },
    ]);
  });
});

describe('clusters=auto and clusterTag', () => {
  it('the function, the construct and cdk context (text) take auto alone', () => {
    expect(parseHandlerConfig({ NETRECON_CLUSTERS: 'auto' })).toMatchObject({ clusters: 'auto', clusterTag: null });
    expect(resolveSettings({ clusters: 'auto' }).clusters).toBe('auto');
    expect(resolveRunSettings({ clusters: ['auto'] }).clusters).toBe('auto');
  });

  it('refuses auto among named clusters, in the construct and the function alike', () => {
    expect(propsError({ clusters: ['auto', 'prod'] }).message).toMatch(/^NetworkReconciler prop clusters is invalid: .*auto asks for every cluster of the account and Region and stands alone/);
    expect(functionError({ NETRECON_CLUSTERS: 'prod,auto' }).message).toMatch(/^NETRECON_CLUSTERS is invalid: "prod,auto"\. auto asks for every cluster/);
  });

  it('reads the tag filter, and refuses it without auto or malformed, naming the variable or the prop', () => {
    expect(parseHandlerConfig({ NETRECON_CLUSTERS: 'auto', NETRECON_CLUSTER_TAG: 'netrecon=enabled' }).clusterTag).toEqual({ key: 'netrecon', value: 'enabled' });
    expect(parseHandlerConfig({ NETRECON_CLUSTERS: 'auto', NETRECON_CLUSTER_TAG: 'team' }).clusterTag).toEqual({ key: 'team' });
    expect(functionError({ NETRECON_CLUSTER_TAG: 'netrecon=enabled' }).message).toMatch(/^NETRECON_CLUSTER_TAG is invalid: "netrecon=enabled"\. It narrows the clusters discovery finds, so it needs clusters=auto/);
    expect(functionError({ NETRECON_CLUSTERS: 'auto', NETRECON_CLUSTER_TAG: '=x' }).message).toMatch(/^NETRECON_CLUSTER_TAG is invalid: "=x"\. Write KEY=VALUE/);
    expect(propsError({ clusterTag: 'netrecon=enabled' }).message).toMatch(/^NetworkReconciler prop clusterTag is invalid: "netrecon=enabled"\. It narrows/);
  });

  it('takes profiles for clusters it cannot check yet under auto, keeping the default under "*"', () => {
    expect(parseHandlerConfig({ NETRECON_CLUSTERS: 'auto', NETRECON_SOURCE_PROFILE: 'full,dev:agentless' }).sourceProfiles).toEqual({ dev: 'agentless', '*': 'full' });
    // With named clusters, a profile for a cluster not named is still refused.
    expect(functionError({ NETRECON_SOURCE_PROFILE: 'dev:agentless' }).message).toMatch(/"dev" is not one of the clusters \(demo\)/);
  });
});
