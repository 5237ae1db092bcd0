/**
 * One dashboard per stack: a short explanation, then a section per cluster. Every byte series is shown in
 * bytes/s (per-period sums divided by PERIOD), so EC2, Container Insights and the corrected figures sit on one
 * axis. Widgets come from the small factories below, one per kind.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { NODE_STATUSES } from '../lambda/core/model';
import { CLUSTER_METRICS, DIMENSION, NODE_METRICS } from '../lambda/output-metrics';
import { WHY_TWICE_SENTENCES, WHY_TWICE_TITLE } from '../lambda/report/why-twice';
import { clusterAlarmList, type ClusterAlarms } from './alarms';
import { clusterTargetOf } from '../lambda/core/cluster-target';
import { clusterCapabilities, type SourceProfile } from '../lambda/core/source-profile';
import { bytesPerSecond, outputMetric } from './metrics';
import { namedClusters, type ReconcilerSettings } from './props';

export const EXPLANATION_MARKDOWN = [`### ${WHY_TWICE_TITLE}`, ...WHY_TWICE_SENTENCES].join('\n\n');

const COLOR = { ec2: '#1f77b4', containerInsights: '#ff7f0e', physical: '#2ca02c', pod: '#9467bd', doubleCounted: '#d62728' } as const;

export interface ReconcilerDashboardProps {
  readonly settings: ReconcilerSettings;
  readonly alarms: ReadonlyMap<string, ClusterAlarms>;
  readonly functionErrors: cw.IAlarm;
}

export class ReconcilerDashboard extends Construct {
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: ReconcilerDashboardProps) {
    super(scope, id);
    const { settings } = props;
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      ...(settings.dashboardName === undefined ? {} : { dashboardName: settings.dashboardName }),
      // Data arrive about an hour late (batched reads), so a short default range would look empty.
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(new cw.TextWidget({ markdown: EXPLANATION_MARKDOWN, width: 24, height: 4 }));
    for (const cluster of namedClusters(settings)) {
      const alarms = props.alarms.get(cluster);
      if (!alarms) throw new Error(`no alarms for cluster ${cluster}`);
      for (const row of clusterSection(settings, cluster, alarms, props.functionErrors)) this.dashboard.addWidgets(...row);
    }
  }
}

/** Which basis the cluster's numbers have, in the words of its section header (docs/profiles.md). */
export const BASIS_MARKDOWN: Readonly<Record<SourceProfile, string>> = {
  agentless:
    'Source profile **agentless**: every counted-once figure is **EC2** NetworkIn + NetworkOut; double-counted = Container Insights − EC2, which is also the pod traffic estimate (overlay and bridge traffic fall into it). No EC2 cross-check, no residual, no agent coverage: those need the CloudWatch agent.',
  enis: 'Source profile **enis**: counted-once figures are the **agent**\'s ENI counters, checked against EC2; double-counted = Container Insights − ENIs, which is also the pod traffic estimate (overlay and bridge traffic fall into it). No residual: the agent does not collect the other interfaces.',
  full: 'Source profile **full**: counted-once figures are the **agent**\'s ENI counters, pod traffic the pod veths\' own counters, checked against EC2 and against Container Insights (residual).',
  mixed:
    'Source profile **mixed**: per node, counted-once figures are the **agent**\'s ENI counters where the node publishes them and **EC2** elsewhere (the coverage graph shows the share on the agent basis; no coverage alarm). The EC2 cross-check covers agent nodes only, the residual nodes whose agent collects every interface; pod veth traffic comes from those nodes, and elsewhere pods are within double-counted.',
};

function clusterSection(settings: ReconcilerSettings, cluster: string, alarms: ClusterAlarms, functionErrors: cw.IAlarm): cw.IWidget[][] {
  const profile = settings.sourceProfile[cluster]!;
  const can = clusterCapabilities(profile);
  // No widget for a figure the profile cannot compute.
  const present = <T>(widget: T | false): T[] => (widget ? [widget] : []);
  const rows: cw.IWidget[][] = [
    [new cw.TextWidget({ markdown: `## Cluster \`${cluster}\`\n\n${BASIS_MARKDOWN[profile]}`, width: 24, height: 2 })],
    [trafficWidget(settings, cluster, profile), ...present(can.ec2Check && ratioWidget(settings, cluster)), ...present(can.readsAgent && coverageWidget(settings, cluster, can.agentRequired))],
    [nodesByStatusWidget(settings, cluster), ...present(can.residual && residualWidget(settings, cluster)), alarmStatusWidget(cluster, alarms, functionErrors)],
  ];
  if (settings.perNodeMetrics && can.ec2Check) rows.push([worstNodesWidget(settings, cluster)]);
  return rows;
}

type Metric = (spec: Parameters<typeof outputMetric>[0], statistic: string, extra?: { dimensions?: Record<string, string>; label?: string; color?: string }) => cw.Metric;

function metricsOf(settings: ReconcilerSettings, cluster: string): Metric {
  return (spec, statistic, extra = {}) =>
    outputMetric(spec, { namespace: settings.outputNamespace, cluster, statistic, periodSeconds: settings.periodSeconds, ...extra });
}

/** The byte views the profile has, side by side, all in bytes/s; each label names its basis. */
function trafficWidget(settings: ReconcilerSettings, cluster: string, profile: SourceProfile): cw.GraphWidget {
  const m = metricsOf(settings, cluster);
  const p = settings.periodSeconds;
  const sum = cw.Stats.SUM;
  const can = clusterCapabilities(profile);
  const corrected = {
    agentless: '',
    enis: 'Counted once: ENI rx + tx (agent)',
    full: 'Counted once: ENI rx + tx (agent)',
    mixed: 'Counted once: ENI rx + tx (agent), EC2 on nodes without it',
  }[profile];
  const doubleCounted = {
    agentless: 'Double-counted = Container Insights − EC2 (≈ pod traffic, with overlay and bridge)',
    enis: 'Double-counted = Container Insights − ENIs (≈ pod traffic, with overlay and bridge)',
    full: 'Double-counted by Container Insights',
    mixed: 'Double-counted by Container Insights (agent or EC2 basis per node)',
  }[profile];
  return new cw.GraphWidget({
    title: `${cluster}: traffic, bytes/s (${profile})`,
    width: 12,
    height: 7,
    left: [
      bytesPerSecond(profile === 'agentless' ? 'EC2 NetworkIn + NetworkOut = counted once (EC2 basis)' : 'EC2 NetworkIn + NetworkOut', COLOR.ec2, p, { ec2: m(CLUSTER_METRICS.ec2TotalBytes, sum) }),
      bytesPerSecond('Container Insights node_network_total_bytes', COLOR.containerInsights, p, { ci: m(CLUSTER_METRICS.containerInsightsTotalBytes, sum) }),
      // Under agentless the counted-once figure is EC2 itself, already drawn.
      ...(profile === 'agentless' ? [] : [bytesPerSecond(corrected, COLOR.physical, p, { physRx: m(CLUSTER_METRICS.physicalRxBytes, sum), physTx: m(CLUSTER_METRICS.physicalTxBytes, sum) })]),
      ...(can.podFromVeths
        ? [bytesPerSecond(profile === 'mixed' ? 'Pod traffic (veth rx + tx, nodes whose agent collects them)' : 'Pod traffic (veth rx + tx)', COLOR.pod, p, { podRx: m(CLUSTER_METRICS.podRxBytes, sum), podTx: m(CLUSTER_METRICS.podTxBytes, sum) })]
        : []),
      bytesPerSecond(doubleCounted, COLOR.doubleCounted, p, { dc: m(CLUSTER_METRICS.doubleCountedBytes, sum) }),
    ],
    leftYAxis: { label: 'bytes/s', showUnits: false, min: 0 },
  });
}

function ratioWidget(settings: ReconcilerSettings, cluster: string): cw.GraphWidget {
  const t = settings.thresholds.ec2MismatchRatio;
  return new cw.GraphWidget({
    title: `${cluster}: (EC2 - corrected) / EC2`,
    width: 6,
    height: 7,
    left: [metricsOf(settings, cluster)(CLUSTER_METRICS.ec2DiscrepancyRatio, cw.Stats.AVERAGE, { label: 'EC2 discrepancy ratio' })],
    // How many node-periods the ratio left out as partial (churn, gaps): a quiet ratio over few nodes says so here.
    right: [metricsOf(settings, cluster)(CLUSTER_METRICS.partialNodeCount, cw.Stats.AVERAGE, { label: 'partial nodes (left out)' })],
    rightYAxis: { min: 0, showUnits: false },
    leftAnnotations: [
      { value: t, label: `alarm above ${t}`, color: COLOR.doubleCounted },
      { value: -t, label: `alarm below -${t}`, color: COLOR.doubleCounted },
    ],
    leftYAxis: { showUnits: false },
  });
}

/** With `alarmed` false (mixed), the share of nodes on the agent basis, for information: no alarm line. */
function coverageWidget(settings: ReconcilerSettings, cluster: string, alarmed: boolean): cw.GraphWidget {
  return new cw.GraphWidget({
    title: alarmed ? `${cluster}: nodes with agent data, %` : `${cluster}: nodes on the agent basis, % (no alarm)`,
    width: 6,
    height: 7,
    left: [metricsOf(settings, cluster)(CLUSTER_METRICS.agentCoveragePercent, cw.Stats.MINIMUM, { label: alarmed ? 'agent coverage' : 'agent basis' })],
    leftAnnotations: alarmed ? [{ value: settings.minAgentCoveragePercent, label: `alarm below ${settings.minAgentCoveragePercent} %`, color: COLOR.doubleCounted }] : [],
    leftYAxis: { min: 0, max: 100, showUnits: false },
  });
}

function nodesByStatusWidget(settings: ReconcilerSettings, cluster: string): cw.GraphWidget {
  const m = metricsOf(settings, cluster);
  return new cw.GraphWidget({
    title: `${cluster}: nodes by status`,
    width: 8,
    height: 6,
    stacked: true,
    left: NODE_STATUSES.map((status) => m(CLUSTER_METRICS.nodeCount, cw.Stats.AVERAGE, { dimensions: { [DIMENSION.status]: status }, label: status })),
    leftYAxis: { min: 0, showUnits: false },
  });
}

function residualWidget(settings: ReconcilerSettings, cluster: string): cw.GraphWidget {
  const m = metricsOf(settings, cluster);
  const limit = settings.thresholds.residualRatio * 100;
  return new cw.GraphWidget({
    title: `${cluster}: Container Insights not explained by interfaces, %`,
    width: 8,
    height: 6,
    left: [
      new cw.MathExpression({
        expression: '100 * residual / ci',
        usingMetrics: { residual: m(CLUSTER_METRICS.containerInsightsResidualBytes, cw.Stats.SUM), ci: m(CLUSTER_METRICS.completeContainerInsightsTotalBytes, cw.Stats.SUM) },
        label: 'residual, % of Container Insights',
        period: Duration.seconds(settings.periodSeconds),
      }),
    ],
    leftAnnotations: [
      { value: limit, label: `alarm above ${limit} %`, color: COLOR.doubleCounted },
      { value: -limit, color: COLOR.doubleCounted },
    ],
    leftYAxis: { showUnits: false },
  });
}

function alarmStatusWidget(cluster: string, alarms: ClusterAlarms, functionErrors: cw.IAlarm): cw.AlarmStatusWidget {
  return new cw.AlarmStatusWidget({
    title: `${cluster}: alarms`,
    width: 8,
    height: 6,
    alarms: [alarms.composite, ...clusterAlarmList(alarms, functionErrors)],
  });
}

/**
 * The Metrics Insights query behind the worst-nodes widget. Ordered by the largest ratio: a node whose agent
 * misses an interface reads below EC2, so its ratio is high. Metrics Insights processes at most 10,000 metrics
 * per query, which is 10,000 nodes of one cluster.
 */
export function worstNodesQuery(namespace: string, cluster: string): string {
  const d = DIMENSION;
  // A source account's nodes carry AccountId too, and SCHEMA matches exact dimension sets (output-datums.ts).
  const { cluster: name, accountId } = clusterTargetOf(cluster);
  const schema = accountId === undefined ? `${d.cluster}, ${d.instanceId}, ${d.nodeName}` : `${d.account}, ${d.cluster}, ${d.instanceId}, ${d.nodeName}`;
  const where = accountId === undefined ? `${d.cluster} = '${name}'` : `${d.account} = '${accountId}' AND ${d.cluster} = '${name}'`;
  return (
    `SELECT MAX(${NODE_METRICS.ec2DiscrepancyRatio.name}) FROM SCHEMA("${namespace}", ${schema}) ` +
    `WHERE ${where} GROUP BY ${d.instanceId}, ${d.nodeName} ORDER BY MAX() DESC LIMIT 10`
  );
}

function worstNodesWidget(settings: ReconcilerSettings, cluster: string): cw.TableWidget {
  return new cw.TableWidget({
    title: `${cluster}: ten nodes with the largest EC2 discrepancy ratio`,
    width: 24,
    height: 6,
    metrics: [new cw.MathExpression({ expression: worstNodesQuery(settings.outputNamespace, cluster), label: 'EC2 discrepancy ratio', period: Duration.seconds(settings.periodSeconds) })],
    summary: { columns: [cw.TableSummaryColumn.MAXIMUM, cw.TableSummaryColumn.AVERAGE], hideNonSummaryColumns: true },
  });
}
