/**
 * The cluster roll-up of one period: sums over nodes, agent coverage, nodes by status, worst nodes.
 * Derived figures (double-counted, discrepancy ratio, residual) are recomputed from sums over the nodes that
 * have both inputs, so one node without agent data does not skew the cluster's ratio.
 */
import type { ReconcileConfig } from './config';
import { NODE_STATUSES, type ClusterPeriodResult, type NodePeriodResult, type NodeStatus, type WorstNode } from './model';

type NumericField = {
  [K in keyof NodePeriodResult]: NodePeriodResult[K] extends number | null ? K : never;
}[keyof NodePeriodResult];

function sumField(nodes: readonly NodePeriodResult[], field: NumericField): number | null {
  const present = nodes.map((n) => n[field]).filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, v) => a + v, 0);
}

const ec2Total = (n: NodePeriodResult): number | null =>
  n.ec2InBytes === null || n.ec2OutBytes === null ? null : n.ec2InBytes + n.ec2OutBytes;

/** Not-ok before ok, then by |EC2 discrepancy|, then by double-counted bytes; nulls last. */
function severity(a: NodePeriodResult, b: NodePeriodResult): number {
  const okA = a.status === 'ok' ? 1 : 0;
  const okB = b.status === 'ok' ? 1 : 0;
  if (okA !== okB) return okA - okB;
  const ratio = (n: NodePeriodResult): number => (n.ec2DiscrepancyRatio === null ? -1 : Math.abs(n.ec2DiscrepancyRatio));
  if (ratio(a) !== ratio(b)) return ratio(b) - ratio(a);
  return (b.doubleCountedBytes ?? Number.NEGATIVE_INFINITY) - (a.doubleCountedBytes ?? Number.NEGATIVE_INFINITY);
}

/** `nodes`: the node-periods of this period, one per node that ran during it. */
export function rollUp(periodStart: string, config: ReconcileConfig, nodes: readonly NodePeriodResult[]): ClusterPeriodResult {
  // On the EC2 basis the counted-once figure is EC2 itself: such a node has no agent data, whatever its figures.
  const withAgent = nodes.filter((n) => n.basis === 'agent' && n.correctedTotalBytes !== null);

  const withEc2AndAgent = withAgent.filter((n) => ec2Total(n) !== null);
  const ec2Sum = withEc2AndAgent.reduce((a, n) => a + ec2Total(n)!, 0);
  const correctedUnderEc2 = withEc2AndAgent.reduce((a, n) => a + n.correctedTotalBytes!, 0);

  const nodesByStatus = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
  for (const n of nodes) nodesByStatus[n.status]++;

  const worstNodes: WorstNode[] = [...nodes]
    .sort(severity)
    .slice(0, config.worstNodeCount)
    .map((n) => ({
      instanceId: n.instanceId,
      nodeName: n.nodeName,
      status: n.status,
      ec2DiscrepancyRatio: n.ec2DiscrepancyRatio,
      doubleCountedBytes: n.doubleCountedBytes,
    }));

  return {
    periodStart,
    periodSeconds: config.periodSeconds,
    nodesInInventory: nodes.length,
    nodesWithAgent: withAgent.length,
    nodesByBasis: { agent: nodes.filter((n) => n.basis === 'agent').length, ec2: nodes.filter((n) => n.basis === 'ec2').length },
    // An agentless cluster reads no agent: its coverage is no figure at all, not 0 %.
    agentCoverageRatio: nodes.length === 0 || config.sourceProfile === 'agentless' ? null : withAgent.length / nodes.length,
    ec2InBytes: sumField(nodes, 'ec2InBytes'),
    ec2OutBytes: sumField(nodes, 'ec2OutBytes'),
    containerInsightsTotalBytes: sumField(nodes, 'containerInsightsTotalBytes'),
    physicalRxBytes: sumField(nodes, 'physicalRxBytes'),
    physicalTxBytes: sumField(nodes, 'physicalTxBytes'),
    podRxBytes: sumField(nodes, 'podRxBytes'),
    podTxBytes: sumField(nodes, 'podTxBytes'),
    overlayBytes: sumField(nodes, 'overlayBytes'),
    bridgeBytes: sumField(nodes, 'bridgeBytes'),
    naiveTotalBytes: sumField(nodes, 'naiveTotalBytes'),
    correctedTotalBytes: sumField(nodes, 'correctedTotalBytes'),
    hostOnlyBytes: sumField(nodes, 'hostOnlyBytes'),
    doubleCountedBytes: sumField(nodes, 'doubleCountedBytes'),
    podEstimatedBytes: sumField(nodes, 'podEstimatedBytes'),
    ec2DiscrepancyRatio: withEc2AndAgent.length === 0 || ec2Sum === 0 ? null : (ec2Sum - correctedUnderEc2) / ec2Sum,
    containerInsightsResidualBytes: sumField(nodes, 'containerInsightsResidualBytes'),
    nodesByStatus,
    worstNodes,
  };
}
