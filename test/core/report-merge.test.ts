import { describe, expect, it } from 'vitest';
import { ReportMerger, type KeptNodePeriods } from '../../lambda/core/report-merge';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { agent, capture, containerInsights, ec2, iface, iso, node, stamps, T0 } from '../helpers/capture-builder';

const config = makeReconcileConfig();

/**
 * The merged report of node batches must roll up like one report: the columns keep what rollUp judges by
 * (each source's completeness and the partial flag), or a launching node would re-enter the cluster ratios.
 * A and B ran the whole period, with EC2 10,000 and 10,200 against corrected 10,000 each; C launched at
 * T0 + 120 with EC2 32,000 against corrected 4000. Complete-only ratio: 200 / 20,200.
 */
describe('ReportMerger', () => {
  const [a, b, c] = ['i-0000000000000000a', 'i-0000000000000000b', 'i-0000000000000000c'];
  const late = (s: ReturnType<typeof agent>) => ({ ...s, timestamps: stamps(2, 60, 180), values: s.values.slice(0, 2) });
  const seriesOf = {
    [a]: [...iface(a, 'eth0', 1000, 1000, 5), ec2(a, 'in', [5000]), ec2(a, 'out', [5000]), containerInsights(a, Array(5).fill(2000 / 60))],
    [b]: [...iface(b, 'eth0', 1000, 1000, 5), ec2(b, 'in', [5200]), ec2(b, 'out', [5000]), containerInsights(b, Array(5).fill(2000 / 60))],
    [c]: [...iface(c, 'eth0', 1000, 1000, 2).map(late), ec2(c, 'in', [30_000]), ec2(c, 'out', [2000]), late(containerInsights(c, [100, 100]))],
  };
  const nodes = [node(a), node(b), node(c, { launchTime: iso(T0 + 120) })];
  const whole = reconcile(capture(nodes, Object.values(seriesOf).flat(), 5), config);

  it.each<KeptNodePeriods>(['none', 'figures', 'full'])('rolls up batches like one report, keeping node-periods %s', (kept) => {
    const merger = new ReportMerger('test', config, kept);
    for (const n of nodes) merger.add(reconcile(capture([n], seriesOf[n.instanceId]!, 5), config));
    const merged = merger.report();
    expect(merged.clusterPeriods[0]!.ec2DiscrepancyRatio).toBeCloseTo(200 / 20_200, 12);
    expect(merged.clusterPeriods[0]!.partialNodes).toBe(1);
    expect(merged.clusterPeriods).toEqual(whole.clusterPeriods);
  });
});
