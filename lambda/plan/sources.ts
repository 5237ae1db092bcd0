/**
 * Where the three sources live in CloudWatch (namespaces, metric and dimension names: configuration with the
 * CloudWatch agent's and AWS's defaults) and which series one node has. A series is identified by namespace,
 * metric name and its sorted dimension set, and the planner never requests one twice.
 */
import type { Direction, Source } from '../capture/capture';
import { DIMENSION } from '../output-metrics';

export interface SourceSettings {
  readonly ec2Namespace: string;
  readonly ec2InMetric: string;
  readonly ec2OutMetric: string;
  readonly containerInsightsNamespace: string;
  readonly containerInsightsMetric: string;
  readonly agentNamespace: string;
  readonly agentRxMetric: string;
  readonly agentTxMetric: string;
  readonly agentInterfaceDimension: string;
  readonly agentInstanceDimension: string;
}

/** What AWS and the CloudWatch agent publish by default. */
export const DEFAULT_SOURCE_SETTINGS: SourceSettings = {
  ec2Namespace: 'AWS/EC2',
  ec2InMetric: 'NetworkIn',
  ec2OutMetric: 'NetworkOut',
  containerInsightsNamespace: 'ContainerInsights',
  containerInsightsMetric: 'node_network_total_bytes',
  agentNamespace: 'CWAgent',
  agentRxMetric: 'net_bytes_recv',
  agentTxMetric: 'net_bytes_sent',
  agentInterfaceDimension: 'interface',
  agentInstanceDimension: 'InstanceId',
};

/**
 * The GetMetricData Period of each source's queries. The core marks a period partial when a series has fewer
 * samples than P / its period, so each source is read at its own publishing interval where that is finer than P:
 * the agent and Container Insights publish every 60 s by default; EC2 basic monitoring has one point per
 * 5 minutes, so EC2 is read at P (a 60 s EC2 query would look partial on every basic-monitoring instance).
 */
export function queryPeriodSeconds(source: Source, periodSeconds: number): number {
  return source === 'ec2' ? periodSeconds : Math.min(60, periodSeconds);
}

export interface SeriesSpec {
  readonly source: Source;
  readonly direction: Direction;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: 'Sum' | 'Average';
  readonly unit: 'Bytes' | 'Bytes/Second';
  readonly periodSeconds: number;
  readonly instanceId: string;
  /** The agent's interface (its interface dimension's value); absent for EC2 and Container Insights. */
  readonly interfaceName?: string;
  /**
   * The source account whose series this is, read through OAM from a monitoring account (GetMetricData's
   * MetricDataQuery.AccountId); absent for the reconciler's own account. Not part of the series key: one plan
   * holds one cluster, of one account.
   */
  readonly accountId?: string;
}

/** namespace, metric name and the sorted dimension set: what makes a CloudWatch metric one series. */
export function seriesKey(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((k) => `${k}=${dimensions[k]}`)
    .join('\u0001');
  return `${namespace}\u0000${metricName}\u0000${dims}`;
}

export const specKey = (s: SeriesSpec): string => seriesKey(s.namespace, s.metricName, s.dimensions);

export interface NodeRef {
  readonly instanceId: string;
  readonly nodeName?: string;
}

/** EC2 NetworkIn/Out (Sum, dimension InstanceId) and Container Insights' per-node series (Average). */
export function awsSeriesOf(node: NodeRef, cluster: string, settings: SourceSettings, periodSeconds: number): SeriesSpec[] {
  const ec2Period = queryPeriodSeconds('ec2', periodSeconds);
  const ec2 = (direction: 'in' | 'out', metricName: string): SeriesSpec => ({
    source: 'ec2',
    direction,
    namespace: settings.ec2Namespace,
    metricName,
    dimensions: { InstanceId: node.instanceId },
    stat: 'Sum',
    unit: 'Bytes',
    periodSeconds: ec2Period,
    instanceId: node.instanceId,
  });
  const specs = [ec2('in', settings.ec2InMetric), ec2('out', settings.ec2OutMetric)];
  // Container Insights names its per-node series by ClusterName, InstanceId and NodeName (the PrivateDnsName);
  // without a NodeName the series cannot be addressed, and the core reports the node missing Container Insights.
  if (node.nodeName) {
    specs.push({
      source: 'containerInsights',
      direction: 'total',
      namespace: settings.containerInsightsNamespace,
      metricName: settings.containerInsightsMetric,
      dimensions: { [DIMENSION.cluster]: cluster, InstanceId: node.instanceId, NodeName: node.nodeName },
      stat: 'Average',
      unit: 'Bytes/Second',
      periodSeconds: queryPeriodSeconds('containerInsights', periodSeconds),
      instanceId: node.instanceId,
    });
  }
  return specs;
}

/** An agent series as ListMetrics listed it (its exact dimension set, whatever append_dimensions added). */
export function agentSeriesOf(
  direction: 'rx' | 'tx',
  dimensions: Readonly<Record<string, string>>,
  settings: SourceSettings,
  periodSeconds: number,
): SeriesSpec | null {
  const instanceId = dimensions[settings.agentInstanceDimension];
  const interfaceName = dimensions[settings.agentInterfaceDimension];
  if (instanceId === undefined || interfaceName === undefined) return null;
  return {
    source: 'agent',
    direction,
    namespace: settings.agentNamespace,
    metricName: direction === 'rx' ? settings.agentRxMetric : settings.agentTxMetric,
    dimensions,
    stat: 'Sum',
    unit: 'Bytes',
    periodSeconds: queryPeriodSeconds('agent', periodSeconds),
    instanceId,
    interfaceName,
  };
}

/** Drops repeats of a series (same namespace, metric and dimension set), keeping the first. */
export function dedupeSeries(specs: Iterable<SeriesSpec>): SeriesSpec[] {
  const seen = new Set<string>();
  const out: SeriesSpec[] = [];
  for (const s of specs) {
    const key = specKey(s);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

/**
 * One listed agent series of an instance, kept small (a 100,000-node cluster lists 800,000 of them): the interface
 * name when the dimensions are exactly the instance and the interface (the usual case), the whole dimension set
 * otherwise (when append_dimensions added more).
 */
export type AgentSeriesRef = string | Readonly<Record<string, string>>;

export interface AgentListing {
  readonly rx: AgentSeriesRef[];
  readonly tx: AgentSeriesRef[];
}

/** The dimension set a reference stands for. */
export function refDimensions(ref: AgentSeriesRef, instanceId: string, settings: SourceSettings): Readonly<Record<string, string>> {
  return typeof ref === 'string' ? { [settings.agentInstanceDimension]: instanceId, [settings.agentInterfaceDimension]: ref } : ref;
}
