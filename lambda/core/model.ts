/**
 * The results of a reconciliation: per node and period, per cluster and period, and the run's summary.
 * Every byte figure is the number of bytes in one period of `periodSeconds`; names carry their unit.
 * `null` means "no data from that source for that node and period", never zero.
 */
import type { Direction, Source } from '../capture/capture';
import type { InterfaceClass } from './interface-rules';
import type { ClusterFigures, NodeFigures } from './figures';
import type { Basis, NodeProfile, SourceProfile } from './source-profile';

export const NODE_STATUSES = [
  'ok',
  'ec2Mismatch',
  'unexplainedResidual',
  'missingAgent',
  'missingEc2',
  'missingContainerInsights',
  'partialPeriod',
] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export interface InterfacePeriodBytes {
  readonly name: string;
  readonly interfaceClass: InterfaceClass;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface NodePeriodResult extends NodeFigures {
  readonly instanceId: string;
  readonly nodeName: string | null;
  /** ISO 8601 start of the period. */
  readonly periodStart: string;
  readonly periodSeconds: number;
  /** The source profile this node was reconciled with (a cluster's `mixed` resolved for this node). */
  readonly sourceProfile: NodeProfile;
  /** Where the counted-once figures come from: the ENIs' own counters (`agent`) or EC2 NetworkIn/Out (`ec2`). */
  readonly basis: Basis;

  // The figures (ec2InBytes ... containerInsightsResidualBytes) come from NodeFigures (figures.ts).

  readonly interfaces: readonly InterfacePeriodBytes[];
  /** Which sources cover the whole period; only complete sources enter the cluster's judged figures (rollup.ts). */
  readonly complete: SourceCompleteness;
  /** True when some finding is partialPeriod (whatever `status` says first): counted as PartialNodeCount. */
  readonly partial: boolean;
  readonly status: NodeStatus;
  /** Every finding for this node-period, most severe first; the first one explains `status`. */
  readonly findings: readonly Finding[];
}

/**
 * Whether a node-period's sources cover the whole period. A source is complete when the node ran for the whole
 * period, the source has samples for at least `minSampleFraction` of it, has both directions (EC2; every agent
 * interface) and none of its series was skipped. A missing source is not complete.
 */
export interface SourceCompleteness {
  /** The node ran from before the period began until after it ended. */
  readonly ranWholePeriod: boolean;
  readonly ec2: boolean;
  readonly containerInsights: boolean;
  readonly agent: boolean;
}

/**
 * One thing wrong with a node-period, as data: the status it leads to, a code naming the check, and the figures
 * the check saw. lambda/report/finding-words.ts turns it into a sentence; the core never words it.
 */
export type Finding =
  | { readonly status: 'partialPeriod'; readonly code: 'nodeLaunchedAfterStart'; readonly launchTime: string }
  | { readonly status: 'partialPeriod'; readonly code: 'nodeStoppedBeforeEnd'; readonly endTime: string | null }
  /** The inventory no longer lists the node (CaptureNode.knownFrom `series`) and no sampled source covers the whole period. */
  | { readonly status: 'partialPeriod'; readonly code: 'lifetimeUnknown' }
  | { readonly status: 'missingEc2'; readonly code: 'noEc2Datapoint' }
  | { readonly status: 'missingContainerInsights'; readonly code: 'noContainerInsightsDatapoint' }
  | { readonly status: 'missingAgent'; readonly code: 'noAgentCounters' }
  /** Series of one source were skipped: a gap, so the source is incomplete and not compared. */
  | { readonly status: 'partialPeriod'; readonly code: 'seriesSkipped'; readonly source: Source; readonly series: readonly SkippedSeriesTarget[] }
  /** One EC2 direction has no datapoint while the other has. */
  | { readonly status: 'partialPeriod'; readonly code: 'ec2DirectionMissing'; readonly direction: Direction }
  /** A source's samples cover less than minSampleFraction of the period. */
  | {
      readonly status: 'partialPeriod';
      readonly code: 'sourceCoverageShort';
      readonly measure: 'ec2In' | 'ec2Out' | 'containerInsights' | 'agent';
      readonly coveredSeconds: number;
      readonly periodSeconds: number;
    }
  | { readonly status: 'partialPeriod'; readonly code: 'interfacesOneSided'; readonly interfaces: readonly string[] }
  /** `discrepancyRatio`: |EC2 - corrected| / EC2, Infinity when EC2 is 0; `thresholdRatio`: the ec2MismatchRatio it exceeded. */
  | {
      readonly status: 'ec2Mismatch';
      readonly code: 'ec2Mismatch';
      readonly ec2TotalBytes: number;
      readonly correctedTotalBytes: number;
      readonly discrepancyRatio: number;
      readonly thresholdRatio: number;
    }
  /** `residualBytes`: Container Insights - naive (either sign); `residualRatio`: |residual| / Container Insights, Infinity when that is 0. */
  | { readonly status: 'unexplainedResidual'; readonly code: 'containerInsightsResidual'; readonly residualBytes: number; readonly residualRatio: number };

export type FindingCode = Finding['code'];

export interface WorstNode {
  readonly instanceId: string;
  readonly nodeName: string | null;
  readonly status: NodeStatus;
  readonly ec2DiscrepancyRatio: number | null;
  readonly doubleCountedBytes: number | null;
}

/**
 * Two kinds of cluster figures (docs/aws.md, "Published metrics: traffic totals and complete-only figures"):
 * - traffic totals: sums over every node that ran in the period and has the figure, partial ones included,
 *   because their bytes did flow;
 * - judged figures, the ones alarms read: the EC2 discrepancy ratio, the Container Insights residual and the
 *   byte totals they are ratios of, computed only over node-periods whose sources in the comparison are
 *   complete, and agent coverage, over the nodes that ran for the whole period. A node launching or stopping
 *   inside the period, or a gap in a source, therefore cannot move them; such node-periods are counted in
 *   `partialNodes`.
 */
export interface ClusterPeriodResult extends ClusterFigures {
  readonly periodStart: string;
  readonly periodSeconds: number;
  /** Every node that ran during the period, for all of it or part of it. */
  readonly nodesInInventory: number;
  /** Of those, the nodes with per-interface agent data. */
  readonly nodesWithAgent: number;
  /** Nodes by the basis of their counted-once figures. */
  readonly nodesByBasis: Readonly<Record<Basis, number>>;
  /** Node-periods with a partialPeriod finding (launched or stopped inside the period, a source partial or with a skipped series). */
  readonly partialNodes: number;
  /** Judged: of the nodes that ran for the whole period, those with agent data, 0..1; null when no node ran for all of it. */
  readonly agentCoverageRatio: number | null;
  // Traffic totals (summed over the nodes that have the figure; null only when no node has it), then the judged
  // figures: ClusterFigures (figures.ts).
  readonly nodesByStatus: Readonly<Record<NodeStatus, number>>;
  readonly worstNodes: readonly WorstNode[];
}

/**
 * What a skipped series measured, as far as it could be told: the node, the source, the direction and, for the
 * agent, the interface. The core uses it to tell a gap (a series it should have had) from a source that really
 * has no data, so that a skipped series makes its node-periods partial for that source, never a disagreement.
 */
export interface SkippedSeriesTarget {
  readonly instanceId: string;
  readonly source: Source;
  readonly direction: Direction;
  /** The agent's interface; absent for EC2 and Container Insights, and when the series named no interface. */
  readonly interfaceName?: string;
  /** The series skipped was the source's SampleCount probe (how complete its periods are), not its bytes. */
  readonly probe?: true;
}

/** Something that was not used, and why. Bad input is reported and skipped, never fatal to the run. */
export interface SkippedItem {
  readonly kind: 'series' | 'node' | 'source';
  /** Where it was: a JSON path in a capture file, a query id, an instance id. */
  readonly ref: string;
  readonly reason: string;
  readonly value?: unknown;
  /** For a skipped series whose node and measure are known (validation, alignment or a failed read). */
  readonly series?: SkippedSeriesTarget;
}

export interface ReconcileSummary {
  readonly nodes: number;
  readonly periods: number;
  readonly nodePeriods: number;
  readonly seriesRead: number;
  readonly seriesSkipped: number;
  readonly nodesSkipped: number;
  readonly nodePeriodsByStatus: Readonly<Record<NodeStatus, number>>;
}

export interface ReconcileReport {
  readonly cluster: string;
  /** The cluster's source account, when a central reconciler read it from another account (docs/central.md). */
  readonly accountId?: string;
  /** The cluster's source profile (per node: NodePeriodResult.sourceProfile). */
  readonly sourceProfile: SourceProfile;
  readonly periodSeconds: number;
  /** The whole periods that were reconciled: [start, end). */
  readonly window: { readonly start: string; readonly end: string };
  readonly nodePeriods: readonly NodePeriodResult[];
  readonly clusterPeriods: readonly ClusterPeriodResult[];
  readonly skipped: readonly SkippedItem[];
  readonly summary: ReconcileSummary;
}
