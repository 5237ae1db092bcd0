import { describe, expect, it } from 'vitest';
import { ConfigError, makeReconcileConfig } from '../../lambda/core/config';
import type { SourceProfile } from '../../lambda/core/source-profile';
import { clusterCapabilities, nodeProfileOf, resolveSourceProfiles, sourceProfilesText } from '../../lambda/core/source-profile';
import { reconcile } from '../../lambda/core/reconcile';
import { agent, capture, containerInsights, ec2, iface, node, richNodeSeries, stamps } from '../helpers/capture-builder';

const withProfile = (sourceProfile: SourceProfile, thresholds = {}) => makeReconcileConfig({ sourceProfile, thresholds });

/**
 * Node A, the rich VPC CNI node of reconcile.test.ts: agent on every interface (bytes per minute)
 *   eth0 rx 1000 tx 500 (physical), eni0123456789a rx 200 tx 800 (pod veth), veth1234 3/3, vxlan.calico 10/10,
 *   cni0 5/5, weird0 1/1, lo 7/7; EC2 in 5200 out 2450 a period; Container Insights 42.5 B/s (12,750 a period).
 */
const A = 'i-000000000000000a1';
const richSeries = richNodeSeries;
/** Node B: an agent on the ENI only: eth0 rx 2000 tx 1000 a minute; EC2 in 10,000 out 5,000; Container Insights 100 B/s (30,000). */
const B = 'i-000000000000000b1';
const enisSeries = (id: string) => [...iface(id, 'eth0', 2000, 1000), ec2(id, 'in', [10_000, 10_000]), ec2(id, 'out', [5000, 5000]), containerInsights(id, Array(10).fill(100))];
/** Node C: no agent; EC2 in 3,000 out 1,000; Container Insights 20 B/s (6,000). */
const C = 'i-000000000000000c1';
const agentlessSeries = (id: string) => [ec2(id, 'in', [3000, 3000]), ec2(id, 'out', [1000, 1000]), containerInsights(id, Array(10).fill(20))];

describe('agentless: EC2 is the counted-once figure', () => {
  const report = reconcile(capture([node(A)], richSeries(A)), withProfile('agentless'));
  const first = report.nodePeriods[0]!;

  it('takes the counted-once bytes from EC2 and ignores the agent series it may find', () => {
    expect(first).toMatchObject({ sourceProfile: 'agentless', basis: 'ec2', physicalRxBytes: 5200, physicalTxBytes: 2450, correctedTotalBytes: 7650 });
    expect(first.interfaces).toEqual([]);
  });

  it('estimates pod traffic as Container Insights − EC2, which is also the double-counted bytes', () => {
    // 12,750 − 7,650 = 5,100 (overlay and bridge traffic fall into it too).
    expect(first.doubleCountedBytes).toBe(5100);
    expect(first.podEstimatedBytes).toBe(5100);
  });

  it('computes no figure that needs the agent: pod veths, classes, interface sum, discrepancy, residual', () => {
    expect(first).toMatchObject({
      podRxBytes: null,
      podTxBytes: null,
      overlayBytes: null,
      bridgeBytes: null,
      unknownBytes: null,
      naiveTotalBytes: null,
      hostOnlyBytes: null,
      ec2DiscrepancyRatio: null,
      containerInsightsResidualBytes: null,
      status: 'ok',
    });
  });

  it('never says missingAgent, ec2Mismatch or unexplainedResidual', () => {
    // EC2 10x the ENI counters and Container Insights 100x the interface sum: both would be findings under full.
    const series = [...iface(C, 'eth0', 100, 100), ec2(C, 'in', [10_000, 10_000]), ec2(C, 'out', [0, 0]), containerInsights(C, Array(10).fill(1000))];
    const strict = { ec2MismatchMinBytes: 0, residualMinBytes: 0 };
    expect(reconcile(capture([node(C)], series), withProfile('full', strict)).nodePeriods[0]!.findings.map((f) => f.status)).toEqual(['ec2Mismatch', 'unexplainedResidual']);
    const r = reconcile(capture([node(C)], agentlessSeries(C)), withProfile('agentless', strict));
    expect(r.nodePeriods.map((n) => n.status)).toEqual(['ok', 'ok']);
    expect(reconcile(capture([node(C)], series), withProfile('agentless', strict)).nodePeriods.map((n) => n.status)).toEqual(['ok', 'ok']);
  });

  it('still needs EC2: a node without it is missingEc2, with no counted-once figure', () => {
    const r = reconcile(capture([node(C)], [containerInsights(C, Array(10).fill(20))]), withProfile('agentless'));
    expect(r.nodePeriods[0]).toMatchObject({ status: 'missingEc2', correctedTotalBytes: null, doubleCountedBytes: null, podEstimatedBytes: null });
  });

  it('rolls up on the EC2 basis, with no agent coverage figure', () => {
    const r = reconcile(capture([node(A), node(C)], [...richSeries(A), ...agentlessSeries(C)]), withProfile('agentless'));
    expect(r.sourceProfile).toBe('agentless');
    expect(r.clusterPeriods[0]).toMatchObject({
      nodesWithAgent: 0,
      nodesByBasis: { agent: 0, ec2: 2 },
      agentCoverageRatio: null,
      correctedTotalBytes: 7650 + 4000,
      doubleCountedBytes: 5100 + 2000,
      podEstimatedBytes: 5100 + 2000,
      ec2DiscrepancyRatio: null,
      containerInsightsResidualBytes: null,
      podRxBytes: null,
    });
  });
});

describe('enis: the ENIs\' own counters, checked against EC2', () => {
  const first = reconcile(capture([node(A)], richSeries(A)), withProfile('enis')).nodePeriods[0]!;

  it('corrects from the physical interfaces only', () => {
    expect(first).toMatchObject({ sourceProfile: 'enis', basis: 'agent', physicalRxBytes: 5 * 1000, physicalTxBytes: 5 * 500, correctedTotalBytes: 7500 });
  });

  it('cross-checks EC2: (7,650 − 7,500) / 7,650', () => {
    expect(first.ec2DiscrepancyRatio).toBeCloseTo(150 / 7650, 12);
  });

  it('estimates pod traffic as Container Insights − ENIs, and computes no interface sum nor residual', () => {
    expect(first.doubleCountedBytes).toBe(12_750 - 7500);
    expect(first.podEstimatedBytes).toBe(5250);
    expect(first).toMatchObject({ podRxBytes: null, podTxBytes: null, overlayBytes: null, bridgeBytes: null, naiveTotalBytes: null, hostOnlyBytes: null, containerInsightsResidualBytes: null, status: 'ok' });
  });

  it('has no residual finding, where full would report the veth traffic Container Insights counts as unexplained', () => {
    // B's agent publishes eth0 only: 15,000 a period against Container Insights' 30,000.
    const strict = { residualMinBytes: 0 };
    expect(reconcile(capture([node(B)], enisSeries(B)), withProfile('full', strict)).nodePeriods[0]!.status).toBe('unexplainedResidual');
    expect(reconcile(capture([node(B)], enisSeries(B)), withProfile('enis', strict)).nodePeriods[0]!.status).toBe('ok');
  });

  it('reports ec2Mismatch when EC2 and the ENIs disagree, and missingAgent without the agent', () => {
    // eth0 15,000 a period; EC2 30,000: (30,000 − 15,000) / 30,000 = 50 %.
    const series = [...iface(B, 'eth0', 2000, 1000), ec2(B, 'in', [20_000, 20_000]), ec2(B, 'out', [10_000, 10_000]), containerInsights(B, Array(10).fill(100))];
    const mismatch = reconcile(capture([node(B)], series), withProfile('enis', { ec2MismatchMinBytes: 0 })).nodePeriods[0]!;
    expect(mismatch.status).toBe('ec2Mismatch');
    expect(mismatch.ec2DiscrepancyRatio).toBe(0.5);
    expect(reconcile(capture([node(C)], agentlessSeries(C)), withProfile('enis')).nodePeriods[0]!.status).toBe('missingAgent');
  });
});

describe('mixed: per node, what it has', () => {
  const report = reconcile(capture([node(A), node(B), node(C)], [...richSeries(A), ...enisSeries(B), ...agentlessSeries(C)]), withProfile('mixed'));
  const of = (id: string) => report.nodePeriods.find((n) => n.instanceId === id)!;

  it('says per node which profile and basis it used: every interface, the ENIs only, or no agent', () => {
    expect([of(A), of(B), of(C)].map((n) => [n.sourceProfile, n.basis, n.status])).toEqual([
      ['full', 'agent', 'ok'],
      ['enis', 'agent', 'ok'],
      ['agentless', 'ec2', 'ok'],
    ]);
  });

  it('gives each node its own profile\'s figures', () => {
    expect(of(A)).toMatchObject({ correctedTotalBytes: 7500, podRxBytes: 4015, podEstimatedBytes: null, containerInsightsResidualBytes: 90 });
    expect(of(B)).toMatchObject({ correctedTotalBytes: 15_000, ec2DiscrepancyRatio: 0, podEstimatedBytes: 15_000, containerInsightsResidualBytes: null });
    expect(of(C)).toMatchObject({ correctedTotalBytes: 4000, ec2DiscrepancyRatio: null, podEstimatedBytes: 2000 });
  });

  it('rolls up: counted-once over every basis, the EC2 ratio over agent nodes only, coverage as information', () => {
    const cluster = report.clusterPeriods[0]!;
    expect(cluster).toMatchObject({
      nodesWithAgent: 2,
      nodesByBasis: { agent: 2, ec2: 1 },
      agentCoverageRatio: 2 / 3,
      correctedTotalBytes: 7500 + 15_000 + 4000,
      doubleCountedBytes: 5250 + 15_000 + 2000,
      podEstimatedBytes: 15_000 + 2000,
      podRxBytes: 4015,
      containerInsightsResidualBytes: 90,
      // The residual's base is A's Container Insights only: B's 30,000 (an ENI-only agent, no residual) would dilute it.
      completeContainerInsightsTotalBytes: 12_750,
    });
    // (Σ EC2 − Σ corrected) over A and B: (7,650 + 15,000 − 7,500 − 15,000) / 22,650; C's EC2 would only dilute it.
    expect(cluster.ec2DiscrepancyRatio).toBeCloseTo(150 / 22_650, 12);
  });

  it('keeps a node whose agent stops on the agent basis: a gap is missingAgent, not a silent switch to EC2', () => {
    // B's agent publishes the first 5 minutes only.
    const series = [agent(B, 'eth0', 'rx', Array(5).fill(2000), stamps(5)), agent(B, 'eth0', 'tx', Array(5).fill(1000), stamps(5)), ...enisSeries(B).slice(2)];
    const r = reconcile(capture([node(B)], series), withProfile('mixed'));
    expect(r.nodePeriods.map((n) => [n.basis, n.status])).toEqual([
      ['agent', 'ok'],
      ['agent', 'missingAgent'],
    ]);
  });
});

describe('source profile settings', () => {
  const clusters = ['prod', 'dev', 'lab'];

  it('takes one profile for every cluster, or cluster:profile pairs with a bare default', () => {
    expect(resolveSourceProfiles(undefined, clusters)).toEqual({ prod: 'mixed', dev: 'mixed', lab: 'mixed' });
    expect(resolveSourceProfiles('agentless', clusters)).toEqual({ prod: 'agentless', dev: 'agentless', lab: 'agentless' });
    expect(resolveSourceProfiles('prod:full,dev:agentless', clusters)).toEqual({ prod: 'full', dev: 'agentless', lab: 'mixed' });
    expect(resolveSourceProfiles('enis, dev:full', clusters)).toEqual({ prod: 'enis', dev: 'full', lab: 'enis' });
    expect(resolveSourceProfiles({ prod: 'full', '*': 'agentless' }, clusters)).toEqual({ prod: 'full', dev: 'agentless', lab: 'agentless' });
    expect(sourceProfilesText({ prod: 'full', dev: 'agentless' })).toBe('prod:full,dev:agentless');
  });

  it.each([
    ['cheap', /"cheap" is not a source profile/],
    ['prod:full,staging:enis', /"staging" is not one of the clusters \(prod, dev, lab\)/],
    ['full,agentless', /at most one profile without a cluster name/],
    ['prod:full,prod:enis', /"prod" is given twice/],
    [42, /Use one of agentless, enis, full, mixed/],
  ])('refuses %j, naming what is wrong', (value, message) => {
    expect(() => resolveSourceProfiles(value, clusters)).toThrow(ConfigError);
    expect(() => resolveSourceProfiles(value, clusters)).toThrow(message);
  });

  it('resolves mixed per node from the classes its agent publishes', () => {
    expect(nodeProfileOf('mixed', new Set())).toBe('agentless');
    expect(nodeProfileOf('mixed', new Set(['physical'] as const))).toBe('enis');
    expect(nodeProfileOf('mixed', new Set(['physical', 'loopback'] as const))).toBe('full');
    expect(nodeProfileOf('enis', new Set(['physical', 'podVeth'] as const))).toBe('enis');
  });

  it('says what each profile can publish and alarm on', () => {
    expect(clusterCapabilities('agentless')).toMatchObject({ ec2Check: false, residual: false, readsAgent: false, agentRequired: false });
    expect(clusterCapabilities('enis')).toMatchObject({ ec2Check: true, residual: false, readsAgent: true, agentRequired: true });
    expect(clusterCapabilities('full')).toMatchObject({ ec2Check: true, residual: true, readsAgent: true, agentRequired: true });
    expect(clusterCapabilities('mixed')).toMatchObject({ ec2Check: true, residual: true, readsAgent: true, agentRequired: false });
  });
});
