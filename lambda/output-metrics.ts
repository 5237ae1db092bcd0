/**
 * What netrecon publishes: the namespace, metric names, units and dimensions of its custom metrics.
 * The sink (lambda/aws) writes exactly these and the CDK app (lib/) alarms and draws exactly these, so both
 * import this file instead of spelling names twice.
 *
 * Every byte metric is the number of bytes in one period (Sum over the period), timestamped at the period's
 * start; divide by the period (metric math `m / PERIOD(m)`) for bytes/second.
 */

import { PER_NODE_FIGURES, type PerNodeFigure, type PublishedClusterFigure } from './core/figures';

export const DEFAULT_OUTPUT_NAMESPACE = 'NetRecon';

export const DIMENSION = {
  cluster: 'ClusterName',
  instanceId: 'InstanceId',
  nodeName: 'NodeName',
  status: 'Status',
  /**
   * The source account of a cluster the central reconciler reads (an `ACCOUNT_ID/CLUSTER` target,
   * docs/central.md): on every metric of that cluster, the ledger's included, so two accounts' clusters of the
   * same name are two sets of series and two ledgers. Absent for a cluster of the reconciler's own account.
   */
  account: 'AccountId',
} as const;

/** The dimensions that name one cluster in every output metric: ClusterName, and AccountId for a source account's cluster. */
export function clusterDimensions(cluster: string, accountId?: string): Record<string, string> {
  return accountId === undefined ? { [DIMENSION.cluster]: cluster } : { [DIMENSION.cluster]: cluster, [DIMENSION.account]: accountId };
}

export type OutputUnit = 'Bytes' | 'Percent' | 'None' | 'Count';

export interface OutputMetricSpec {
  readonly name: string;
  readonly unit: OutputUnit;
  readonly description: string;
}

/**
 * Per cluster and period (dimension ClusterName). Byte totals (Ec2TotalBytes, ContainerInsightsTotalBytes,
 * Physical*, Pod*, HostOnlyBytes, DoubleCountedBytes) count every node that ran in the period; the figures alarms
 * judge (Ec2DiscrepancyRatio with CompleteEc2TotalBytes, ContainerInsightsResidualBytes with
 * CompleteContainerInsightsTotalBytes, AgentCoveragePercent) only node-periods whose sources are complete, so node
 * churn cannot fire an alarm (lambda/core/rollup.ts, docs/aws.md).
 */
export const CLUSTER_METRICS = {
  ec2TotalBytes: { name: 'Ec2TotalBytes', unit: 'Bytes', description: 'EC2 NetworkIn + NetworkOut over the nodes' },
  containerInsightsTotalBytes: {
    name: 'ContainerInsightsTotalBytes',
    unit: 'Bytes',
    description: 'Container Insights node_network_total_bytes x period, over the nodes',
  },
  physicalRxBytes: { name: 'PhysicalRxBytes', unit: 'Bytes', description: 'Corrected: bytes received on ENIs' },
  physicalTxBytes: { name: 'PhysicalTxBytes', unit: 'Bytes', description: 'Corrected: bytes sent on ENIs' },
  podRxBytes: { name: 'PodRxBytes', unit: 'Bytes', description: 'Bytes pods received (host-side veth TX)' },
  podTxBytes: { name: 'PodTxBytes', unit: 'Bytes', description: 'Bytes pods sent (host-side veth RX)' },
  hostOnlyBytes: { name: 'HostOnlyBytes', unit: 'Bytes', description: 'Lower bound of ENI traffic that was not pods' },
  doubleCountedBytes: {
    name: 'DoubleCountedBytes',
    unit: 'Bytes',
    description: 'Container Insights minus corrected: bytes counted twice',
  },
  ec2DiscrepancyRatio: {
    name: 'Ec2DiscrepancyRatio',
    unit: 'None',
    description: '(EC2 in+out - corrected) / EC2 in+out, over node-periods with complete EC2 and agent data',
  },
  containerInsightsResidualBytes: {
    name: 'ContainerInsightsResidualBytes',
    unit: 'Bytes',
    description: 'Container Insights minus the naive interface sum (what classification cannot explain), over node-periods with complete Container Insights and agent data',
  },
  agentCoveragePercent: {
    name: 'AgentCoveragePercent',
    unit: 'Percent',
    description: 'Nodes with per-interface agent data / nodes, x 100, over the nodes that ran for the whole period',
  },
  completeEc2TotalBytes: {
    name: 'CompleteEc2TotalBytes',
    unit: 'Bytes',
    description: 'EC2 NetworkIn + NetworkOut over the node-periods Ec2DiscrepancyRatio is computed over (complete EC2 and agent data)',
  },
  completeContainerInsightsTotalBytes: {
    name: 'CompleteContainerInsightsTotalBytes',
    unit: 'Bytes',
    description: 'Container Insights bytes over the node-periods ContainerInsightsResidualBytes is computed over',
  },
  partialNodeCount: {
    name: 'PartialNodeCount',
    unit: 'Count',
    description: 'Node-periods with a partialPeriod finding (node launched or stopped inside the period, a source partial or skipped), left out of the judged figures',
  },
  /** One datum per status (dimension Status as well as ClusterName). */
  nodeCount: { name: 'NodeCount', unit: 'Count', description: 'Nodes by reconciliation status' },
} as const satisfies Record<PublishedClusterFigure | DerivedClusterMetric, OutputMetricSpec>;

/**
 * Published cluster metrics that are no cluster figure of the same name: EC2 in + out, agent coverage in percent,
 * partialNodes and nodesByStatus. Every other key of CLUSTER_METRICS is a figure marked published in
 * lambda/core/figures.ts, and the `satisfies` above fails the build when the two lists disagree.
 */
type DerivedClusterMetric = 'ec2TotalBytes' | 'agentCoveragePercent' | 'partialNodeCount' | 'nodeCount';

/**
 * Per node and period, only when per-node output is enabled (dimensions ClusterName, InstanceId, NodeName): the
 * figures marked so in lambda/core/figures.ts, under their cluster metric's name.
 */
export const NODE_METRICS = Object.fromEntries(PER_NODE_FIGURES.map((f) => [f, CLUSTER_METRICS[f]])) as {
  readonly [K in PerNodeFigure]: (typeof CLUSTER_METRICS)[K];
};

/** One datum per run and cluster, timestamped at the run's time (not a period's), so its absence is news. */
export const HEARTBEAT_METRIC = {
  name: 'Heartbeat',
  unit: 'Count',
  description: 'A reconciler run finished for this cluster',
} as const satisfies OutputMetricSpec;

/**
 * The exactly-once ledger (the high-water mark; see docs/aws.md): one datum per PutMetricData request and period
 * in it, dimension ClusterName, timestamped at the period's start, written in the same request as the data it
 * vouches for. Its value is the number of requests the period's data takes, so per period SampleCount = requests
 * that landed and Maximum = requests needed: the period is complete when SampleCount >= Maximum.
 */
export const LEDGER_METRIC = {
  name: 'EmitLedger',
  unit: 'Count',
  description: 'Exactly-once ledger: PutMetricData requests of a period that landed (SampleCount) of those needed (Maximum)',
} as const satisfies OutputMetricSpec;
