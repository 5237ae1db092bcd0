/**
 * What `netrecon reconcile --source-profile P` must report for the profile clusters of seed-clusters.ts, computed
 * here by hand from the seeded bytes and the formulas of docs/profiles.md (never by calling lambda/core).
 *
 * Per node and period (k runs over the period's five minutes; ci = mean_k(rate) × 300):
 *   agentless (basis ec2):   physicalRx = Σ NetworkIn, physicalTx = Σ NetworkOut, corrected = their sum,
 *                            doubleCounted = podEstimated = ci − corrected; no ratio, residual, pod, naive or host-only
 *   enis (basis agent):      physicalRx/Tx = Σ ENI rx / tx, ratio = (ec2 − corrected) / ec2,
 *                            doubleCounted = podEstimated = ci − corrected; no residual, pod, naive or host-only
 *   full (basis agent):      the above, plus podRx = Σ veth tx, podTx = Σ veth rx, naive = Σ rx + tx of every
 *                            interface but lo, hostOnly = max(0, corrected − podRx − podTx), residual = ci − naive;
 *                            podEstimated none (the pods are measured)
 *   mixed:                   per node: no agent → agentless, ENIs only → enis, anything else → full
 * A node is ec2Mismatch when |ratio| > 10 % and |ec2 − corrected| ≥ 1 MiB, unexplainedResidual when
 * |residual| / ci > 10 % and |residual| ≥ 1 MiB (the default thresholds), ok otherwise.
 * Per cluster and period: every figure summed over the nodes that have it (none: null); the EC2 ratio over the
 * agent-basis nodes, the residual over the full nodes; agent coverage = agent-basis nodes / nodes, none under
 * agentless. A figure that is null is not published.
 */
import type { NodeProfile, SourceProfile } from '../../lambda/core/source-profile';
import { CLUSTER_METRICS } from '../../lambda/output-metrics';
import { MINUTE_SECONDS, PERIOD_SECONDS } from './cluster-model';
import { bytesAt, rateAt, type SeededSpecCluster, type SeededSpecNode, type Timeline } from './profile-seeds';
import type { SeedInterface } from './seed-clusters';

const MIB = 1_048_576;
const RATIO_THRESHOLD = 0.1;

/** The figures this suite checks, by the report's field names. */
export const CHECKED_FIGURES = [
  'ec2InBytes',
  'ec2OutBytes',
  'containerInsightsTotalBytes',
  'physicalRxBytes',
  'physicalTxBytes',
  'podRxBytes',
  'podTxBytes',
  'naiveTotalBytes',
  'correctedTotalBytes',
  'hostOnlyBytes',
  'doubleCountedBytes',
  'podEstimatedBytes',
  'ec2DiscrepancyRatio',
  'containerInsightsResidualBytes',
] as const;
export type CheckedFigure = (typeof CHECKED_FIGURES)[number];
export type Figures = Record<CheckedFigure, number | null>;

export interface ExpectedNodePeriod {
  readonly instanceId: string;
  readonly key: string;
  readonly periodStart: string;
  readonly sourceProfile: NodeProfile;
  readonly basis: 'agent' | 'ec2';
  readonly status: 'ok' | 'ec2Mismatch' | 'unexplainedResidual';
  readonly figures: Figures;
}

export interface ExpectedClusterPeriod {
  readonly periodStart: string;
  readonly nodesByBasis: { readonly agent: number; readonly ec2: number };
  readonly agentCoverageRatio: number | null;
  readonly nodesByStatus: Readonly<Record<string, number>>;
  readonly figures: Figures & { completeEc2TotalBytes: number | null; completeContainerInsightsTotalBytes: number | null };
  /** The cluster metrics a run publishes for this period (ClusterName only), by metric name; a figure absent here must not be published. */
  readonly published: Readonly<Record<string, number>>;
}

function nodeProfile(cluster: SourceProfile, node: SeededSpecNode): NodeProfile {
  if (cluster !== 'mixed') return cluster;
  const interfaces = node.spec.agent?.interfaces ?? [];
  if (interfaces.length === 0) return 'agentless';
  return interfaces.every((i) => i.role === 'eni') ? 'enis' : 'full';
}

function expectedNodePeriod(profile: SourceProfile, node: SeededSpecNode, period: number, timeline: Timeline): ExpectedNodePeriod {
  const minutes = Array.from({ length: PERIOD_SECONDS / MINUTE_SECONDS }, (_, i) => period * (PERIOD_SECONDS / MINUTE_SECONDS) + i);
  const sum = (minute0: number) => minutes.reduce((t, k) => t + bytesAt(minute0, k), 0);
  const { spec } = node;
  const ec2In = sum(spec.ec2InBytes);
  const ec2Out = sum(spec.ec2OutBytes);
  const ec2 = ec2In + ec2Out;
  // A period's bytes are a whole number, rounded once from the rate (lambda/core/units.ts, wholeBytes).
  const ci = spec.containerInsights ? Math.round((minutes.reduce((t, k) => t + rateAt(spec.containerInsights!.bytesPerSecond, k), 0) / minutes.length) * PERIOD_SECONDS) : null;
  const ifaces = spec.agent?.interfaces ?? [];
  const total = (of: readonly SeedInterface[], dir: 'rx' | 'tx') => of.reduce((t, i) => t + sum(dir === 'rx' ? i.rxBytes : i.txBytes), 0);
  const enis = ifaces.filter((i) => i.role === 'eni');
  const veths = ifaces.filter((i) => i.role === 'podVeth');
  const counted = ifaces.filter((i) => i.role !== 'loopback');

  const resolved = nodeProfile(profile, node);
  const none: Figures = Object.fromEntries(CHECKED_FIGURES.map((f) => [f, null])) as Figures;
  const f: Figures = { ...none, ec2InBytes: ec2In, ec2OutBytes: ec2Out, containerInsightsTotalBytes: ci };
  if (resolved === 'agentless') {
    f.physicalRxBytes = ec2In;
    f.physicalTxBytes = ec2Out;
  } else {
    f.physicalRxBytes = total(enis, 'rx');
    f.physicalTxBytes = total(enis, 'tx');
  }
  const corrected = f.physicalRxBytes + f.physicalTxBytes;
  f.correctedTotalBytes = corrected;
  f.doubleCountedBytes = ci === null ? null : ci - corrected;
  if (resolved !== 'agentless') f.ec2DiscrepancyRatio = (ec2 - corrected) / ec2;
  if (resolved === 'full') {
    f.podRxBytes = total(veths, 'tx');
    f.podTxBytes = total(veths, 'rx');
    f.naiveTotalBytes = total(counted, 'rx') + total(counted, 'tx');
    f.hostOnlyBytes = Math.max(0, corrected - f.podRxBytes - f.podTxBytes);
    f.containerInsightsResidualBytes = ci === null ? null : ci - f.naiveTotalBytes;
  } else {
    f.podEstimatedBytes = f.doubleCountedBytes;
  }

  const mismatch = f.ec2DiscrepancyRatio !== null && Math.abs(f.ec2DiscrepancyRatio) > RATIO_THRESHOLD && Math.abs(ec2 - corrected) >= MIB;
  const residual = f.containerInsightsResidualBytes;
  const unexplained = residual !== null && ci !== null && Math.abs(residual) / ci > RATIO_THRESHOLD && Math.abs(residual) >= MIB;
  return {
    instanceId: node.instanceId,
    key: spec.key,
    periodStart: new Date((timeline.startEpochSeconds + period * PERIOD_SECONDS) * 1000).toISOString(),
    sourceProfile: resolved,
    basis: resolved === 'agentless' ? 'ec2' : 'agent',
    status: mismatch ? 'ec2Mismatch' : unexplained ? 'unexplainedResidual' : 'ok',
    figures: f,
  };
}

export interface ExpectedProfileRun {
  readonly nodePeriods: readonly ExpectedNodePeriod[];
  readonly clusterPeriods: readonly ExpectedClusterPeriod[];
}

export function expectedProfileRun(profile: SourceProfile, cluster: SeededSpecCluster, timeline: Timeline): ExpectedProfileRun {
  const nodePeriods: ExpectedNodePeriod[] = [];
  const clusterPeriods: ExpectedClusterPeriod[] = [];
  for (let p = 0; p < timeline.reconcilePeriods; p += 1) {
    const rows = cluster.nodes.map((n) => expectedNodePeriod(profile, n, p, timeline));
    nodePeriods.push(...rows);
    const sumOf = (rs: readonly ExpectedNodePeriod[], field: CheckedFigure): number | null => {
      const present = rs.map((r) => r.figures[field]).filter((v): v is number => v !== null);
      return present.length === 0 ? null : present.reduce((t, v) => t + v, 0);
    };
    const agentNodes = rows.filter((r) => r.basis === 'agent');
    const fullNodes = rows.filter((r) => r.sourceProfile === 'full');
    const ec2Of = (rs: readonly ExpectedNodePeriod[]) => rs.reduce((t, r) => t + r.figures.ec2InBytes! + r.figures.ec2OutBytes!, 0);
    const completeEc2 = agentNodes.length === 0 ? null : ec2Of(agentNodes);
    const figures = {
      ...(Object.fromEntries(CHECKED_FIGURES.map((field) => [field, sumOf(rows, field)])) as Figures),
      ec2DiscrepancyRatio: completeEc2 === null ? null : (completeEc2 - sumOf(agentNodes, 'correctedTotalBytes')!) / completeEc2,
      containerInsightsResidualBytes: sumOf(fullNodes, 'containerInsightsResidualBytes'),
      completeEc2TotalBytes: completeEc2,
      completeContainerInsightsTotalBytes: sumOf(fullNodes, 'containerInsightsTotalBytes'),
    };
    const agentCoverageRatio = profile === 'agentless' ? null : agentNodes.length / rows.length;
    const nodesByStatus: Record<string, number> = {};
    for (const r of rows) nodesByStatus[r.status] = (nodesByStatus[r.status] ?? 0) + 1;
    const m = CLUSTER_METRICS;
    const candidates: Record<string, number | null> = {
      [m.ec2TotalBytes.name]: ec2Of(rows),
      [m.containerInsightsTotalBytes.name]: figures.containerInsightsTotalBytes,
      [m.physicalRxBytes.name]: figures.physicalRxBytes,
      [m.physicalTxBytes.name]: figures.physicalTxBytes,
      [m.podRxBytes.name]: figures.podRxBytes,
      [m.podTxBytes.name]: figures.podTxBytes,
      [m.hostOnlyBytes.name]: figures.hostOnlyBytes,
      [m.doubleCountedBytes.name]: figures.doubleCountedBytes,
      [m.ec2DiscrepancyRatio.name]: figures.ec2DiscrepancyRatio,
      [m.containerInsightsResidualBytes.name]: figures.containerInsightsResidualBytes,
      [m.agentCoveragePercent.name]: agentCoverageRatio === null ? null : agentCoverageRatio * 100,
      [m.completeEc2TotalBytes.name]: figures.completeEc2TotalBytes,
      [m.completeContainerInsightsTotalBytes.name]: figures.completeContainerInsightsTotalBytes,
      [m.partialNodeCount.name]: 0,
    };
    const published = Object.fromEntries(Object.entries(candidates).filter((e): e is [string, number] => e[1] !== null));
    clusterPeriods.push({
      periodStart: rows[0]!.periodStart,
      nodesByBasis: { agent: agentNodes.length, ec2: rows.length - agentNodes.length },
      agentCoverageRatio,
      nodesByStatus,
      figures,
      published,
    });
  }
  return { nodePeriods, clusterPeriods };
}
