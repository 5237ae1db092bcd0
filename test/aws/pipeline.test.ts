import 'aws-sdk-client-mock-vitest/extend';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { makeCluster } from '../helpers/synthetic-cluster';
import { specKey } from '../../lambda/plan/sources';
import { exitCodeFor } from '../../lambda/cli/report-outcome';
import { DEFAULT_NODE_BATCH_SIZE, runCluster } from '../../lambda/pipeline';
import { captureCluster } from '../../lambda/read-cluster';
import { mockAccount } from './account';
import { NOW_SECONDS, testRuntime, testSettings } from './helpers';

let restore: () => void = () => undefined;
afterEach(() => restore());

const now = new Date(NOW_SECONDS * 1000);
const lastHour = { kind: 'manual' as const, startSeconds: NOW_SECONDS - 3600 - 600, endSeconds: NOW_SECONDS - 600 };

function account(fake: FakeAws) {
  const a = mockAccount(fake);
  restore = a.restore;
  return a;
}

describe('the pipeline on one cluster', () => {
  it('reports a node missing each source and reconciles the others', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 4, launchSeconds: NOW_SECONDS - 86_400, withoutAgent: [1], withoutEc2: [2], withoutContainerInsights: [3] }));
    account(fake);
    const r = await runCluster({ rt: testRuntime(), cluster: 'c1', settings: testSettings(), window: lastHour, now, mode: 'dryRun', reportWholeWindow: true });
    const statuses = Object.fromEntries(r.report!.nodePeriods.filter((n) => n.periodStart === r.report!.clusterPeriods[0]!.periodStart).map((n) => [n.instanceId.slice(-1), n.status]));
    expect(statuses).toEqual({ '0': 'ok', '1': 'missingAgent', '2': 'missingEc2', '3': 'missingContainerInsights' });
    expect(r.report!.summary.periods).toBe(12);
    // The synthetic node's pod download crosses eth0 and the pod's veth: Container Insights counts it twice.
    const ok = r.report!.nodePeriods.find((n) => n.status === 'ok')!;
    expect(ok.doubleCountedBytes).toBe(ok.podRxBytes! + ok.podTxBytes!);
    expect(ok.ec2DiscrepancyRatio).toBe(0);
  });

  it('never reads another cluster and never requests a series twice when ListMetrics repeats it', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 3, otherClusterNodes: 2, launchSeconds: NOW_SECONDS - 86_400 }), { duplicateListings: true });
    const { cw, ec2 } = account(fake);
    const rt = testRuntime();
    const r = await runCluster({ rt, cluster: 'c1', settings: testSettings(), window: lastHour, now, mode: 'dryRun', reportWholeWindow: true });
    expect(r.nodes).toBe(3);
    expect(r.agentSeriesDuplicates).toBe(24); // 3 nodes x 4 interfaces x 2 metrics, each listed twice
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { Filters: [{ Name: 'tag:eks:cluster-name', Values: ['c1'] }], MaxResults: 1000 });
    expect(cw).toHaveReceivedCommandWith(ListMetricsCommand, { Namespace: 'CWAgent', MetricName: 'net_bytes_recv', RecentlyActive: 'PT3H' });
    const requested = cw.calls().flatMap((c) => (c.args[0].input as { MetricDataQueries?: { MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] } } }[] }).MetricDataQueries ?? []);
    const keys = requested
      .filter((q) => q.MetricStat.Metric.MetricName !== 'EmitLedger')
      .map((q) => `${specKey({ namespace: q.MetricStat.Metric.Namespace, metricName: q.MetricStat.Metric.MetricName, dimensions: Object.fromEntries(q.MetricStat.Metric.Dimensions.map((d) => [d.Name, d.Value])) } as never)}|${(q.MetricStat as { Stat?: string }).Stat}`);
    // 3 nodes x (11 series + the Container Insights and the agent SampleCount probes).
    expect(keys).toHaveLength(3 * 13);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.some((k) => k.includes('i-000000000000f42'))).toBe(false); // other cluster's ids start at 1,000,000 = 0xf4240
    expect(r.report!.skipped).toEqual([]);
  });

  it('gives the same cluster figures in node batches as in one batch', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 25, launchSeconds: NOW_SECONDS - 86_400, withoutAgent: [4, 17], withoutEc2: [9] }));
    account(fake);
    const one = await runCluster({ rt: testRuntime(), cluster: 'c1', settings: testSettings(), window: lastHour, now, mode: 'dryRun', reportWholeWindow: true });
    const batched = await runCluster({ rt: testRuntime(), cluster: 'c1', settings: testSettings({ nodeBatchSize: 7 }), window: lastHour, now, mode: 'dryRun', reportWholeWindow: true });
    expect(batched.report!.clusterPeriods).toEqual(one.report!.clusterPeriods);
    expect(batched.report!.summary).toEqual(one.report!.summary);
    expect(batched.emission!.requests.map((r) => r.input)).toEqual(one.emission!.requests.map((r) => r.input));
    // The CLI's view prints every node-period: the batches give the same ones, in the same order, in full.
    expect(batched.report!.nodePeriods).toHaveLength(25 * 12);
    expect(batched.report!.nodePeriods).toEqual(one.report!.nodePeriods);
  });

  it('publishes the same per-node metrics in node batches as in one batch', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 25, launchSeconds: NOW_SECONDS - 86_400, withoutAgent: [4, 17], withoutEc2: [9] }));
    account(fake);
    const settings = (nodeBatchSize?: number) => testSettings({ perNodeMetrics: true, ...(nodeBatchSize ? { nodeBatchSize } : {}) });
    const one = await runCluster({ rt: testRuntime(), cluster: 'c1', settings: settings(), window: lastHour, now, mode: 'dryRun' });
    const batched = await runCluster({ rt: testRuntime(), cluster: 'c1', settings: settings(7), window: lastHour, now, mode: 'dryRun' });
    expect(batched.report!.nodePeriods).toHaveLength(25 * 12);
    expect(batched.emission!.requests.map((r) => r.input)).toEqual(one.emission!.requests.map((r) => r.input));
  });

  it('keeps the not-ok counts of a batched report that drops its node-periods, so the exit status sees them', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 10, launchSeconds: NOW_SECONDS - 86_400, withoutAgent: [8] }));
    account(fake);
    const r = await runCluster({ rt: testRuntime(), cluster: 'c1', settings: testSettings({ nodeBatchSize: 4 }), window: lastHour, now, mode: 'dryRun' });
    // Neither per-node output nor the CLI's view: the merged report keeps the cluster figures only.
    expect(r.report!.nodePeriods).toEqual([]);
    expect(r.report!.summary).toMatchObject({ nodePeriods: 10 * 12, nodePeriodsByStatus: { ok: 9 * 12, missingAgent: 12 } });
    expect(exitCodeFor(r.report!)).toBe(2);
  });

  it('counts a node the inventory skipped once, in one batch and in several', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 5, launchSeconds: NOW_SECONDS - 86_400 }));
    const { ec2 } = account(fake);
    ec2.on(DescribeInstancesCommand).callsFake(async (input) => {
      const page = (await fake.handle('DescribeInstances', input)) as { Reservations: unknown[] };
      return { ...page, Reservations: [...page.Reservations, { Instances: [{ InstanceId: 'i-nolaunch' }] }] };
    });
    for (const nodeBatchSize of [1000, 2]) {
      const r = await runCluster({ rt: testRuntime(), cluster: 'c1', settings: testSettings({ nodeBatchSize }), window: lastHour, now, mode: 'dryRun', reportWholeWindow: true });
      expect(r.report!.skipped).toEqual([{ kind: 'node', ref: 'i-nolaunch', reason: 'the instance has no LaunchTime' }]);
      expect(r.report!.summary).toMatchObject({ nodes: 5, nodesSkipped: 1, seriesSkipped: 0 });
    }
  });

  it('keeps a node that joined inside the window and marks its first periods partial', async () => {
    const nodes = makeCluster({ cluster: 'c1', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 });
    const late = { ...nodes[1]!, launchSeconds: NOW_SECONDS - 600 - 1800 + 120 };
    const fake = new FakeAws([nodes[0]!, late]);
    account(fake);
    const r = await runCluster({ rt: testRuntime(), cluster: 'c1', settings: testSettings(), window: lastHour, now, mode: 'dryRun', reportWholeWindow: true });
    const lateStatuses = r.report!.nodePeriods.filter((n) => n.instanceId === late.instanceId).map((n) => n.status);
    expect(lateStatuses[0]).toBe('partialPeriod');
    expect(lateStatuses.slice(1).every((s) => s === 'ok')).toBe(true);
    expect(lateStatuses).toHaveLength(6);
  });

  it('captures a window into the capture format netrecon reconcile --from reads', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 }));
    account(fake);
    const { capture, skipped } = await captureCluster(testRuntime(), 'c1', testSettings(), { startSeconds: lastHour.startSeconds, endSeconds: lastHour.endSeconds }, now, 'eu-west-1');
    expect(skipped).toEqual([]);
    expect(capture).toMatchObject({ format: 'netrecon.capture', version: 1, cluster: 'c1', region: 'eu-west-1', periodSeconds: 300, window: { start: '2026-03-01T10:50:00.000Z', end: '2026-03-01T11:50:00.000Z' } });
    expect(capture.nodes).toHaveLength(2);
    expect(capture.series).toHaveLength(2 * 13); // 2 nodes x (11 series + 2 probes)
    expect(capture.series.find((s) => s.source === 'containerInsights')).toMatchObject({ stat: 'Sum', unit: 'Bytes/Second', periodSeconds: 300, sampleSeconds: 60 });
    expect(capture.series.find((s) => s.source === 'containerInsights' && s.stat === 'SampleCount')).toMatchObject({ unit: 'Count', periodSeconds: 300, sampleSeconds: 60 });
  });
});

describe('docs/aws.md', () => {
  it('states the node batch size the pipeline uses', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/aws.md', import.meta.url), 'utf8');
    const stated = [...doc.matchAll(/batch(?:es)? of ([\d,]+) nodes/g)].map((m) => Number(m[1]!.replaceAll(',', '')));
    expect(stated.length).toBeGreaterThan(0);
    expect(new Set(stated)).toEqual(new Set([DEFAULT_NODE_BATCH_SIZE]));
  });
});
