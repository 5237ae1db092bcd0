import { describe, expect, it } from 'vitest';
import { NODE_STATUSES } from '../../lambda/core/model';
import { flatten, onlyResource, synthStack, type Synthesized } from './support';

interface Widget {
  type: string;
  width: number;
  height: number;
  properties: Record<string, any>;
}

function widgetsIn({ template }: Pick<Synthesized, 'template'>): Widget[] {
  return JSON.parse(flatten(onlyResource(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody)).widgets;
}
// The full profile unless a test says otherwise: every widget exists.
const widgetsOf = (reconciler: Parameters<typeof synthStack>[0]): Widget[] => widgetsIn(synthStack({ sourceProfile: 'full', ...reconciler }));

/** Every metric row of a metric widget, as [namespace, name, ...dimension pairs, options] arrays, expressions excluded. */
const metricRows = (w: Widget): unknown[][] => (w.properties.metrics ?? []).filter((row: unknown[]) => typeof row[0] === 'string');
const expressions = (w: Widget): string[] =>
  (w.properties.metrics ?? []).filter((row: unknown[]) => typeof row[0] === 'object').map((row: [{ expression: string }]) => row[0].expression);
const titled = (widgets: Widget[], title: string): Widget => {
  const w = widgets.find((x) => x.properties.title === title);
  if (!w) throw new Error(`no widget titled ${title}: ${widgets.map((x) => x.properties.title).join(' | ')}`);
  return w;
};

describe('the dashboard', () => {
  // One synthesis for the tests that read the two-cluster stack.
  const synth = synthStack({ sourceProfile: 'full', clusters: ['prod-eu', 'prod-us'] });
  const widgets = widgetsIn(synth);

  it('starts with the two-sentence explanation, then a section per cluster', () => {
    expect(widgets[0]).toMatchObject({ type: 'text', width: 24 });
    // What the deployed text says, not the constant it is built from: why Container Insights reads about twice EC2.
    const explanation: string = widgets[0]!.properties.markdown;
    expect(explanation).toMatch(/^### Why Container Insights reads about twice EC2\n/);
    expect(explanation).toMatch(/Container Insights sums every interface except `lo`, `veth\*` and `docker\*`, so that traffic is counted twice/);
    expect(explanation).toMatch(/EC2 `NetworkIn`\/`NetworkOut` count the ENIs only/);
    const headers = widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown).slice(1);
    expect(headers).toHaveLength(2);
    expect(headers[0]).toMatch(/^## Cluster `prod-eu`\n\nSource profile \*\*full\*\*: counted-once figures are the \*\*agent\*\*'s ENI counters/);
    expect(headers[1]).toMatch(/^## Cluster `prod-us`\n\nSource profile \*\*full\*\*/);
  });

  it('shows EC2, Container Insights, corrected physical, pod and double-counted traffic in bytes/s', () => {
    const traffic = titled(widgets, 'prod-eu: traffic, bytes/s (full)');
    expect(expressions(traffic)).toEqual([
      'ec2 / PERIOD(ec2)',
      'ci / PERIOD(ci)',
      '(physRx + physTx) / PERIOD(physRx)',
      '(podRx + podTx) / PERIOD(podRx)',
      'dc / PERIOD(dc)',
    ]);
    // The published names, spelled out: a user's own alarms and queries refer to them.
    const names = ['Ec2TotalBytes', 'ContainerInsightsTotalBytes', 'PhysicalRxBytes', 'PhysicalTxBytes', 'PodRxBytes', 'PodTxBytes', 'DoubleCountedBytes'];
    expect(metricRows(traffic).map((row) => row.slice(0, 4))).toEqual(names.map((name) => ['NetRecon', name, 'ClusterName', 'prod-eu']));
    // Per-period sums, hidden: only the bytes/s expressions are drawn. (CDK omits period 300, the default.)
    for (const row of metricRows(traffic)) expect(row[4]).toEqual({ id: expect.any(String), stat: 'Sum', visible: false });
    expect(traffic.properties.yAxis.left).toMatchObject({ label: 'bytes/s', min: 0 });
  });

  it('draws the discrepancy ratio with its threshold on both sides', () => {
    const ratio = titled(widgets, 'prod-us: (EC2 - corrected) / EC2');
    // Average is the widget default, so CDK leaves `stat` out.
    expect(metricRows(ratio)).toEqual([
      ['NetRecon', 'Ec2DiscrepancyRatio', 'ClusterName', 'prod-us', { label: 'EC2 discrepancy ratio' }],
      // The node-periods the ratio left out as partial, on the right axis.
      ['NetRecon', 'PartialNodeCount', 'ClusterName', 'prod-us', { label: 'partial nodes (left out)', yAxis: 'right' }],
    ]);
    expect(ratio.properties.annotations.horizontal.map((a: { value: number }) => a.value)).toEqual([0.1, -0.1]);
  });

  it('draws the residual against the complete-only Container Insights bytes, as the alarm divides', () => {
    const residual = titled(widgets, 'prod-eu: Container Insights not explained by interfaces, %');
    expect(metricRows(residual).map((row) => row[1]).sort()).toEqual(['CompleteContainerInsightsTotalBytes', 'ContainerInsightsResidualBytes']);
  });

  it('draws coverage against its alarm line, and nodes by every status', () => {
    const coverage = titled(widgets, 'prod-eu: nodes with agent data, %');
    expect(metricRows(coverage)[0]!.slice(0, 4)).toEqual(['NetRecon', 'AgentCoveragePercent', 'ClusterName', 'prod-eu']);
    expect(coverage.properties.annotations.horizontal[0].value).toBe(100);
    const statuses = titled(widgets, 'prod-eu: nodes by status');
    expect(metricRows(statuses).map((row) => row.slice(0, 6))).toEqual(
      NODE_STATUSES.map((s) => ['NetRecon', 'NodeCount', 'ClusterName', 'prod-eu', 'Status', s]),
    );
    expect(statuses.properties.stacked).toBe(true);
  });

  it('shows each cluster\'s alarms, composite first, plus the shared errors alarm', () => {
    const { template } = synth;
    const status = titled(widgets, 'prod-us: alarms');
    expect(status.type).toBe('alarm');
    // The body holds each alarm's ARN as {GetAtt:LogicalId.Arn}: name them through the template.
    const names = status.properties.alarms.map((arn: string) => {
      const id = /\{GetAtt:([A-Za-z0-9]+)\.Arn\}/.exec(arn)![1]!;
      return template.toJSON().Resources[id].Properties.AlarmName;
    });
    expect(names).toEqual([
      'NetRecon-prod-us',
      'NetRecon-prod-us-ec2-discrepancy',
      'NetRecon-prod-us-agent-coverage',
      'NetRecon-prod-us-ci-residual',
      'NetRecon-prod-us-heartbeat',
      'NetRecon-reconciler-errors',
    ]);
  });

  it('reads the metrics at the reconciliation period', () => {
    const traffic = titled(widgetsOf({ periodSeconds: 60 }), 'demo: traffic, bytes/s (full)');
    for (const row of metricRows(traffic)) expect(row[4]).toMatchObject({ stat: 'Sum', period: 60 });
  });

  it('lists only the alarms that exist', () => {
    expect(titled(widgetsOf({ residualAlarm: false }), 'demo: alarms').properties.alarms).toHaveLength(5);
  });

  it('has no per-node widget when per-node metrics are off', () => {
    expect(JSON.stringify(widgets)).not.toContain('SCHEMA(');
  });

  it('is for 24 h by default, since the data arrive about an hour late', () => {
    const { template } = synthStack({ sourceProfile: 'full' });
    expect(flatten(onlyResource(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody)).toContain('"start":"-P1D"');
  });
});

describe('the worst-nodes widget', () => {
  it('queries the per-node discrepancy ratio with Metrics Insights when per-node metrics are on', () => {
    const widgets = widgetsOf({ clusters: ['prod-eu'], perNodeMetrics: true, outputNamespace: 'Platform/NetRecon' });
    const worst = titled(widgets, 'prod-eu: ten nodes with the largest EC2 discrepancy ratio');
    expect(expressions(worst)).toEqual([
      `SELECT MAX(Ec2DiscrepancyRatio) FROM SCHEMA("Platform/NetRecon", ClusterName, InstanceId, NodeName) WHERE ClusterName = 'prod-eu' GROUP BY InstanceId, NodeName ORDER BY MAX() DESC LIMIT 10`,
    ]);
    expect(worst.type).toBe('metric');
    expect(worst.properties.view).toBe('table');
  });
});

describe('the dashboard per source profile: no widget for a figure the profile cannot compute, and the basis said', () => {
  const titles = (profile: string): string[] => widgetsOf({ sourceProfile: profile }).map((w) => w.properties.title ?? w.properties.markdown.split('\n')[0]);
  const traffic = (profile: string): Widget => titled(widgetsOf({ sourceProfile: profile, perNodeMetrics: true }), `demo: traffic, bytes/s (${profile})`);

  it('agentless: EC2 is the counted-once line; no ratio, coverage, residual nor worst-nodes widget', () => {
    expect(titles('agentless')).toEqual(['### Why Container Insights reads about twice EC2', '## Cluster `demo`', 'demo: traffic, bytes/s (agentless)', 'demo: nodes by status', 'demo: alarms']);
    const w = traffic('agentless');
    expect(expressions(w)).toEqual(['ec2 / PERIOD(ec2)', 'ci / PERIOD(ci)', 'dc / PERIOD(dc)']);
    expect(w.properties.metrics.filter((row: unknown[]) => typeof row[0] === 'object').map((row: [{ label: string }]) => row[0].label)).toEqual([
      'EC2 NetworkIn + NetworkOut = counted once (EC2 basis)',
      'Container Insights node_network_total_bytes',
      'Double-counted = Container Insights − EC2 (≈ pod traffic, with overlay and bridge)',
    ]);
    expect(JSON.stringify(widgetsOf({ sourceProfile: 'agentless', perNodeMetrics: true }))).not.toContain('SCHEMA(');
    expect(widgetsOf({ sourceProfile: 'agentless' })[1]!.properties.markdown).toMatch(/every counted-once figure is \*\*EC2\*\* NetworkIn \+ NetworkOut/);
  });

  it('enis: ENI counters and the EC2 ratio, coverage against its alarm line; no pod veth line, no residual', () => {
    expect(titles('enis')).toEqual([
      '### Why Container Insights reads about twice EC2',
      '## Cluster `demo`',
      'demo: traffic, bytes/s (enis)',
      'demo: (EC2 - corrected) / EC2',
      'demo: nodes with agent data, %',
      'demo: nodes by status',
      'demo: alarms',
    ]);
    expect(expressions(traffic('enis'))).toEqual(['ec2 / PERIOD(ec2)', 'ci / PERIOD(ci)', '(physRx + physTx) / PERIOD(physRx)', 'dc / PERIOD(dc)']);
  });

  it('mixed: every figure some node can have; coverage is the share on the agent basis, with no alarm line', () => {
    const widgets = widgetsOf({ sourceProfile: 'mixed' });
    const coverage = titled(widgets, 'demo: nodes on the agent basis, % (no alarm)');
    expect(coverage.properties.annotations).toBeUndefined();
    expect(titled(widgets, 'demo: Container Insights not explained by interfaces, %')).toBeDefined();
    expect(expressions(traffic('mixed'))).toHaveLength(5);
  });
});
