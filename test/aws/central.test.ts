/**
 * The central reconciler (docs/central.md) at the SDK boundary: a monitoring account whose CloudWatch answers
 * OAM-style for two linked source accounts (queries with AccountId, ListMetrics with IncludeLinkedAccounts and
 * OwningAccount), STS AssumeRole into each source account's role, and DescribeInstances signed with the
 * credentials it returned. Both source accounts run a cluster named `prod` with the same instance ids and
 * different traffic, so a read from the wrong account, or outputs that do not tell the accounts apart, show.
 */
import 'aws-sdk-client-mock-vitest/extend';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
  type GetMetricDataCommandInput,
  type ListMetricsCommandInput,
  type ListMetricsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lambda/cli/main';
import { runConfig } from '../helpers/run-config';
import type { RunSettingsInput } from '../../lambda/settings';
import { LedgerMemory } from '../../lambda/plan/ledger-memory';
import { seriesKey } from '../../lambda/plan/sources';
import { makeRunner } from '../../lambda/runner';
import { RunFailedError, type RunSummary } from '../../lambda/run-summary';
import { SourceAccounts, SourceRoleError } from '../../lambda/aws/source-accounts';
import { FakeAws } from '../helpers/fake-aws';
import { ec2Bytes, makeCluster, type SynthNode } from '../helpers/synthetic-cluster';
import { exactlyOnce } from './account';
import { NOW_SECONDS, sdkClients, testRuntime, virtualClock } from './helpers';
import { discoverAgentSeries } from '../../lambda/aws/discovery';
import { DEFAULT_SOURCE_SETTINGS } from '../../lambda/plan/sources';

const A = '111122223333';
const B = '444455556666';
/** An account whose role does not exist (or does not trust the reconciler). */
const NO_ROLE = '777788889999';
const REGION = 'eu-west-1';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

let restore: (() => void)[] = [];
afterEach(() => {
  for (const r of restore) r();
  restore = [];
});

/** Account B's nodes: the same instance ids as A's, other traffic (another seed). */
const reseed = (nodes: SynthNode[], by: number): SynthNode[] => nodes.map((n) => ({ ...n, seed: n.seed + by }));

interface Estate {
  readonly sources: Record<string, FakeAws>;
  /** The monitoring account: what netrecon publishes lands here. */
  readonly monitoring: FakeAws;
}

function estate(): Estate {
  const launchSeconds = NOW_SECONDS - 86_400;
  return {
    sources: {
      [A]: new FakeAws(makeCluster({ cluster: 'prod', nodes: 3, launchSeconds })),
      [B]: new FakeAws(reseed(makeCluster({ cluster: 'prod', nodes: 2, launchSeconds }), 500)),
    },
    monitoring: new FakeAws([]),
  };
}

/**
 * The monitoring account behind aws-sdk-client-mock. GetMetricData: a call's queries all name one account (one
 * cluster a call) or none (the monitoring account's own NetRecon metrics). ListMetrics answers only
 * IncludeLinkedAccounts + OwningAccount for a source account, with OwningAccounts 1:1 with Metrics.
 * DescribeInstances answers the account whose assumed-role credentials signed the request.
 */
function mockEstate(e: Estate) {
  const cw = mockClient(CloudWatchClient);
  const ec2 = mockClient(EC2Client);
  const sts = mockClient(STSClient);
  restore.push(() => cw.restore(), () => ec2.restore(), () => sts.restore());
  const seenAccountIds: (string | undefined)[] = [];
  cw.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => {
    const accounts = new Set((input.MetricDataQueries ?? []).map((q) => q.AccountId));
    expect(accounts.size).toBe(1);
    const [account] = accounts;
    seenAccountIds.push(account);
    const target = account === undefined ? e.monitoring : e.sources[account];
    if (!target) throw new Error(`no linked account ${account}`);
    const queries = (input.MetricDataQueries ?? []).map(({ AccountId: _, ...q }) => q);
    return target.handle('GetMetricData', { ...input, MetricDataQueries: queries });
  });
  cw.on(ListMetricsCommand).callsFake(async (input: ListMetricsCommandInput) => {
    if (input.IncludeLinkedAccounts !== true || input.OwningAccount === undefined) return { Metrics: [] };
    const { IncludeLinkedAccounts: _, OwningAccount, ...rest } = input;
    const page = (await e.sources[OwningAccount]!.handle('ListMetrics', rest)) as ListMetricsCommandOutput;
    return { ...page, OwningAccounts: (page.Metrics ?? []).map(() => OwningAccount) };
  });
  cw.on(PutMetricDataCommand).callsFake((input) => e.monitoring.handle('PutMetricData', input));
  sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string }) => {
    const account = /^arn:aws:iam::(\d{12}):role\//.exec(input.RoleArn)![1]!;
    if (account === NO_ROLE) {
      throw Object.assign(new Error(`User: arn:aws:sts::999900001111:assumed-role/netrecon/fn is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      });
    }
    return { Credentials: { AccessKeyId: `ASIA${account}`, SecretAccessKey: 'secret', SessionToken: `token-${account}`, Expiration: new Date(Date.now() + 900_000) } };
  });
  const describedAs: string[] = [];
  ec2.on(DescribeInstancesCommand).callsFake(async (input, getClient) => {
    const credentials = await (getClient() as EC2Client).config.credentials();
    describedAs.push(credentials.accessKeyId);
    const account = /^ASIA(\d{12})$/.exec(credentials.accessKeyId)?.[1];
    if (account === undefined || !e.sources[account]) throw new Error(`DescribeInstances signed as ${credentials.accessKeyId}, not as a source account's role`);
    return e.sources[account].handle('DescribeInstances', input);
  });
  return { cw, ec2, sts, seenAccountIds, describedAs };
}

function runner(settings: RunSettingsInput) {
  const config = runConfig({ backfillSeconds: 7200, sourceProfile: 'full', ...settings });
  const { cloudWatch, ec2 } = sdkClients();
  return makeRunner({
    config,
    cloudWatch,
    ec2,
    sts: new STSClient({ region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } }),
    ec2With: (credentials) => new EC2Client({ region: REGION, credentials }),
    logger: quiet,
    ledgerMemory: new LedgerMemory(),
    now: () => new Date(NOW_SECONDS * 1000),
    clock: virtualClock(),
    retry: { attempts: 2, baseDelayMs: 1 },
  });
}

/** Sum over the nodes of EC2 in + out in [t, t + 300): what Ec2TotalBytes must say for that period. */
function ec2Total(nodes: readonly SynthNode[], t: number): number {
  return nodes.reduce((sum, n) => {
    const b = ec2Bytes(n, t, 300);
    return sum + (b ? b.inBytes + b.outBytes : 0);
  }, 0);
}

const stored = (fake: FakeAws, metric: string, dims: Record<string, string>) => fake.store.get(seriesKey('NetRecon', metric, dims));

describe('the central reconciler', () => {
  it('lists nodes through each source account role, reads that account through OAM, and publishes per account and cluster', async () => {
    const e = estate();
    const m = mockEstate(e);
    const summary: RunSummary = await runner({ clusters: [`${A}/prod`, `${B}/prod`] })({});

    expect(summary.failedClusters).toBe(0);
    expect(summary.clusters.map((c) => [c.cluster, c.nodes])).toEqual([
      [`${A}/prod`, 3],
      [`${B}/prod`, 2],
    ]);
    // One AssumeRole per account, the contract's role, a 15-minute session, no external id unless configured.
    expect(m.sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(m.sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${A}:role/netrecon-source-reader`, RoleSessionName: 'netrecon-central', DurationSeconds: 900 });
    expect(m.sts.commandCalls(AssumeRoleCommand).every((c) => c.args[0].input.ExternalId === undefined)).toBe(true);
    // DescribeInstances only ever signed with an assumed role's credentials.
    expect(new Set(m.describedAs)).toEqual(new Set([`ASIA${A}`, `ASIA${B}`]));
    // Source metrics read with the account's id; the ledger and the node history (NetRecon) without: they are the monitoring account's.
    const sourceCalls = m.cw.commandCalls(GetMetricDataCommand).filter((c) => c.args[0].input.MetricDataQueries!.some((q) => q.MetricStat?.Metric?.Namespace !== 'NetRecon'));
    expect(sourceCalls.length).toBeGreaterThan(0);
    for (const call of sourceCalls) {
      const ids = new Set(call.args[0].input.MetricDataQueries!.map((q) => q.AccountId));
      expect([...ids].every((id) => id === A || id === B)).toBe(true);
    }
    expect(m.cw.commandCalls(GetMetricDataCommand).filter((c) => c.args[0].input.MetricDataQueries!.every((q) => q.MetricStat?.Metric?.Namespace === 'NetRecon')).length).toBeGreaterThan(0);
    expect(m.seenAccountIds).toContain(undefined);
    // The agent namespace listed for each account through OAM.
    for (const account of [A, B]) {
      expect(m.cw).toHaveReceivedCommandWith(ListMetricsCommand, { Namespace: 'CWAgent', MetricName: 'net_bytes_recv', IncludeLinkedAccounts: true, OwningAccount: account });
    }

    // Outputs: ClusterName and AccountId, so the two `prod` clusters are two sets of series and two ledgers.
    const t = NOW_SECONDS - 7200;
    for (const [account, nodes] of [
      [A, e.sources[A]!.nodes],
      [B, e.sources[B]!.nodes],
    ] as const) {
      const dims = { ClusterName: 'prod', AccountId: account };
      const statuses = ['ok', 'ec2Mismatch', 'residual', 'missingAgent', 'missingEc2', 'missingContainerInsights', 'partial'];
      const counted = statuses.reduce((sum, status) => sum + (stored(e.monitoring, 'NodeCount', { ...dims, Status: status })?.get(t)?.sum ?? 0), 0);
      expect(counted).toBe(nodes.length);
      expect(stored(e.monitoring, 'Ec2TotalBytes', dims)?.get(t)?.sum).toBe(ec2Total(nodes, t));
      expect(stored(e.monitoring, 'EmitLedger', dims)?.get(t)?.count).toBe(1);
      expect(stored(e.monitoring, 'Heartbeat', dims)?.size).toBe(1);
    }
    // B's traffic is not A's: a read from the wrong account would have shown as equal totals.
    expect(ec2Total(e.sources[A]!.nodes.slice(0, 2), t)).not.toBe(ec2Total(e.sources[B]!.nodes, t));
    // Nothing under the bare ClusterName: that would be the reconciler's own account's `prod`.
    expect(stored(e.monitoring, 'Ec2TotalBytes', { ClusterName: 'prod' })).toBeUndefined();
    expect(exactlyOnce(e.monitoring)).toEqual({ ok: true, doubled: [] });

    // A second run finds both ledgers complete and publishes no period again.
    const again = await runner({ clusters: [`${A}/prod`, `${B}/prod`] })({});
    expect(again.clusters.map((c) => c.periodsEmitted)).toEqual([0, 0]);
    expect(exactlyOnce(e.monitoring)).toEqual({ ok: true, doubled: [] });
  });

  it('a role that cannot be assumed fails that account\'s cluster with the account, the role ARN and the fix; the others run', async () => {
    const e = estate();
    const m = mockEstate(e);
    const run = runner({ clusters: [`${NO_ROLE}/edge`, `${A}/prod`, `${NO_ROLE}/edge-2`] })({});
    const error = await run.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(error).toBeInstanceOf(RunFailedError);
    const summary = (error as RunFailedError).summary;
    expect(summary.failedClusters).toBe(2);
    expect(summary.clusters.map((c) => [c.cluster, c.outcome])).toEqual([
      [`${NO_ROLE}/edge`, 'failed'],
      [`${A}/prod`, 'emitted'],
      [`${NO_ROLE}/edge-2`, 'failed'],
    ]);
    const message = summary.clusters[0]!.error!;
    expect(message).toContain(`arn:aws:iam::${NO_ROLE}:role/netrecon-source-reader`);
    expect(message).toContain(`account ${NO_ROLE}`);
    expect(message).toContain('AccessDenied');
    expect(message).toContain('Fix: deploy the source-account role');
    // The failed role is asked once per run, not once per cluster.
    expect(m.sts.commandCalls(AssumeRoleCommand).filter((c) => c.args[0].input.RoleArn!.includes(NO_ROLE))).toHaveLength(1);
    expect(stored(e.monitoring, 'Ec2TotalBytes', { ClusterName: 'prod', AccountId: A })?.size).toBeGreaterThan(0);
    expect([...e.monitoring.store.keys()].some((k) => k.includes(NO_ROLE))).toBe(false);
  });

  it('passes the external id when the source role trusts by external id', async () => {
    const e = estate();
    const m = mockEstate(e);
    await runner({ clusters: [`${A}/prod`], sourceExternalId: 'netrecon-7f3a', sourceRoleName: 'custom-reader' })({});
    expect(m.sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${A}:role/custom-reader`, ExternalId: 'netrecon-7f3a' });
  });
});

describe('the live CLI on a source account cluster', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });

  it('reconcile --cluster ACCOUNT_ID/CLUSTER --dry-run lists the nodes through the role and reports the account', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(NOW_SECONDS * 1000);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const e = estate();
    const m = mockEstate(e);
    let out = '';
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    const code = await main(
      ['reconcile', '--cluster', `${B}/prod`, '--region', REGION, '--source-profile', 'full', '--dry-run', '--format', 'json', '--start', iso(NOW_SECONDS - 3600), '--end', iso(NOW_SECONDS - 1200)],
      { stdout: (t) => void (out += t), stderr: () => undefined },
    );
    expect(code).not.toBe(1);
    const parsed = JSON.parse(out) as { report?: { cluster: string; accountId?: string; summary: { nodes: number } }; cluster?: string; accountId?: string };
    const report = parsed.report ?? (parsed as unknown as { cluster: string; accountId?: string });
    expect(report.cluster).toBe('prod');
    expect(report.accountId).toBe(B);
    expect(m.describedAs).toEqual([`ASIA${B}`]);
    expect(m.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });
});

describe('agent discovery through OAM', () => {
  it('asks for one linked account and keeps only the series OwningAccounts attributes to it', async () => {
    const cw = mockClient(CloudWatchClient);
    restore.push(() => cw.restore());
    const metric = (iface: string) => ({ Namespace: 'CWAgent', MetricName: 'net_bytes_recv', Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }, { Name: 'interface', Value: iface }] });
    // OwningAccounts is 1:1 with Metrics: eth0 is A's, ens5 another account's node that happens to share the id.
    cw.on(ListMetricsCommand).resolves({ Metrics: [metric('eth0'), metric('ens5')], OwningAccounts: [A, B] });
    const found = await discoverAgentSeries(testRuntime(sdkClients().cloudWatch), {
      settings: DEFAULT_SOURCE_SETTINGS,
      instanceIds: new Set(['i-1']),
      windowStartSeconds: NOW_SECONDS - 3600,
      nowSeconds: NOW_SECONDS,
      accountId: A,
    });
    expect(cw).toHaveReceivedCommandWith(ListMetricsCommand, { IncludeLinkedAccounts: true, OwningAccount: A });
    expect(found.byInstance.get('i-1')?.rx).toEqual(['eth0']);
  });
});

describe('SourceAccounts', () => {
  it('renews the credentials of an account once they are about to expire, and types a refusal', async () => {
    const sts = mockClient(STSClient);
    restore.push(() => sts.restore());
    let nowMs = 0;
    let issued = 0;
    sts.on(AssumeRoleCommand).callsFake(async () => {
      issued++;
      return { Credentials: { AccessKeyId: `ASIA${issued}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(nowMs + 900_000) } };
    });
    let provider: (() => Promise<{ accessKeyId: string }>) | undefined;
    const accounts = new SourceAccounts({
      sts: new STSClient({ region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } }),
      role: { roleName: 'netrecon-source-reader' },
      ec2With: (credentials) => {
        provider = credentials;
        return { send: () => Promise.reject(new Error('unused')) } as never;
      },
      nowMs: () => nowMs,
    });
    await accounts.ec2For(A);
    await accounts.ec2For(A);
    expect(issued).toBe(1);
    expect((await provider!()).accessKeyId).toBe('ASIA1');
    nowMs = 845_000; // 55 s before expiry: renewed
    expect((await provider!()).accessKeyId).toBe('ASIA2');

    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Access denied'), { name: 'AccessDenied' }));
    const refused = await accounts.ec2For(B).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(SourceRoleError);
    expect(refused).toMatchObject({ accountId: B, roleArn: `arn:aws:iam::${B}:role/netrecon-source-reader` });
  });
});
