import { afterEach, describe, expect, it } from 'vitest';
import { FakeAws } from './helpers/fake-aws';
import { makeCluster } from './helpers/synthetic-cluster';
import { LedgerMemory } from '../lambda/plan/ledger-memory';
import { seriesKey } from '../lambda/plan/sources';
import { configFromEnvironment, parseHandlerConfig } from '../lambda/handler-config';
import { parseEvent } from '../lambda/handler-event';
import { readBudgetDatapoints } from '../lambda/read-budget';
import { makeRunner } from '../lambda/runner';
import { RunFailedError } from '../lambda/run-summary';
import { mockAccount } from './aws/account';
import { NOW_SECONDS, sdkClients, virtualClock } from './aws/helpers';
import { recordingLogger } from './helpers/recording-logger';

describe('handler configuration', () => {
  it('says which variable is required', () => {
    expect(() => parseHandlerConfig({})).toThrow(/^NETRECON_CLUSTERS is required\. Give one or more EKS cluster names/);
  });

  it.each([
    [{ NETRECON_PERIOD_SECONDS: '90' }, /NETRECON_PERIOD_SECONDS is invalid: "90"\. Use a multiple of 60/],
    [{ NETRECON_PERIOD_SECONDS: 'five' }, /NETRECON_PERIOD_SECONDS is invalid: "five"/],
    [{ NETRECON_LAG_SECONDS: '-1' }, /NETRECON_LAG_SECONDS is invalid: "-1"/],
    [{ NETRECON_BACKFILL_SECONDS: '9999999' }, /NETRECON_BACKFILL_SECONDS is invalid: "9999999"\. Use a whole number of seconds from 300 to 1209600/],
    [{ NETRECON_PERIODS_PER_READ: '0' }, /NETRECON_PERIODS_PER_READ is invalid: "0"/],
    [{ NETRECON_PER_NODE_METRICS: 'yes' }, /NETRECON_PER_NODE_METRICS is invalid: "yes"\. Use true or false/],
    [{ NETRECON_OUTPUT_NAMESPACE: 'AWS/EC2' }, /NETRECON_OUTPUT_NAMESPACE is invalid: "AWS\/EC2"/],
    [{ NETRECON_NODE_FILTER: 'cluster' }, /NETRECON_NODE_FILTER is invalid: "cluster"\. node filter "cluster" is not understood/],
    [{ NETRECON_THRESHOLDS: '{bad' }, /NETRECON_THRESHOLDS is invalid: "\{bad"\. It must be a JSON object/],
    [{ NETRECON_THRESHOLDS: '{"ec2MismatchRatio": -1}' }, /NETRECON_THRESHOLDS is invalid.*thresholds\.ec2MismatchRatio is invalid: -1/],
    [{ NETRECON_THRESHOLDS: '{"ratio": 1}' }, /NETRECON_THRESHOLDS is invalid.*thresholds\.ratio is invalid: 1\. There is no such threshold/],
    [{ NETRECON_INTERFACE_RULES: '{"vpcCniVethPrefix": "toolong"}' }, /NETRECON_INTERFACE_RULES is invalid/],
    [{ NETRECON_INTERFACE_RULES: '{"prefix": "eni"}' }, /NETRECON_INTERFACE_RULES is invalid.*prefix: unknown setting/],
    [{ NETRECON_AGENT_NAMESPACE: ' ' }, /NETRECON_AGENT_NAMESPACE is invalid: " "/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => parseHandlerConfig({ NETRECON_CLUSTERS: 'prod', ...env })).toThrow(message);
  });

  it('rejects a bad or repeated cluster name', () => {
    expect(() => parseHandlerConfig({ NETRECON_CLUSTERS: 'prod,bad name' })).toThrow(/"bad name" is not an EKS cluster name/);
    expect(() => parseHandlerConfig({ NETRECON_CLUSTERS: 'a,b,a' })).toThrow(/"a" is listed twice/);
  });

  it('fills the documented defaults', () => {
    const c = parseHandlerConfig({ NETRECON_CLUSTERS: 'a, b' });
    expect(c.clusters).toEqual(['a', 'b']);
    expect(c.schedule).toEqual({ periodSeconds: 300, lagSeconds: 600, backfillSeconds: 86_400, maxPeriodsPerRun: 288, periodsPerRead: 12 });
    expect(c.outputNamespace).toBe('NetRecon');
    expect(c.perNodeMetrics).toBe(false);
    expect(c.sources.agentNamespace).toBe('CWAgent');
    expect(c.nodeFilter).toEqual({ kind: 'tag', key: 'eks:cluster-name' });
  });
});

describe('handler events', () => {
  const clusters = ['a', 'b'];
  it.each([[undefined], [{}], ['{}'], [{ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }]])('takes %j as a scheduled run', (event) => {
    expect(parseEvent(event, clusters, NOW_SECONDS)).toEqual({ trigger: 'schedule', window: { kind: 'scheduled' }, clusters });
  });

  it('takes a manual backfill for one cluster', () => {
    expect(parseEvent({ start: '2026-03-01T00:00:00Z', end: '2026-03-01T06:00:00Z', cluster: 'b' }, clusters, NOW_SECONDS)).toEqual({
      trigger: 'manual',
      window: { kind: 'manual', startSeconds: Date.parse('2026-03-01T00:00:00Z') / 1000, endSeconds: Date.parse('2026-03-01T06:00:00Z') / 1000 },
      clusters: ['b'],
    });
  });

  it.each([
    [{ start: '2026-03-01' , end: '2026-03-01T06:00:00Z' }, /"start" must be an ISO 8601 time with a zone: "2026-03-01"/],
    [{ start: '2026-03-01T06:00:00Z', end: '2026-03-01T00:00:00Z' }, /"end" must be after "start"/],
    [{ start: '2026-03-01T00:00:00Z' }, /needs both "start" and "end"/],
    [{ start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }, /"start" is more than 14 days ago/],
    [{ start: '2026-03-01T00:00:00Z', end: '2026-03-01T06:00:00Z', cluster: 'c' }, /"cluster" is not one of the configured clusters: "c"\. Configured: a, b/],
    [{ start: '2026-03-01T00:00:00Z', end: '2026-03-01T06:00:00Z', clusters: 'a' }, /unknown field "clusters"/],
    [{ 'detail-type': 'EC2 Instance State-change Notification' }, /not a scheduled event/],
    [[1, 2], /the event is not an object/],
  ])('rejects %j', (event, message) => {
    expect(() => parseEvent(event, clusters, NOW_SECONDS)).toThrow(message);
  });
});

describe('handler run', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());
  const { logs, logger } = recordingLogger();

  it('runs every cluster, reports the one that fails and still emits the others', async () => {
    const nodes = [...makeCluster({ cluster: 'good', nodes: 3, launchSeconds: NOW_SECONDS - 86_400 }), ...makeCluster({ cluster: 'bad', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 }).map((n) => ({ ...n, instanceId: `${n.instanceId}b` }))];
    const fake = new FakeAws(nodes);
    const account = mockAccount(fake, {
      beforePut: (input) => {
        const data = (input as { MetricData: { Dimensions?: { Value: string }[] }[] }).MetricData;
        if (data.some((d) => d.Dimensions?.[0]?.Value === 'bad')) throw Object.assign(new Error('namespace denied'), { name: 'AccessDeniedException' });
      },
    });
    restore = account.restore;
    const config = parseHandlerConfig({ NETRECON_CLUSTERS: 'bad,good', NETRECON_BACKFILL_SECONDS: '3600' });
    const runner = makeRunner({ config, ...sdkClients(), logger, ledgerMemory: new LedgerMemory(), now: () => new Date(NOW_SECONDS * 1000), clock: virtualClock() });
    const error = await runner({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    const summary = (error as RunFailedError).summary;
    expect(summary.clusters.map((c) => [c.cluster, c.outcome])).toEqual([['bad', 'failed'], ['good', 'emitted']]);
    expect(summary.clusters[0]!.error).toMatch(/PutMetricData: request 1 of 1 failed after retries \(namespace denied\)/);
    // The agent namespace was listed once for the run, by the first cluster ('bad'): 'good' lists only its own
    // Container Insights nodes (one page).
    expect(summary.clusters[1]).toMatchObject({ nodes: 3, periodsEmitted: 10, putRequests: 1, skippedCount: 0, apiCalls: { DescribeInstances: 1, ListMetrics: 1, GetMetricData: 2, PutMetricData: 1 } });
    expect(summary.apiCalls.ListMetrics).toBe(2 + 2);
    expect(summary.apiCalls.PutMetricData).toBe(2);
    // Ledger reads, then 11 metrics a node (a metric's SampleCount probe rides in its call, billed with it).
    expect(summary.metricsRequested).toBe(2 * 1 + 3 * 11 + 2 * 11);
    // The scheduled function beats the heartbeat the alarm watches, once per cluster and run, with its data.
    const beats = fake.store.get(seriesKey('NetRecon', 'Heartbeat', { ClusterName: 'good' }));
    expect([...(beats?.values() ?? [])].map((s) => s.count)).toEqual([1]);
    const runLog = logs.find((l) => l.message === 'run summary');
    expect(runLog?.data).toMatchObject({ trigger: 'schedule', failedClusters: 1 });
  });

  it('reports a cluster whose run threw with every count at zero, and still runs the next', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'good', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 }));
    const account = mockAccount(fake);
    restore = account.restore;
    fake.failNext('DescribeInstances', 1, () => Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    const config = parseHandlerConfig({ NETRECON_CLUSTERS: 'denied,good', NETRECON_BACKFILL_SECONDS: '3600' });
    const runner = makeRunner({ config, ...sdkClients(), logger, ledgerMemory: new LedgerMemory(), now: () => new Date(NOW_SECONDS * 1000), clock: virtualClock() });
    const error = await runner({}).catch((e: unknown) => e);
    const [denied, good] = (error as RunFailedError).summary.clusters;
    expect(denied).toEqual({
      cluster: 'denied',
      outcome: 'failed',
      nodes: 0,
      readWindow: null,
      periodsEmitted: 0,
      periodsAlreadyComplete: 0,
      periodsDeferred: 0,
      periodsHeld: 0,
      putRequests: 0,
      metricsEmitted: 0,
      skippedCount: 0,
      skippedByReason: [],
      // The Container Insights node listing goes out beside DescribeInstances; nothing after the failure does.
      apiCalls: { DescribeInstances: 1, ListMetrics: 1, GetMetricData: 1, PutMetricData: 0, ListClusters: 0, DescribeCluster: 0, UpdateItem: 0, GetItem: 0, Query: 0, TransactWriteItems: 0 },
      // The operation, what it was for and the SDK's cause (lambda/aws/api.ts, AwsCallError).
      error:
        'DescribeInstances: listing the instances (tag:eks:cluster-name=denied) failed after its retries (UnauthorizedOperation (HTTP 403): not authorized). ' +
        "Nothing was published: no period is sealed on a failed read, so the next run reads it again. If it persists, check the service's health and that the role may call ec2:DescribeInstances.",
    });
    expect(good).toMatchObject({ cluster: 'good', outcome: 'emitted', nodes: 2 });
  });

  it('fails every invocation from middy\'s before with the configuration error when the environment is bad, logging it once', async () => {
    logs.length = 0;
    const settings = configFromEnvironment({ NETRECON_LAG_SECONDS: '600' }, logger);
    const before = settings.middleware.before!;
    for (let invocation = 0; invocation < 2; invocation++) {
      await expect(async () => before({} as never)).rejects.toThrow(/^NETRECON_CLUSTERS is required\./);
    }
    expect(logs.filter((l) => l.message === 'configuration error')).toHaveLength(1);
  });

  it('reads a good environment once and hands it to the runner', async () => {
    const settings = configFromEnvironment({ NETRECON_CLUSTERS: 'a' }, logger);
    await settings.middleware.before!({} as never);
    expect(settings.config().clusters).toEqual(['a']);
    expect(settings.config()).toBe(settings.config());
  });
});

describe('readBudgetDatapoints', () => {
  it('turns the time left into datapoints at the quota, half of it, shared by the clusters still to run', () => {
    // 600 s x 180,000 datapoints/s x 0.5 / 3 clusters = 18,000,000.
    expect(readBudgetDatapoints({ getRemainingTimeInMillis: () => 600_000 }, undefined, 3)).toBe(18_000_000);
    // A raised quota raises the budget: 600 s x 400,000 x 0.5 = 120,000,000.
    expect(readBudgetDatapoints({ getRemainingTimeInMillis: () => 600_000 }, { getMetricDataDps: 400_000 }, 1)).toBe(120_000_000);
    expect(readBudgetDatapoints(undefined, undefined, 1)).toBeUndefined();
  });
});
