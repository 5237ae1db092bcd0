/**
 * What netrecon publishes for one period, as PutMetricData datums, in a fixed order (the exactly-once ledger
 * relies on the same input giving the same datums in the same order). Pure.
 *
 * Cluster metrics always (dimension ClusterName; NodeCount also by Status); per-node metrics only when enabled
 * (dimensions ClusterName, InstanceId, NodeName, always all three), because each is a paid custom metric
 * (docs/aws.md, "Cost").
 * A figure that is null (no node had that source) is not published: no datum means no data, never zero.
 */
import type { MetricDatum, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { NODE_STATUSES, type ClusterPeriodResult, type NodePeriodResult, type ReconcileReport } from '../core/model';
import { epochSecondsOf, isoOf } from '../core/units';
import { CLUSTER_METRICS, clusterDimensions, DIMENSION, HEARTBEAT_METRIC, LEDGER_METRIC, NODE_METRICS, type OutputMetricSpec } from '../output-metrics';

export interface OutputSettings {
  readonly namespace: string;
  readonly cluster: string;
  readonly perNodeMetrics: boolean;
  /** The cluster's source account, for a central reconciler's `ACCOUNT_ID/CLUSTER` target (dimension AccountId). */
  readonly accountId?: string | undefined;
}

/** CloudWatch rejects NaN, ±Infinity and magnitudes beyond 2^360 (PutMetricData API reference). */
const MAX_MAGNITUDE = 2 ** 360;
const publishable = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_MAGNITUDE;

function datum(spec: OutputMetricSpec, dims: Record<string, string>, timestamp: Date, value: number): MetricDatum {
  return {
    MetricName: spec.name,
    Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
    Timestamp: timestamp,
    Value: value,
    Unit: spec.unit as StandardUnit,
  };
}

/** Publishes `values[key]` as `specs[key]` for every key, in the specs' order, leaving out what is not publishable. */
function datumsOf<K extends string>(
  specs: Readonly<Record<K, OutputMetricSpec>>,
  values: Readonly<Record<NoInfer<K>, number | null>>,
  dims: Record<string, string>,
  at: Date,
): MetricDatum[] {
  return (Object.keys(specs) as K[]).flatMap((key) => {
    const value = values[key];
    return publishable(value) ? [datum(specs[key], dims, at, value)] : [];
  });
}

const { nodeCount, ...CLUSTER_FIGURES } = CLUSTER_METRICS;

export function clusterDatums(cp: ClusterPeriodResult, cluster: string, accountId?: string): MetricDatum[] {
  const at = new Date(cp.periodStart);
  const dims = clusterDimensions(cluster, accountId);
  const figures = {
    ...cp,
    ec2TotalBytes: cp.ec2InBytes !== null && cp.ec2OutBytes !== null ? cp.ec2InBytes + cp.ec2OutBytes : null,
    agentCoveragePercent: cp.agentCoverageRatio === null ? null : cp.agentCoverageRatio * 100,
    partialNodeCount: cp.partialNodes,
  };
  const out = datumsOf(CLUSTER_FIGURES, figures, dims, at);
  // Every status, zeros included, so an alarm on a status sees 0 rather than missing data.
  for (const status of NODE_STATUSES) {
    out.push(datum(nodeCount, { ...dims, [DIMENSION.status]: status }, at, cp.nodesByStatus[status]));
  }
  return out;
}

export function nodeDatums(np: NodePeriodResult, cluster: string, accountId?: string): MetricDatum[] {
  // Every node series carries the same three dimensions, or the dashboard's worst-nodes query,
  // SCHEMA(namespace, ClusterName, InstanceId, NodeName), which matches exact dimension sets, never finds it.
  // Without a PrivateDnsName the instance id stands in: CloudWatch refuses an empty dimension value.
  const dims = { ...clusterDimensions(cluster, accountId), [DIMENSION.instanceId]: np.instanceId, [DIMENSION.nodeName]: np.nodeName || np.instanceId };
  return datumsOf(NODE_METRICS, np, dims, new Date(np.periodStart));
}

/** All datums of one period: cluster first, then nodes by instance id. */
export function periodDatums(cp: ClusterPeriodResult, nodes: readonly NodePeriodResult[], settings: OutputSettings): MetricDatum[] {
  const out = clusterDatums(cp, settings.cluster, settings.accountId);
  if (settings.perNodeMetrics) {
    const sorted = [...nodes].sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
    for (const np of sorted) out.push(...nodeDatums(np, settings.cluster, settings.accountId));
  }
  return out;
}

/**
 * The datums of the report's periods that are to be emitted (`periodStarts`, epoch seconds), each period with its
 * own node-periods (grouped here only when per-node metrics are on), in the report's order.
 */
export function reportDatums(
  report: ReconcileReport,
  periodStarts: readonly number[],
  settings: OutputSettings,
): { periodStartSeconds: number; datums: MetricDatum[] }[] {
  const wanted = new Set(periodStarts.map(isoOf));
  const nodesByPeriod = new Map<string, NodePeriodResult[]>();
  if (settings.perNodeMetrics) {
    for (const np of report.nodePeriods) {
      const list = nodesByPeriod.get(np.periodStart);
      if (list) list.push(np);
      else nodesByPeriod.set(np.periodStart, [np]);
    }
  }
  return report.clusterPeriods
    .filter((cp) => wanted.has(cp.periodStart))
    .map((cp) => ({ periodStartSeconds: epochSecondsOf(cp.periodStart), datums: periodDatums(cp, nodesByPeriod.get(cp.periodStart) ?? [], settings) }));
}

export function ledgerDatum(cluster: string, periodStartSeconds: number, requestsNeeded: number, accountId?: string): MetricDatum {
  return datum(LEDGER_METRIC, clusterDimensions(cluster, accountId), new Date(periodStartSeconds * 1000), requestsNeeded);
}

export function heartbeatDatum(cluster: string, at: Date, accountId?: string): MetricDatum {
  return datum(HEARTBEAT_METRIC, clusterDimensions(cluster, accountId), at, 1);
}
