/**
 * `clusters=auto` through the handler's runner, against the simulated account (EC2, CloudWatch) and a mocked EKS
 * client: the discovered clusters are reconciled, a discovered cluster without nodes is skipped and counted instead
 * of failing the run, the tag filter narrows the list, and a list that cannot be read fails the run publishing nothing.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterListError } from '../lambda/aws/cluster-list';
import { LedgerMemory } from '../lambda/plan/ledger-memory';
import { makeRunner } from '../lambda/runner';
import { RunFailedError, type RunSummary } from '../lambda/run-summary';
import { FakeAws } from './helpers/fake-aws';
import { makeCluster } from './helpers/synthetic-cluster';
import { mockAccount, storedCounts } from './aws/account';
import { NOW_SECONDS, sdkClients, virtualClock } from './aws/helpers';
import { recordingLogger } from './helpers/recording-logger';
import { runConfig } from './helpers/run-config';
import type { RunSettingsInput } from '../lambda/settings';

const eksMock = mockClient(EKSClient);
let restore: () => void = () => undefined;
afterEach(() => {
  restore();
  eksMock.reset();
});

const { logs, logger } = recordingLogger();

/** Two clusters with EC2 nodes (`web`: 3, `batch`: 2) and whatever EKS is told to list besides. */
function account(options: { webWithoutAgent?: number[] } = {}) {
  const day = NOW_SECONDS - 86_400;
  const web = makeCluster({ cluster: 'web', nodes: 3, launchSeconds: day, withoutAgent: options.webWithoutAgent ?? [] });
  const batch = makeCluster({ cluster: 'batch', nodes: 2, launchSeconds: day }).map((n) => ({ ...n, instanceId: `${n.instanceId}b` }));
  const fake = new FakeAws([...web, ...batch]);
  const aws = mockAccount(fake);
  restore = aws.restore;
  return { fake, aws };
}

function runner(settings: RunSettingsInput) {
  const config = runConfig({ backfillSeconds: 3600, ...settings });
  const eks = new EKSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  return makeRunner({ config, ...sdkClients(), eks, logger, ledgerMemory: new LedgerMemory(), now: () => new Date(NOW_SECONDS * 1000), clock: virtualClock(), retry: { attempts: 2, baseDelayMs: 1 } });
}

/** Names of the metrics that landed for a cluster (its ClusterName dimension), from the store itself. */
const publishedMetrics = (fake: FakeAws, cluster: string): string[] =>
  [...new Set(storedCounts(fake).filter((s) => s.key.includes(`ClusterName=${cluster}`)).map((s) => s.key.split('\u0000')[1]!))].sort();

/** Clusters whose data landed in the output namespace (heartbeats left out), from the store itself. */
const publishedClusters = (fake: FakeAws): string[] => [...new Set(storedCounts(fake).map((s) => s.key.split('\u0000')[2]!.split('\u0001')[0]!.split('=')[1]!))].sort();

describe('clusters=auto', () => {
  it('reconciles every cluster EKS lists; a Fargate-only cluster (no instance, no history) is skipped and counted, not a failure', async () => {
    const { fake, aws } = account();
    eksMock.on(ListClustersCommand).resolves({ clusters: ['web', 'fargate-only', 'batch'] });
    const summary: RunSummary = await runner({ clusters: 'auto' })({});

    expect(summary.clusters.map((c) => [c.cluster, c.outcome])).toEqual([
      ['batch', 'emitted'],
      ['fargate-only', 'skipped'],
      ['web', 'emitted'],
    ]);
    expect(summary.clusters.find((c) => c.cluster === 'batch')).toMatchObject({ nodes: 2 });
    expect(summary.clusters.find((c) => c.cluster === 'web')).toMatchObject({ nodes: 3 });
    const skipped = summary.clusters.find((c) => c.cluster === 'fargate-only')!;
    expect(skipped.skipReason).toMatch(/^no EC2 instance matches tag:eks:cluster-name=fargate-only in any state and no node was ever published for it \(Fargate only/);
    expect(skipped).toMatchObject({ nodes: 0, periodsEmitted: 0, putRequests: 0 });
    expect(skipped.error).toBeUndefined();
    expect(summary).toMatchObject({ failedClusters: 0, skippedClusters: 1, discovery: { clustersListed: 3, clusterTag: null, clustersNotMatchingTag: 0 } });
    expect(summary.apiCalls).toMatchObject({ ListClusters: 1, DescribeCluster: 0 });
    // Nothing at all was published for the skipped cluster, not even a heartbeat.
    expect(publishedClusters(fake)).toEqual(['batch', 'web']);
    const putClusters = aws.cw.commandCalls(PutMetricDataCommand).flatMap((c) => (c.args[0].input.MetricData ?? []).map((d) => d.Dimensions?.find((x) => x.Name === 'ClusterName')?.Value));
    expect(putClusters).not.toContain('fargate-only');
    expect(logs.some((l) => l.level === 'warn' && l.message === 'cluster skipped' && (l.data as { cluster: string }).cluster === 'fargate-only')).toBe(true);
  });

  it('a named cluster without nodes still fails the run: only a cluster EKS listed is known to exist', async () => {
    account();
    await expect(runner({ clusters: ['web', 'fargate-only'] })({})).rejects.toBeInstanceOf(RunFailedError);
  });

  it('narrows the list to the clusters with the tag, and skips one whose tags cannot be read', async () => {
    const { fake } = account();
    eksMock.on(ListClustersCommand).resolves({ clusters: ['batch', 'web', 'other'] });
    eksMock.on(DescribeClusterCommand, { name: 'web' }).resolves({ cluster: { name: 'web', tags: { netrecon: 'on' } } });
    eksMock.on(DescribeClusterCommand, { name: 'batch' }).resolves({ cluster: { name: 'batch', tags: { netrecon: 'off' } } });
    eksMock.on(DescribeClusterCommand, { name: 'other' }).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const summary = await runner({ clusters: 'auto', clusterTag: 'netrecon=on' })({});
    expect(summary.clusters.map((c) => [c.cluster, c.outcome])).toEqual([
      ['other', 'skipped'],
      ['web', 'emitted'],
    ]);
    expect(summary.clusters[0]!.skipReason).toMatch(/eks:DescribeCluster failed after retries \(AccessDeniedException: denied\)/);
    expect(summary).toMatchObject({ skippedClusters: 1, discovery: { clustersListed: 3, clusterTag: 'netrecon=on', clustersNotMatchingTag: 1 } });
    expect(publishedClusters(fake)).toEqual(['web']);
  });

  it('gives a discovered cluster the default profile and a named one its own', async () => {
    // web's third node runs no agent: `full` calls it missingAgent, where `mixed` would reconcile it agentless.
    const { fake } = account({ webWithoutAgent: [2] });
    eksMock.on(ListClustersCommand).resolves({ clusters: ['batch', 'web'] });
    const summary = await runner({ clusters: 'auto', sourceProfile: { '*': 'agentless', web: 'full' } })({});
    const of = (cluster: string) => summary.clusters.find((c) => c.cluster === cluster)!;
    // agentless reads no agent series, so it lists only its Container Insights nodes; full lists the agent's too.
    expect(of('batch').apiCalls.ListMetrics).toBe(1);
    expect(of('web').apiCalls.ListMetrics).toBe(1 + 2);
    // What only `full` has of the four (docs/profiles.md): the agent coverage (not agentless), the EC2 check (not
    // agentless), the Container Insights residual and the pod bytes from the veths' own counters (neither enis nor
    // agentless has them).
    const fullOnly = ['AgentCoveragePercent', 'Ec2DiscrepancyRatio', 'ContainerInsightsResidualBytes', 'PodRxBytes', 'PodTxBytes'];
    expect(publishedMetrics(fake, 'web')).toEqual(expect.arrayContaining(fullOnly));
    expect(publishedMetrics(fake, 'batch').filter((m) => fullOnly.includes(m))).toEqual([]);
    expect(publishedMetrics(fake, 'batch')).toEqual(expect.arrayContaining(['Ec2TotalBytes', 'ContainerInsightsTotalBytes']));
    // `full` requires the agent, `mixed` does not: in every period published, web's two nodes with the agent are ok
    // and the third is missingAgent; batch's two are ok.
    const periods = of('web').periodsEmitted;
    expect(periods).toBe(10); // the hour's backfill less the 600 s lag, at 300 s
    expect(of('web').nodePeriodsByStatus).toMatchObject({ ok: 2 * periods, missingAgent: periods });
    expect(of('batch').nodePeriodsByStatus).toMatchObject({ ok: 2 * periods, missingAgent: 0 });
  });

  it('a manual backfill may name a discovered cluster, and only one', async () => {
    account();
    eksMock.on(ListClustersCommand).resolves({ clusters: ['batch', 'web'] });
    const event = { start: new Date((NOW_SECONDS - 7200) * 1000).toISOString(), end: new Date((NOW_SECONDS - 3600) * 1000).toISOString() };
    const summary = await runner({ clusters: 'auto' })({ ...event, cluster: 'web' });
    expect(summary.clusters.map((c) => c.cluster)).toEqual(['web']);
    await expect(runner({ clusters: 'auto' })({ ...event, cluster: 'unknown' })).rejects.toThrow(/"cluster" is not one of the configured clusters: "unknown"\. Configured: batch, web/);
  });

  it('fails the run with ClusterListError when ListClusters fails, before reading or publishing anything', async () => {
    const { aws } = account();
    eksMock.on(ListClustersCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    logs.length = 0;
    const error = await runner({ clusters: 'auto' })({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterListError);
    expect((error as Error).message).toContain('eks:ListClusters failed after retries (AccessDeniedException: not allowed)');
    expect(aws.cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
    expect(aws.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['cluster discovery failed']);
  });

  it('runs nothing, successfully, in a Region without clusters', async () => {
    const { aws } = account();
    eksMock.on(ListClustersCommand).resolves({ clusters: [] });
    const summary = await runner({ clusters: 'auto' })({});
    expect(summary).toMatchObject({ clusters: [], failedClusters: 0, skippedClusters: 0, discovery: { clustersListed: 0 } });
    expect(aws.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });
});
