import { describe, expect, it } from 'vitest';
import { validateCapture } from '../../lambda/capture/validate';
import { makeReconcileConfig } from '../../lambda/core/config';
import type { NodePeriodResult } from '../../lambda/core/model';
import { reconcile } from '../../lambda/core/reconcile';
import { findingWords, wordedFinding } from '../../lambda/report/finding-words';
import { agent, capture, containerInsights, ec2, iface, iso, node, richNodeSeries, stamps, T0 } from '../helpers/capture-builder';

// These are the full profile's formulas and statuses (every interface collected); the other profiles: source-profiles.test.ts.
const config = makeReconcileConfig({ sourceProfile: 'full' });

/**
 * One VPC CNI node, two 5-minute periods, 1-minute agent samples (bytes per minute):
 *   eth0            rx 1000  tx 500   physical
 *   eni0123456789a  rx 200   tx 800   pod veth (VPC CNI), counted by Container Insights
 *   veth1234        rx 3     tx 3     pod veth (bridge CNI), ignored by Container Insights
 *   vxlan.calico    rx 10    tx 10    overlay
 *   cni0            rx 5     tx 5     bridge
 *   weird0          rx 1     tx 1     unknown, counted by Container Insights
 *   lo              rx 7     tx 7     loopback, ignored
 * EC2 (one 300 s sample a period): in 5200, out 2450. Container Insights: 42.5 B/s every minute.
 */
function richNode() {
  const id = 'i-0000000000000000a';
  return capture([node(id)], richNodeSeries(id));
}

describe('reconcile: the formulas, computed by hand', () => {
  const report = reconcile(richNode(), config);
  const first = report.nodePeriods[0]!;

  it('reconciles every node in every whole period', () => {
    expect(report.summary).toMatchObject({ nodes: 1, periods: 2, nodePeriods: 2, seriesRead: 17, seriesSkipped: 0 });
    expect(report.nodePeriods.map((n) => n.periodStart)).toEqual([iso(T0), iso(T0 + 300)]);
  });

  it('sums the physical interfaces per direction', () => {
    expect(first.physicalRxBytes).toBe(5 * 1000); // 5 minutes x 1000
    expect(first.physicalTxBytes).toBe(5 * 500);
    expect(first.correctedTotalBytes).toBe(5000 + 2500);
  });

  it('takes what pods received from the host-side veths TX, and what they sent from their RX', () => {
    // eni TX 800/min + veth TX 3/min over 5 minutes = 4015; RX 200 + 3 = 203/min -> 1015.
    expect(first.podRxBytes).toBe(5 * (800 + 3));
    expect(first.podTxBytes).toBe(5 * (200 + 3));
  });

  it('sums overlay, bridge and unknown devices rx + tx', () => {
    expect(first.overlayBytes).toBe(5 * 20);
    expect(first.bridgeBytes).toBe(5 * 10);
    expect(first.unknownBytes).toBe(5 * 2);
  });

  it("makes the naive total the way Container Insights does: every interface but lo*, veth*, docker*, nerdctl*", () => {
    // eth0 1500 + eni 1000 + vxlan 20 + cni0 10 + weird0 2 = 2532 per minute; veth1234 and lo left out.
    expect(first.naiveTotalBytes).toBe(5 * 2532);
  });

  it('bounds host-only traffic below by corrected minus pod traffic', () => {
    // 7500 - (4015 + 1015) = 2470
    expect(first.hostOnlyBytes).toBe(2470);
  });

  it('converts Container Insights from bytes per second to bytes per period', () => {
    // 42.5 B/s x 60 s x 5 samples = 12,750 = Average x 300.
    expect(first.containerInsightsTotalBytes).toBe(12_750);
  });

  it('derives double-counted bytes, the EC2 discrepancy and the residual', () => {
    expect(first.ec2InBytes).toBe(5200);
    expect(first.ec2OutBytes).toBe(2450);
    expect(first.doubleCountedBytes).toBe(12_750 - 7500); // 5250
    expect(first.ec2DiscrepancyRatio).toBeCloseTo((7650 - 7500) / 7650, 12); // 0.0196…
    expect(first.containerInsightsResidualBytes).toBe(12_750 - 12_660); // 90
  });

  it('lists every interface with its class', () => {
    expect(first.interfaces.find((i) => i.name === 'lo')).toEqual({ name: 'lo', interfaceClass: 'loopback', rxBytes: 35, txBytes: 35 });
    expect(first.interfaces).toHaveLength(7);
  });

  it('is ok when the views agree within the thresholds', () => {
    expect(report.nodePeriods.map((n) => n.status)).toEqual(['ok', 'ok']);
    expect(first.findings).toEqual([]);
  });

  it('rolls the node up into the cluster line', () => {
    const cluster = report.clusterPeriods[0]!;
    expect(cluster).toMatchObject({
      nodesInInventory: 1,
      nodesWithAgent: 1,
      agentCoverageRatio: 1,
      correctedTotalBytes: 7500,
      doubleCountedBytes: 5250,
      containerInsightsTotalBytes: 12_750,
    });
    expect(cluster.ec2DiscrepancyRatio).toBeCloseTo(150 / 7650, 12);
  });
});

describe('reconcile: statuses', () => {
  const id = 'i-0000000000000000b';
  const full = () => [...iface(id, 'eth0', 1000, 1000), ec2(id, 'in', [5000, 5000]), ec2(id, 'out', [5000, 5000]), containerInsights(id, Array(10).fill(2000 / 60))];
  const only = (r: ReturnType<typeof reconcile>): NodePeriodResult => r.nodePeriods[0]!;

  it('calls a node with no agent counters missingAgent and leaves its agent figures null, not zero', () => {
    const r = reconcile(capture([node(id)], [ec2(id, 'in', [1, 1]), ec2(id, 'out', [1, 1]), containerInsights(id, Array(10).fill(1))]), config);
    expect(only(r).status).toBe('missingAgent');
    expect(only(r).correctedTotalBytes).toBeNull();
    expect(only(r).podRxBytes).toBeNull();
    expect(only(r).doubleCountedBytes).toBeNull();
    expect(r.clusterPeriods[0]!.agentCoverageRatio).toBe(0);
  });

  it('calls a node with no EC2 datapoint missingEc2', () => {
    const r = reconcile(capture([node(id)], full().filter((s) => s.source !== 'ec2')), config);
    expect(only(r).status).toBe('missingEc2');
    expect(only(r).ec2DiscrepancyRatio).toBeNull();
    expect(only(r).correctedTotalBytes).toBe(10_000);
  });

  it('calls a node with no Container Insights datapoint missingContainerInsights', () => {
    const r = reconcile(capture([node(id)], full().filter((s) => s.source !== 'containerInsights')), config);
    expect(only(r).status).toBe('missingContainerInsights');
    expect(only(r).doubleCountedBytes).toBeNull();
    expect(only(r).containerInsightsResidualBytes).toBeNull();
  });

  it('marks a period with a missing agent minute partial and reports the bytes it has, unscaled', () => {
    const series = full().filter((s) => s.source !== 'agent');
    const minutes = stamps(10).filter((_, i) => i !== 2);
    series.push(agent(id, 'eth0', 'rx', Array(9).fill(1000), minutes), agent(id, 'eth0', 'tx', Array(9).fill(1000), minutes));
    const r = reconcile(capture([node(id)], series), config);
    expect(only(r).status).toBe('partialPeriod');
    expect(only(r).findings[0]).toEqual({ status: 'partialPeriod', code: 'sourceCoverageShort', measure: 'agent', coveredSeconds: 240, periodSeconds: 300 });
    expect(only(r).correctedTotalBytes).toBe(8000); // 4 minutes x 2000, not scaled to 10,000
    expect(r.nodePeriods[1]!.status).toBe('ok');
  });

  it('marks a period partial when Container Insights misses a sample', () => {
    const series = full().filter((s) => s.source !== 'containerInsights');
    series.push({ ...containerInsights(id, Array(4).fill(2000 / 60)) });
    const r = reconcile(capture([node(id)], series), config);
    expect(only(r).status).toBe('partialPeriod');
    expect(r.nodePeriods[1]!.status).toBe('missingContainerInsights');
  });

  it('does not call a pod veth that appeared mid-period a gap', () => {
    const series = [...full(), agent(id, 'eni0123456789a', 'rx', [5, 5], stamps(2, 60, 120)), agent(id, 'eni0123456789a', 'tx', [5, 5], stamps(2, 60, 120))];
    const r = reconcile(capture([node(id)], series), makeReconcileConfig({ sourceProfile: 'full', thresholds: { residualMinBytes: 0, residualRatio: 0.5 } }));
    expect(only(r).status).toBe('ok');
    expect(only(r).podRxBytes).toBe(10);
  });

  it('calls a node that launched mid-window partialPeriod in its first period, not missingAgent, and leaves it out before', () => {
    const r = reconcile(capture([node(id, { launchTime: iso(T0 + 420) })], []), config);
    expect(r.nodePeriods).toHaveLength(1);
    expect(only(r).periodStart).toBe(iso(T0 + 300));
    expect(only(r).status).toBe('partialPeriod');
    expect(only(r).findings.map((f) => f.status)).toEqual(['partialPeriod', 'missingEc2', 'missingContainerInsights', 'missingAgent']);
  });

  it('calls a node that stopped mid-window partialPeriod in its last period', () => {
    const r = reconcile(capture([node(id, { endTime: iso(T0 + 200) })], full()), config);
    expect(r.nodePeriods).toHaveLength(1);
    expect(only(r).status).toBe('partialPeriod');
  });

  it('flags ec2Mismatch above the ratio and the byte floor, and not below either', () => {
    // EC2 10,000 + 12,000 = 22,000 against 10,000 corrected: (22,000 - 10,000) / 22,000 = 54.5 %.
    const series = [...full().filter((s) => s.source !== 'ec2'), ec2(id, 'in', [10_000, 10_000]), ec2(id, 'out', [12_000, 12_000])];
    const strict = makeReconcileConfig({ sourceProfile: 'full', thresholds: { ec2MismatchMinBytes: 0 } });
    expect(only(reconcile(capture([node(id)], series), strict)).status).toBe('ec2Mismatch');
    expect(only(reconcile(capture([node(id)], series), strict)).ec2DiscrepancyRatio).toBeCloseTo(12_000 / 22_000, 12);
    // The default floor of 1 MiB keeps a 12 kB difference quiet.
    expect(only(reconcile(capture([node(id)], series), config)).status).toBe('ok');
  });

  it('flags unexplainedResidual when Container Insights exceeds every interface the agent publishes', () => {
    // Container Insights 3000 B/s x 300 = 900,000 against an interface sum of 10,000: the agent misses an interface.
    const series = [...full().filter((s) => s.source !== 'containerInsights'), containerInsights(id, Array(10).fill(3000))];
    const r = reconcile(capture([node(id)], series), makeReconcileConfig({ sourceProfile: 'full', thresholds: { residualMinBytes: 0 } }));
    expect(only(r).status).toBe('unexplainedResidual');
    expect(only(r).containerInsightsResidualBytes).toBe(900_000 - 10_000);
  });
});

describe('reconcile: a skipped series is a gap, never a disagreement', () => {
  const id = 'i-0000000000000000c';
  /**
   * eth0 rx 500,000 and tx 500,000 B/min, lo 7 and 7; EC2 in 2,500,000 and out 2,500,000 a period; Container
   * Insights 1,000,000 B/min = 16,666.67 B/s. Complete, the node is ok: corrected 5,000,000 = EC2, naive 5,000,000
   * = Container Insights. Without eth0 (lo only) corrected would be 0 against EC2 5,000,000 (100 %, over 1 MiB) and
   * the residual 5,000,000: the disagreements the skipped series must not produce.
   */
  const series = () => [
    ...iface(id, 'eth0', 500_000, 500_000),
    ...iface(id, 'lo', 7, 7),
    ec2(id, 'in', [2_500_000, 2_500_000]),
    ec2(id, 'out', [2_500_000, 2_500_000]),
    containerInsights(id, Array(10).fill(1_000_000 / 60)),
  ];
  const statuses = (np: NodePeriodResult) => np.findings.map((f) => f.status);

  it('is ok with every series, so the numbers below are the only difference', () => {
    const r = reconcile(capture([node(id)], series()), config);
    expect(r.nodePeriods.map((n) => n.status)).toEqual(['ok', 'ok']);
  });

  it('makes a node partialPeriod, not ec2Mismatch or unexplainedResidual, when validation skips both directions of an interface', () => {
    const raw = JSON.parse(JSON.stringify(capture([node(id)], series())));
    raw.series[0].values[3] = -1; // eth0 rx
    raw.series[1].values[7] = -1; // eth0 tx
    const { capture: c, skipped } = validateCapture(raw, 'x');
    expect(skipped.map((s) => s.series)).toEqual([
      { instanceId: id, source: 'agent', direction: 'rx', interfaceName: 'eth0' },
      { instanceId: id, source: 'agent', direction: 'tx', interfaceName: 'eth0' },
    ]);
    const r = reconcile(c, config, { skipped });
    for (const np of r.nodePeriods) {
      expect(np.status).toBe('partialPeriod');
      expect(statuses(np)).toEqual(['partialPeriod']);
      expect(findingWords(np.findings[0]!)).toMatch(/^this node's agent series were skipped \(eth0 rx, eth0 tx; see the warnings\)/);
      // Reported as is: lo only.
      expect(np.correctedTotalBytes).toBe(0);
      expect(np.naiveTotalBytes).toBe(0);
    }
    expect(r.summary.seriesSkipped).toBe(2);
  });

  it('does the same for a pod veth whose series are skipped (Container Insights counted it, the agent sum lacks it)', () => {
    // eth0 1000 + 1000 B/min, pod veth eni… 200 + 800 B/min; EC2 5000 + 5000; Container Insights (2000 + 1000) / 60 B/s.
    // Without the veth: corrected 10,000 = EC2 (no mismatch), but residual 15,000 - 10,000 = 5,000 (33 %).
    const veth = 'eni0123456789a';
    const raw = JSON.parse(
      JSON.stringify(
        capture(
          [node(id)],
          [...iface(id, veth, 200, 800), ...iface(id, 'eth0', 1000, 1000), ec2(id, 'in', [5000, 5000]), ec2(id, 'out', [5000, 5000]), containerInsights(id, Array(10).fill(3000 / 60))],
        ),
      ),
    );
    const strict = makeReconcileConfig({ sourceProfile: 'full', thresholds: { residualMinBytes: 0, ec2MismatchMinBytes: 0 } });
    const whole = reconcile(validateCapture(raw, 'x').capture, strict);
    expect(whole.nodePeriods[0]!.containerInsightsResidualBytes).toBe(0);
    expect(whole.nodePeriods[0]!.status).toBe('ok');
    raw.series[0].values[0] = -1;
    raw.series[1].values[0] = -1;
    const { capture: c, skipped } = validateCapture(raw, 'x');
    const r = reconcile(c, strict, { skipped });
    for (const np of r.nodePeriods) {
      expect(np.containerInsightsResidualBytes).toBe(5000);
      expect(statuses(np)).toEqual(['partialPeriod']);
      expect(findingWords(np.findings[0]!)).toContain(`${veth} rx, ${veth} tx`);
    }
  });

  it('makes a series the core itself cannot align a gap of its node too', () => {
    // eth0 with 600 s samples cannot be split into 300 s periods: both directions skipped by the core.
    const coarse = series().map((s) => (s.source === 'agent' && s.dimensions.interface === 'eth0' ? { ...s, periodSeconds: 600, timestamps: [iso(T0)], values: [1] } : s));
    const r = reconcile(capture([node(id)], coarse), config);
    expect(r.summary.seriesSkipped).toBe(2);
    expect(r.nodePeriods.map(statuses)).toEqual([['partialPeriod'], ['partialPeriod']]);
  });

  it('calls a node whose every agent series was skipped partialPeriod, not missingAgent: the agent did publish', () => {
    const raw = JSON.parse(JSON.stringify(capture([node(id)], series())));
    for (const i of [0, 1, 2, 3]) raw.series[i].values[0] = -1;
    const { capture: c, skipped } = validateCapture(raw, 'x');
    const r = reconcile(c, config, { skipped });
    expect(statuses(r.nodePeriods[0]!)).toEqual(['partialPeriod']);
    expect(r.nodePeriods[0]!.correctedTotalBytes).toBeNull();
  });

  it('calls a skipped EC2 direction a gap and leaves the other EC2 figure as is', () => {
    const raw = JSON.parse(JSON.stringify(capture([node(id)], series())));
    raw.series[4].values[1] = -1; // EC2 NetworkIn
    const { capture: c, skipped } = validateCapture(raw, 'x');
    const r = reconcile(c, config, { skipped });
    expect(r.nodePeriods[0]!.findings.map(wordedFinding)).toEqual([
      { status: 'partialPeriod', message: expect.stringMatching(/^this node's EC2 series was skipped \(NetworkIn;/) },
    ]);
    expect(r.nodePeriods[0]!.ec2OutBytes).toBe(2_500_000);
  });
});

describe('reconcile: bad input is skipped, the rest is reconciled', () => {
  const a = 'i-000000000000000aa';
  const b = 'i-000000000000000bb';

  it('skips a series of an instance that is not in the inventory, with the instance in the reason', () => {
    const r = reconcile(capture([node(a)], [...iface(a, 'eth0', 1, 1), ...iface(b, 'eth0', 1, 1)]), config);
    expect(r.summary.seriesSkipped).toBe(2);
    expect(r.skipped[0]!.reason).toContain(b);
    expect(r.nodePeriods[0]!.correctedTotalBytes).toBe(10);
  });

  it('skips a duplicate series and keeps the first', () => {
    const r = reconcile(capture([node(a)], [...iface(a, 'eth0', 1, 1), agent(a, 'eth0', 'rx', Array(10).fill(100))]), config);
    expect(r.summary.seriesSkipped).toBe(1);
    expect(r.nodePeriods[0]!.physicalRxBytes).toBe(5);
  });

  it('skips a series whose samples cannot fit the period and reconciles the other node', () => {
    const bad = { ...agent(b, 'eth0', 'rx', [1]), periodSeconds: 600, timestamps: [iso(T0)] };
    const r = reconcile(capture([node(a), node(b)], [...iface(a, 'eth0', 1, 1), bad, agent(b, 'eth0', 'tx', Array(10).fill(1))]), config);
    expect(r.summary.seriesSkipped).toBe(1);
    expect(r.nodePeriods.filter((n) => n.instanceId === a).every((n) => n.correctedTotalBytes === 10)).toBe(true);
  });

  it('counts the skipped items it is handed in the summary', () => {
    const r = reconcile(capture([node(a)], []), config, { skipped: [{ kind: 'node', ref: '$.nodes[1]', reason: 'x' }] });
    expect(r.summary.nodesSkipped).toBe(1);
  });
});

describe('reconcile: the cluster roll-up', () => {
  it('sums nodes, counts coverage and ranks the worst nodes first', () => {
    const good = 'i-00000000000000001';
    const skewed = 'i-00000000000000002';
    const silent = 'i-00000000000000003';
    const series = [
      ...iface(good, 'eth0', 1000, 1000),
      ec2(good, 'in', [5000, 5000]),
      ec2(good, 'out', [5000, 5000]),
      containerInsights(good, Array(10).fill(2000 / 60)),
      ...iface(skewed, 'eth0', 1000, 1000),
      ec2(skewed, 'in', [9000, 9000]),
      ec2(skewed, 'out', [9000, 9000]),
      containerInsights(skewed, Array(10).fill(2000 / 60)),
      ec2(silent, 'in', [1, 1]),
      ec2(silent, 'out', [1, 1]),
    ];
    const r = reconcile(capture([node(good), node(skewed), node(silent)], series), makeReconcileConfig({ sourceProfile: 'full', worstNodeCount: 2 }));
    const c = r.clusterPeriods[0]!;
    expect(c.nodesInInventory).toBe(3);
    expect(c.nodesWithAgent).toBe(2);
    expect(c.agentCoverageRatio).toBeCloseTo(2 / 3, 12);
    expect(c.correctedTotalBytes).toBe(20_000);
    // The silent node's EC2 bytes are left out of the ratio: (10,000 + 18,000 - 20,000) / 28,000.
    expect(c.ec2DiscrepancyRatio).toBeCloseTo(8000 / 28_000, 12);
    expect(c.ec2InBytes).toBe(5000 + 9000 + 1);
    // Not ok first (silent: no agent, no Container Insights), then the largest |discrepancy| (skewed, 44 %).
    expect(c.worstNodes.map((w) => w.instanceId)).toEqual([silent, skewed]);
    expect(c.nodesByStatus).toMatchObject({ ok: 2, missingContainerInsights: 1 });
  });
});

describe('reconcile: node churn does not bend the judged cluster figures', () => {
  /**
   * Three nodes, one 5-minute period [T0, T0 + 300). A and B ran all of it; C launched at T0 + 120 and its agent and
   * Container Insights published from T0 + 180 (two minutes). Per period, by hand:
   *   A: eth0 1000 + 1000 B/min -> corrected 10,000; EC2 5000 + 5000 = 10,000; CI 2000/60 B/s x 300 = 10,000; residual 0
   *   B: eth0 1000 + 1000 B/min -> corrected 10,000; EC2 5200 + 5000 = 10,200; CI 10,000; residual 0
   *   C: eth0 1000 + 1000 B/min x 2 -> corrected 4000; EC2 30,000 + 2000 = 32,000 (the boot's image pulls, before
   *      its agent ran); CI 6000/60 B/s x 2 x 60 = 12,000; naive 4000 -> residual 8000.
   * Over all three (the old roll-up): EC2 52,200, corrected 24,000, ratio 28,200 / 52,200 = 54 %, past the 10 %
   * alarm; residual 8000 of Container Insights 32,000 = 25 %. Over the complete A and B only: EC2 20,200,
   * corrected 20,000, ratio 200 / 20,200 = 0.99 %; residual 0 of 20,000.
   */
  const [a, b, c] = ['i-0000000000000000a', 'i-0000000000000000b', 'i-0000000000000000c'];
  const late = (s: ReturnType<typeof agent>) => ({ ...s, timestamps: stamps(2, 60, 180), values: s.values.slice(0, 2) });
  const series = (cAgent: boolean) => [
    ...iface(a, 'eth0', 1000, 1000, 5),
    ec2(a, 'in', [5000]),
    ec2(a, 'out', [5000]),
    containerInsights(a, Array(5).fill(2000 / 60)),
    ...iface(b, 'eth0', 1000, 1000, 5),
    ec2(b, 'in', [5200]),
    ec2(b, 'out', [5000]),
    containerInsights(b, Array(5).fill(2000 / 60)),
    ...(cAgent ? iface(c, 'eth0', 1000, 1000, 2).map(late) : []),
    ec2(c, 'in', [30_000]),
    ec2(c, 'out', [2000]),
    late(containerInsights(c, [6000 / 60, 6000 / 60])),
  ];
  const nodes = [node(a), node(b), node(c, { launchTime: iso(T0 + 120) })];

  it('computes the discrepancy ratio, the residual and their byte totals over the complete nodes only', () => {
    const r = reconcile(capture(nodes, series(true), 5), config);
    const cluster = r.clusterPeriods[0]!;
    expect(r.nodePeriods.map((n) => n.status)).toEqual(['ok', 'ok', 'partialPeriod']);
    expect(cluster.ec2DiscrepancyRatio).toBeCloseTo(200 / 20_200, 12);
    expect(cluster.completeEc2TotalBytes).toBe(20_200);
    // 2000/60 B/s is not exact in binary: Container Insights figures are compared to 1e-6 bytes.
    expect(cluster.containerInsightsResidualBytes).toBeCloseTo(0, 6);
    expect(cluster.completeContainerInsightsTotalBytes).toBeCloseTo(20_000, 6);
    expect(cluster.partialNodes).toBe(1);
  });

  it('keeps the traffic totals over every node: the launching node\'s bytes did flow', () => {
    const cluster = reconcile(capture(nodes, series(true), 5), config).clusterPeriods[0]!;
    expect(cluster.ec2InBytes).toBe(5000 + 5200 + 30_000);
    expect(cluster.ec2OutBytes).toBe(5000 + 5000 + 2000);
    expect(cluster.correctedTotalBytes).toBe(24_000);
    expect(cluster.containerInsightsTotalBytes).toBeCloseTo(32_000, 6);
    expect(cluster.doubleCountedBytes).toBeCloseTo(32_000 - 24_000, 6);
    expect(cluster.nodesInInventory).toBe(3);
    expect(cluster.nodesWithAgent).toBe(3);
  });

  it('does not hold a launching node without agent data yet against coverage', () => {
    // C has no agent series at all: 2 of the 3 nodes have agent data, but C did not run for the whole period.
    const cluster = reconcile(capture(nodes, series(false), 5), config).clusterPeriods[0]!;
    expect(cluster.nodesWithAgent).toBe(2);
    expect(cluster.agentCoverageRatio).toBe(1); // 2 of the 2 nodes that ran for the whole period
    expect(cluster.partialNodes).toBe(1);
  });

  it('still counts a node that ran the whole period without the agent against coverage', () => {
    const whole = [node(a), node(b), node(c)];
    const cluster = reconcile(capture(whole, series(false), 5), config).clusterPeriods[0]!;
    expect(cluster.agentCoverageRatio).toBeCloseTo(2 / 3, 12);
  });
});
