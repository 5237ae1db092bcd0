/**
 * The cluster roll-up of one period: sums over nodes, agent coverage, nodes by status, worst nodes.
 * Traffic totals sum every node that has the figure. The judged figures (what alarms read: the EC2 discrepancy
 * ratio, the residual, the EC2 and Container Insights bytes they are ratios of, agent coverage) are recomputed
 * only from node-periods whose sources in the comparison are complete (model.ts, ClusterPeriodResult): a node
 * that launched or stopped inside the period, an agent's first minute or a skipped series would otherwise bend
 * them, and in a small cluster with Karpenter or spot nodes that happens every hour.
 */
import type { ReconcileConfig } from './config';
import { NODE_PROFILE_CAPABILITIES } from './source-profile';
import { CLUSTER_TOTAL_FIGURES, type ClusterTotalFigure, type NodeFigure } from './figures';
import { NODE_STATUSES, type ClusterPeriodResult, type NodePeriodResult, type NodeStatus, type WorstNode } from './model';

function sumField(nodes: readonly NodePeriodResult[], field: NodeFigure): number | null {
  const present = nodes.map((n) => n[field]).filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, v) => a + v, 0);
}

const ec2Total = (n: NodePeriodResult): number | null =>
  n.ec2InBytes === null || n.ec2OutBytes === null ? null : n.ec2InBytes + n.ec2OutBytes;

/** Not-ok before ok, then by |EC2 discrepancy|, then by double-counted bytes; nulls last. Also the HTML report's order. */
export function severity(a: NodePeriodResult, b: NodePeriodResult): number {
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
  const hasAgentData = (n: NodePeriodResult): boolean => n.basis === 'agent' && n.correctedTotalBytes !== null;
  const withAgent = nodes.filter(hasAgentData);
  const wholePeriod = nodes.filter((n) => n.complete.ranWholePeriod);
  const wholePeriodWithAgent = wholePeriod.filter(hasAgentData);

  // A complete source has its figure (model.ts, SourceCompleteness), so the non-null assertions below hold.
  const judgedEc2 = nodes.filter((n) => n.complete.ec2 && n.complete.agent);
  const ec2Sum = judgedEc2.reduce((a, n) => a + ec2Total(n)!, 0);
  const correctedUnderEc2 = judgedEc2.reduce((a, n) => a + n.correctedTotalBytes!, 0);
  // Only nodes whose profile sums every interface have a residual (mixed: an ENI-only agent's node would dilute it).
  const judgedCi = nodes.filter((n) => n.complete.containerInsights && n.complete.agent && NODE_PROFILE_CAPABILITIES[n.sourceProfile].residual);

  const nodesByStatus = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
  for (const n of nodes) nodesByStatus[n.status]++;

  const totals = Object.fromEntries(CLUSTER_TOTAL_FIGURES.map((f) => [f, sumField(nodes, f)])) as Record<ClusterTotalFigure, number | null>;

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
    partialNodes: nodes.filter((n) => n.partial).length,
    // An agentless cluster reads no agent: its coverage is no figure at all, not 0 %.
    agentCoverageRatio: wholePeriod.length === 0 || config.sourceProfile === 'agentless' ? null : wholePeriodWithAgent.length / wholePeriod.length,
    ...totals,
    completeEc2TotalBytes: judgedEc2.length === 0 ? null : ec2Sum,
    ec2DiscrepancyRatio: judgedEc2.length === 0 || ec2Sum === 0 ? null : (ec2Sum - correctedUnderEc2) / ec2Sum,
    completeContainerInsightsTotalBytes: sumField(judgedCi, 'containerInsightsTotalBytes'),
    containerInsightsResidualBytes: sumField(judgedCi, 'containerInsightsResidualBytes'),
    nodesByStatus,
    worstNodes,
  };
}
