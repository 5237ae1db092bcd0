/**
 * The monthly cost per profile, every figure derived by hand from the list prices (docs/limits.md, "Prices") and
 * the default schedule: P = 300 s, 12 periods per read, a run every 5 minutes, so 730 h x 3,600 s / (300 s x 12)
 * = 730 reads and 730 x 60 / 5 = 8,760 runs a month.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE_MINUTES } from '../../lambda/cli/commands/doctor';
import { alarmUsdPerMonth, nodeAgentSeries } from '../../lambda/doctor/costs';
import { diagnose } from '../../lambda/doctor/diagnose';
import { publishedMetricCount } from '../../lambda/doctor/published-metrics';
import { clusterCapabilities } from '../../lambda/core/source-profile';
import { DEPLOY_SETTINGS } from '../../lib/deploy-settings';
import { agentSeries, freshProbe, id, instance, readyCluster, veth } from './observations';

describe('the parts', () => {
  it('published metrics: 15 always (6 figures, 7 NodeCount statuses, Heartbeat, EmitLedger); enis +2 EC2 check +1 coverage; full +3 pod +2 residual', () => {
    expect(publishedMetricCount(clusterCapabilities('agentless'))).toBe(15);
    expect(publishedMetricCount(clusterCapabilities('enis'))).toBe(18);
    // docs/deploy.md's 23 metrics per cluster.
    expect(publishedMetricCount(clusterCapabilities('full'))).toBe(23);
  });

  it('alarms: $0.10 per alarm metric and $0.50 the composite', () => {
    expect(alarmUsdPerMonth('agentless')).toBeCloseTo(2 * 0.1 + 0.5, 10); // heartbeat, function errors
    expect(alarmUsdPerMonth('enis')).toBeCloseTo(5 * 0.1 + 0.5, 10); // + EC2 discrepancy (2 metrics), coverage
    expect(alarmUsdPerMonth('full')).toBeCloseTo(7 * 0.1 + 0.5, 10); // + residual (2 metrics)
    expect(alarmUsdPerMonth('mixed')).toBeCloseTo(6 * 0.1 + 0.5, 10); // EC2 discrepancy and residual, no coverage alarm
  });

  it("the agent series a profile would publish: real where the node has them, else 2 per ENI (enis) or per ENI, pod veth and lo (full)", () => {
    const noAgent = { physical: 0, all: 0, resolvesTo: 'agentless' as const };
    expect(nodeAgentSeries('enis', { eniCount: 3, runningPods: 10 }, noAgent)).toEqual({ series: 6, estimated: true });
    expect(nodeAgentSeries('full', { eniCount: 3, runningPods: 10 }, noAgent)).toEqual({ series: 28, estimated: true });
    expect(nodeAgentSeries('full', { eniCount: 3, runningPods: null }, noAgent)).toEqual({ series: 8, estimated: true });
    expect(nodeAgentSeries('enis', { eniCount: 3, runningPods: 10 }, { physical: 4, all: 14, resolvesTo: 'full' })).toEqual({ series: 4, estimated: false });
    expect(nodeAgentSeries('full', { eniCount: 3, runningPods: 10 }, { physical: 4, all: 14, resolvesTo: 'full' })).toEqual({ series: 14, estimated: false });
    // The figure: a VPC CNI node with 2 ENIs and 30 pods, every interface: 66 series, $19.80 a month.
    expect(nodeAgentSeries('full', { eniCount: 2, runningPods: 30 }, noAgent).series * 0.3).toBeCloseTo(19.8, 10);
  });

  it('the schedule doctor prices is the deployed default', () => {
    expect(DEFAULT_SCHEDULE_MINUTES).toBe(DEPLOY_SETTINGS.scheduleMinutes.default);
  });
});

describe('the cost table of a two-node cluster whose agents collect every interface', () => {
  // Each node: 2 ENIs (eth0, eth1), lo and 4 pod veths: 7 interfaces, 14 agent series, 4 of them ENIs'.
  const full = (n: number) => agentSeries(n, ['eth0', 'eth1', 'lo', veth(n * 10 + 1), veth(n * 10 + 2), veth(n * 10 + 3), veth(n * 10 + 4)]);
  const costs = Object.fromEntries(diagnose(readyCluster({ agentSeries: [...full(1), ...full(2)] })).costs.map((c) => [c.sourceProfile, c]));

  it('agentless: 6 series read (2 EC2 + 1 Container Insights a node), 15 metrics published, no agent', () => {
    // GetMetricData: (6 x 730 + 8,760 ledger reads) x $0.00001 = 0.1314; puts: (8,760 heartbeats + 730 reads x 1
    // request) x $0.00001 = 0.0949; 15 metrics x $0.30 = 4.50; alarms 0.70; dashboard 3.
    expect(costs.agentless).toEqual({ sourceProfile: 'agentless', netreconUsdPerMonth: 8.43, agentUsdPerMonth: 0, totalUsdPerMonth: 8.43, estimated: false });
  });

  it('enis: the ENIs\' 8 series as the nodes publish them now', () => {
    // (14 x 730 + 8,760) x 0.00001 = 0.1898; ListMetrics 730 x 2 = 1,460 and puts 9,490 requests = 0.1095;
    // 18 x 0.30 = 5.40; alarms 1.00; dashboard 3: 9.6993. Agent 8 x 0.30 = 2.40.
    expect(costs.enis).toEqual({ sourceProfile: 'enis', netreconUsdPerMonth: 9.7, agentUsdPerMonth: 2.4, totalUsdPerMonth: 12.1, estimated: false });
  });

  it('full: all 28 agent series', () => {
    // (34 x 730 + 8,760) x 0.00001 = 0.3358; requests 0.1095; 23 x 0.30 = 6.90; alarms 1.20; dashboard 3: 11.5453.
    // Agent 28 x 0.30 = 8.40.
    expect(costs.full).toEqual({ sourceProfile: 'full', netreconUsdPerMonth: 11.55, agentUsdPerMonth: 8.4, totalUsdPerMonth: 19.95, estimated: false });
  });

  it('mixed: as full, less the coverage alarm', () => {
    expect(costs.mixed).toEqual({ sourceProfile: 'mixed', netreconUsdPerMonth: 11.45, agentUsdPerMonth: 8.4, totalUsdPerMonth: 19.85, estimated: false });
  });
});

describe('a cluster without the agent', () => {
  const obs = readyCluster({
    nodes: [instance(1, { eniCount: 3 })],
    containerInsightsSeries: readyCluster().containerInsightsSeries.slice(0, 1),
    agentSeries: [],
    probes: new Map([[id(1), freshProbe({ runningPods: 10 })]]),
  });
  const costs = Object.fromEntries(diagnose(obs).costs.map((c) => [c.sourceProfile, c]));

  it('enis and full are estimates from the ENIs and the running pods; agentless and mixed are not', () => {
    expect(costs.enis).toMatchObject({ agentUsdPerMonth: 1.8, estimated: true }); // 2 x 3 ENIs = 6 series
    expect(costs.full).toMatchObject({ agentUsdPerMonth: 8.4, estimated: true }); // 2 x (3 + 10 + 1) = 28 series
    expect(costs.agentless).toMatchObject({ agentUsdPerMonth: 0, estimated: false });
    expect(costs.mixed).toMatchObject({ agentUsdPerMonth: 0, estimated: false });
  });

  it('mixed publishes what the nodes make computable: the agentless metrics and coverage (16)', () => {
    // GetMetricData (3 x 730 + 8,760) x 0.00001 = 0.1095; ListMetrics 1,460 + puts 9,490 = 0.1095; 16 x 0.30 = 4.80;
    // alarms 1.10; dashboard 3: 9.119.
    expect(costs.mixed).toMatchObject({ netreconUsdPerMonth: 9.12, totalUsdPerMonth: 9.12 });
  });
});

describe('an agent in a pod network namespace', () => {
  it('enis and full are estimated as for a node without the agent, not from the pod eth0 it lists', () => {
    const obs = readyCluster({
      nodes: [instance(1, { eniCount: 3 })],
      containerInsightsSeries: readyCluster().containerInsightsSeries.slice(0, 1),
      agentSeries: agentSeries(1, ['eth0', 'lo']),
      probes: new Map([[id(1), freshProbe({ runningPods: 10 })]]),
    });
    const costs = Object.fromEntries(diagnose(obs).costs.map((c) => [c.sourceProfile, c]));
    expect(costs.enis).toMatchObject({ agentUsdPerMonth: 1.8, estimated: true }); // 2 x 3 ENIs, not eth0's 2 series
    expect(costs.full).toMatchObject({ agentUsdPerMonth: 8.4, estimated: true }); // 2 x (3 + 10 + 1), not 4
    expect(costs.mixed).toMatchObject({ agentUsdPerMonth: 1.2, estimated: false }); // what it publishes now: 4 series
  });
});
