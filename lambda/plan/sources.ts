/**
 * Where the three sources live in CloudWatch (namespaces, metric and dimension names: configuration with the
 * CloudWatch agent's and AWS's defaults) and which series one node has. A series is identified by namespace,
 * metric name and its sorted dimension set, and the planner never requests one twice.
 */
import { dimensionValue, type Direction, type Source } from '../capture/capture';
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
 * The interval at which Container Insights and the CloudWatch agent publish (their default
 * metrics_collection_interval, 60 s). Every series is read at P, one value a period (docs/aws.md, "Reading at the
 * period"), so this interval is what turns a value into bytes and coverage: Container Insights' Bytes/Second Sum
 * over P is the sum of its per-minute rates, bytes = Sum × 60 s; a SampleCount over P counts the minutes
 * published, coverage = count × 60 s. A source publishing faster shows more samples than P / 60 in its probe and
 * is refused by the core, never converted with the wrong interval.
 */
export const SOURCE_SAMPLE_SECONDS = 60;

/**
 * The GetMetricData Period of each source's queries: P for every source. EC2 basic monitoring publishes one
 * point per 5 minutes and detailed monitoring one a minute; a Sum at P is the period's bytes for both.
 */
export function queryPeriodSeconds(_source: Source, periodSeconds: number): number {
  return periodSeconds;
}

/** The source's publishing interval when it is finer than the query period (values then aggregate samples). */
export function sourceSampleSeconds(source: Source, periodSeconds: number): number | undefined {
  return source === 'ec2' || SOURCE_SAMPLE_SECONDS >= periodSeconds ? undefined : SOURCE_SAMPLE_SECONDS;
}

/**
 * What a query asks for. Its metric (namespace, name, dimensions) and its statistic are separate fields so a
 * statistic of the same metric (the SampleCount probe) is the same spec with another `stat`, and a new field of
 * the MetricStat (e.g. the account a cross-account read is for) is one more field here and in the reader.
 */
export interface SeriesSpec {
  readonly source: Source;
  readonly direction: Direction;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: 'Sum' | 'Average' | 'SampleCount';
  readonly unit: 'Bytes' | 'Bytes/Second' | 'Count';
  readonly periodSeconds: number;
  /** The source's publishing interval, when each value aggregates several samples (sourceSampleSeconds). */
  readonly sampleSeconds?: number;
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

/** The metric of a spec: what billing counts once for up to five statistics in one request. */
export const specKey = (s: SeriesSpec): string => seriesKey(s.namespace, s.metricName, s.dimensions);
/** The metric and statistic: what makes a query distinct. */
export const queryKey = (s: SeriesSpec): string => `${specKey(s)}\u0000${s.stat}`;

/**
 * The SampleCount probe of a series read at a period coarser than its source publishes: the same metric, the
 * count of samples in each period. Null when the series' values are single samples (EC2, or P of one minute).
 */
export function probeOf(spec: SeriesSpec): SeriesSpec | null {
  if (spec.sampleSeconds === undefined) return null;
  return { ...spec, stat: 'SampleCount', unit: 'Count' };
}

/** Container Insights' per-node dimension holding the node's name (EC2's PrivateDnsName). */
export const NODE_NAME_DIMENSION = 'NodeName';

export interface NodeRef {
  readonly instanceId: string;
  readonly nodeName?: string;
}

const sampleSecondsOf = (source: Source, periodSeconds: number): { sampleSeconds?: number } => {
  const sampleSeconds = sourceSampleSeconds(source, periodSeconds);
  return sampleSeconds === undefined ? {} : { sampleSeconds };
};

/**
 * Container Insights' rate: Sum over P when P aggregates several samples (bytes = Sum × the sample interval,
 * units.ts), Average when one value is one sample (bytes = Average × P).
 */
const rateStat = (periodSeconds: number): { stat: 'Sum' | 'Average'; unit: 'Bytes/Second' } => ({
  stat: sourceSampleSeconds('containerInsights', periodSeconds) === undefined ? 'Average' : 'Sum',
  unit: 'Bytes/Second',
});

/** EC2 NetworkIn/Out (Sum, dimension InstanceId) and Container Insights' per-node series (a rate, rateStat). */
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
      dimensions: { [DIMENSION.cluster]: cluster, InstanceId: node.instanceId, [NODE_NAME_DIMENSION]: node.nodeName },
      ...rateStat(periodSeconds),
      periodSeconds: queryPeriodSeconds('containerInsights', periodSeconds),
      ...sampleSecondsOf('containerInsights', periodSeconds),
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
  const instanceId = dimensionValue(dimensions, settings.agentInstanceDimension);
  const interfaceName = dimensionValue(dimensions, settings.agentInterfaceDimension);
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
    ...sampleSecondsOf('agent', periodSeconds),
    instanceId,
    interfaceName,
  };
}

/** Drops repeats of a query (same namespace, metric, dimension set and statistic), keeping the first. */
export function dedupeSeries(specs: Iterable<SeriesSpec>): SeriesSpec[] {
  const seen = new Set<string>();
  const out: SeriesSpec[] = [];
  for (const s of specs) {
    const key = queryKey(s);
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

/** Names of a primary ENI's interface (eth0 on Amazon Linux 2, ens5 on AL2023), which lives as long as the instance. */
const PRIMARY_ENI_NAME = /^(eth|ens|enp|eno)\d/;

/**
 * The agent series of a node whose SampleCount probes how much of each period its agent covered: one series,
 * the one most likely to exist for the instance's whole life, so that an interface created or removed
 * mid-period (a pod's veth) is no gap, as before. First the lowest-named primary-ENI-like interface, then `lo`,
 * then the lowest name; its rx series if listed, else its tx. A probe on an interface that did not exist the
 * whole period can only make the period partial, never complete.
 */
export function agentProbeRef(listing: AgentListing, instanceId: string, settings: SourceSettings): { direction: 'rx' | 'tx'; ref: AgentSeriesRef } | null {
  let best: { direction: 'rx' | 'tx'; ref: AgentSeriesRef; rank: number; name: string } | null = null;
  for (const direction of ['rx', 'tx'] as const) {
    for (const ref of listing[direction]) {
      const name = refDimensions(ref, instanceId, settings)[settings.agentInterfaceDimension];
      if (name === undefined) continue;
      const rank = (PRIMARY_ENI_NAME.test(name) ? 0 : name === 'lo' ? 1 : 2) * 2 + (direction === 'rx' ? 0 : 1);
      if (!best || rank < best.rank || (rank === best.rank && name < best.name)) best = { direction, ref, rank, name };
    }
  }
  return best && { direction: best.direction, ref: best.ref };
}
