import { describe, expect, it } from 'vitest';
import { datapointsPerPeriod, datapointsPerQuery, planCalls, seriesForNodes } from '../../lambda/plan/query-plan';
import { agentSeriesOf, DEFAULT_SOURCE_SETTINGS, dedupeSeries, queryKey, type SeriesSpec } from '../../lambda/plan/sources';

const window = { startSeconds: 0, endSeconds: 3600 };
const agent = (i: number): SeriesSpec =>
  agentSeriesOf('rx', { InstanceId: `i-${i}`, interface: 'eth0' }, DEFAULT_SOURCE_SETTINGS, 300)!;

describe('query plan', () => {
  it('puts 499 and 500 queries in one call and 501 in two', () => {
    // 60 s queries over an hour: 60 datapoints each, 500 x 60 = 30,000 < 100,800, so only the query limit binds.
    for (const [n, calls] of [[499, 1], [500, 1], [501, 2]] as const) {
      const plan = planCalls(Array.from({ length: n }, (_, i) => agent(i)), window);
      expect(plan).toHaveLength(calls);
      expect(plan.flatMap((c) => c.queries)).toHaveLength(n);
      expect(Math.max(...plan.map((c) => c.queries.length))).toBeLessThanOrEqual(500);
    }
  });

  it('stays under 100,800 datapoints a call when the window is long', () => {
    // 24 h at 60 s = 1,440 datapoints a query, so floor(100,800 / 1,440) = 70 queries a call.
    const day = { startSeconds: 0, endSeconds: 86_400 };
    expect(datapointsPerQuery(day, 60)).toBe(1440);
    const plan = planCalls(Array.from({ length: 141 }, (_, i) => ({ ...agent(i), periodSeconds: 60 })), day);
    expect(plan.map((c) => c.queries.length)).toEqual([70, 70, 1]);
    for (const c of plan) expect(c.datapoints).toBeLessThanOrEqual(100_800);
  });

  it('gives query ids unique within each call and valid for GetMetricData', () => {
    const plan = planCalls(Array.from({ length: 600 }, (_, i) => agent(i)), window);
    for (const c of plan) {
      const ids = c.queries.map((q) => q.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
    }
  });

  it('never requests the same series twice, whatever order its dimensions come in', () => {
    const a = agentSeriesOf('rx', { InstanceId: 'i-1', interface: 'eth0' }, DEFAULT_SOURCE_SETTINGS, 300)!;
    const b = agentSeriesOf('rx', { interface: 'eth0', InstanceId: 'i-1' }, DEFAULT_SOURCE_SETTINGS, 300)!;
    const c = agentSeriesOf('tx', { InstanceId: 'i-1', interface: 'eth0' }, DEFAULT_SOURCE_SETTINGS, 300)!;
    expect(dedupeSeries([a, b, c, a])).toEqual([a, c]);
    // What discovery keeps per instance is already deduplicated; the planner dedupes again across sources.
    const specs = seriesForNodes([{ instanceId: 'i-1', nodeName: 'ip-1' }], new Map([['i-1', { rx: ['eth0', { interface: 'eth0', InstanceId: 'i-1' }], tx: ['eth0'] }]]), 'c1', DEFAULT_SOURCE_SETTINGS, 300);
    const keys = specs.map(queryKey);
    expect(new Set(keys).size).toBe(keys.length);
    // EC2 in, EC2 out, Container Insights and its probe, agent rx and its probe (the node's one), agent tx.
    expect(specs.map((s) => `${s.source}/${s.direction}/${s.stat}`)).toEqual([
      'ec2/in/Sum',
      'ec2/out/Sum',
      'containerInsights/total/Sum',
      'containerInsights/total/SampleCount',
      'agent/rx/Sum',
      'agent/rx/SampleCount',
      'agent/tx/Sum',
    ]);
  });

  it('reads every series at the period, one value each, plus one SampleCount probe per node for Container Insights and for the agent', () => {
    const specs = seriesForNodes([{ instanceId: 'i-1', nodeName: 'ip-1' }], new Map([['i-1', { rx: ['eth0'], tx: [] }]]), 'c1', DEFAULT_SOURCE_SETTINGS, 300);
    expect(specs.map((s) => s.periodSeconds)).toEqual([300, 300, 300, 300, 300, 300]);
    expect(specs.map((s) => s.stat)).toEqual(['Sum', 'Sum', 'Sum', 'SampleCount', 'Sum', 'SampleCount']);
    // EC2's values are single samples; Container Insights and the agent publish every 60 s.
    expect(specs.map((s) => s.sampleSeconds)).toEqual([undefined, undefined, 60, 60, 60, 60]);
    expect(specs[2]!.dimensions).toEqual({ ClusterName: 'c1', InstanceId: 'i-1', NodeName: 'ip-1' });
    // At P = 60 s a value is one sample: Container Insights' Average, no probe.
    const minute = seriesForNodes([{ instanceId: 'i-1', nodeName: 'ip-1' }], new Map([['i-1', { rx: ['eth0'], tx: [] }]]), 'c1', DEFAULT_SOURCE_SETTINGS, 60);
    expect(minute.map((s) => `${s.source}/${s.stat}`)).toEqual(['ec2/Sum', 'ec2/Sum', 'containerInsights/Average', 'agent/Sum']);
  });

  it('counts the datapoints a period of the plan costs without building it', () => {
    const nodes = [{ instanceId: 'i-1', nodeName: 'ip-1' }, { instanceId: 'i-2' }, { instanceId: 'i-3', nodeName: 'ip-3' }];
    const listings = new Map([
      ['i-1', { rx: ['eth0', 'eth1'], tx: ['eth0', { InstanceId: 'i-1', interface: 'eth1', host: 'h' }] }],
      ['i-2', { rx: ['eth0'], tx: [] }],
    ]);
    for (const P of [60, 300, 900]) {
      const planned = seriesForNodes(nodes, listings, 'c1', DEFAULT_SOURCE_SETTINGS, P).reduce((a, s) => a + P / s.periodSeconds, 0);
      expect(datapointsPerPeriod(nodes, listings, 'c1', DEFAULT_SOURCE_SETTINGS, P)).toBe(planned);
    }
    // At 300 s, one point a query: EC2 in and out for 3 nodes; Container Insights and its probe for the 2 nodes with a
    // NodeName; 5 agent series and one probe for each of the 2 nodes with the agent.
    expect(datapointsPerPeriod(nodes, listings, 'c1', DEFAULT_SOURCE_SETTINGS, 300)).toBe(3 * 2 + 2 * 2 + 5 + 2);
  });
});
