import 'aws-sdk-client-mock-vitest/extend';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { makeCluster, type SynthNode } from '../helpers/synthetic-cluster';
import { runCluster } from '../../lambda/pipeline';
import { mockAccount, storedCounts } from './account';
import { NOW_SECONDS, testRuntime, testSettings } from './helpers';

let restore: () => void = () => undefined;
afterEach(() => restore());

const now = new Date(NOW_SECONDS * 1000);
const lastHour = { kind: 'manual' as const, startSeconds: NOW_SECONDS - 3600 - 600, endSeconds: NOW_SECONDS - 600 };

function run(nodes: SynthNode[], mode: 'emit' | 'dryRun' = 'dryRun', window: typeof lastHour = lastHour) {
  const fake = new FakeAws(nodes);
  const account = mockAccount(fake);
  restore = account.restore;
  return runCluster({ rt: testRuntime(), cluster: 'c1', settings: testSettings(), window, now, mode, reportWholeWindow: true }).then((r) => ({ r, fake, account }));
}

const cluster = () => makeCluster({ cluster: 'c1', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 });
/** Node 1 terminated long enough ago for DescribeInstances to have forgotten it; its series remain. */
const unlisted = (nodes: SynthNode[], endSeconds?: number) => nodes.map((n, i) => (i === 1 ? { ...n, unlisted: true, ...(endSeconds === undefined ? {} : { endSeconds }) } : n));

describe('a node DescribeInstances no longer lists, whose series remain', () => {
  it('is reconciled from its series: the cluster figures are those of the same cluster with the node listed', async () => {
    const listed = (await run(cluster(), 'emit')).fake;
    const listedStore = storedCounts(listed);
    restore();
    const { r, fake } = await run(unlisted(cluster()), 'emit');
    expect(r.nodes).toBe(2);
    expect(r.nodesFromSeries).toBe(1);
    expect(r.report!.summary.nodePeriodsByStatus.ok).toBe(2 * 12);
    // Every published value (PhysicalRxBytes, NodeCount{Status=ok} = 2, ...) as if the inventory had listed it.
    const byKey = (s: ReturnType<typeof storedCounts>) => Object.fromEntries(s.map((x) => [`${x.key}@${x.minute}`, x.max]));
    expect(byKey(storedCounts(fake))).toEqual(byKey(listedStore));
    const rx = [...fake.store].find(([k]) => k.includes('\u0000PhysicalRxBytes\u0000') && !k.includes('InstanceId'))!;
    const node0Only = (await run([cluster()[0]!])).r.report!.clusterPeriods[0]!.physicalRxBytes!;
    expect(rx[1].get(NOW_SECONDS - 3600 - 600)!.sum).toBeGreaterThan(1.9 * node0Only);
  });

  it('stopped inside the window: partial where its series stop, and absent after, never missing a source', async () => {
    const end = NOW_SECONDS - 600 - 1800 + 120; // 2 minutes into the 7th period of the window
    const { r } = await run(unlisted(cluster(), end));
    const its = r.report!.nodePeriods.filter((n) => n.instanceId === cluster()[1]!.instanceId);
    expect(its.map((n) => n.status)).toEqual([...Array(6).fill('ok'), 'partialPeriod']);
    expect(its.at(-1)!.findings.map((f) => f.code)).toContain('lifetimeUnknown');
    expect(its.at(-1)!.complete.ranWholePeriod).toBe(false);
    expect(r.report!.summary.nodePeriodsByStatus.missingEc2 + r.report!.summary.nodePeriodsByStatus.missingContainerInsights).toBe(0);
    // The judged figures leave the partial node-period out; the traffic totals keep its bytes.
    const last = r.report!.clusterPeriods[6]!;
    expect(last.partialNodes).toBe(1);
    expect(last.nodesInInventory).toBe(2);
    expect(r.report!.clusterPeriods[7]!.nodesInInventory).toBe(1);
  });

  it('costs one Container Insights listing per cluster and read, not one per node or period', async () => {
    const { account } = await run(unlisted(makeCluster({ cluster: 'c1', nodes: 3, otherClusterNodes: 2, launchSeconds: NOW_SECONDS - 86_400 })));
    const ci = account.cw.commandCalls(ListMetricsCommand).filter((c) => c.args[0].input.Namespace === 'ContainerInsights');
    expect(ci).toHaveLength(1);
    expect(ci[0]!.args[0].input.Dimensions).toEqual([{ Name: 'ClusterName', Value: 'c1' }, { Name: 'InstanceId' }, { Name: 'NodeName' }]);
  });

  it('does not take another cluster\'s nodes', async () => {
    const nodes = makeCluster({ cluster: 'c1', nodes: 1, otherClusterNodes: 2, launchSeconds: NOW_SECONDS - 86_400 }).map((n) => (n.tags['eks:cluster-name'] !== 'c1' ? { ...n, unlisted: true } : n));
    const { r } = await run(nodes);
    expect(r.nodes).toBe(1);
  });
});
