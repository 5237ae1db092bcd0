/**
 * The figures of a reconciliation, defined once: every number a node-period carries and how the cluster rolls it
 * up. The result types (model.ts), the cluster roll-up (rollup.ts), the merger's columns (report-merge.ts) and the
 * published metrics (lambda/output-metrics.ts) derive from these tables, so a new figure is one line here.
 * Every byte figure is the number of bytes in one period; `null` means "no data from that source", never zero.
 * Key order is the JSON report's field order.
 */

/**
 * How a node figure reaches the cluster (docs/aws.md, "Published metrics: traffic totals and complete-only figures"):
 * - `total`: summed over every node that ran in the period and has it, partial ones included (their bytes did flow);
 * - `judged`: recomputed by rollup.ts over node-periods whose sources in the comparison are complete;
 * - `none`: not rolled up.
 * `published`: whether the cluster figure is a metric of its own (names and units: lambda/output-metrics.ts), and
 * whether the node figure is too, when per-node metrics are on. EC2 in and out are published as their sum.
 */
export const NODE_FIGURES = {
  ec2InBytes: { unit: 'bytes', cluster: 'total', published: 'no' },
  ec2OutBytes: { unit: 'bytes', cluster: 'total', published: 'no' },
  /** Container Insights `node_network_total_bytes` (a Bytes/Second average) times periodSeconds. */
  containerInsightsTotalBytes: { unit: 'bytes', cluster: 'total', published: 'cluster' },
  /**
   * Bytes received and sent at the ENIs, counted once: the agent's physical interfaces on the `agent` basis (null when
   * the node has no agent data in the period), EC2 NetworkIn / NetworkOut on the `ec2` basis.
   */
  physicalRxBytes: { unit: 'bytes', cluster: 'total', published: 'clusterAndNode' },
  physicalTxBytes: { unit: 'bytes', cluster: 'total', published: 'clusterAndNode' },
  /** What pods received: the sum of host-side pod-veth TX. */
  podRxBytes: { unit: 'bytes', cluster: 'total', published: 'clusterAndNode' },
  /** What pods sent: the sum of host-side pod-veth RX. */
  podTxBytes: { unit: 'bytes', cluster: 'total', published: 'clusterAndNode' },
  overlayBytes: { unit: 'bytes', cluster: 'total', published: 'no' },
  bridgeBytes: { unit: 'bytes', cluster: 'total', published: 'no' },
  unknownBytes: { unit: 'bytes', cluster: 'none', published: 'no' },
  /** The sum Container Insights makes: rx + tx of every interface but those cAdvisor ignores (`lo`, `veth`, `docker`, `nerdctl` prefixes). */
  naiveTotalBytes: { unit: 'bytes', cluster: 'total', published: 'no' },
  /** physicalRxBytes + physicalTxBytes: what left or entered the node, counted once. */
  correctedTotalBytes: { unit: 'bytes', cluster: 'total', published: 'no' },
  /** Lower bound of the physical traffic that was not pods': max(0, corrected - pod rx - pod tx). */
  hostOnlyBytes: { unit: 'bytes', cluster: 'total', published: 'cluster' },
  /**
   * containerInsightsTotalBytes - correctedTotalBytes. The cluster's is a traffic total over nodes that have both
   * Container Insights and a counted-once figure.
   */
  doubleCountedBytes: { unit: 'bytes', cluster: 'total', published: 'clusterAndNode' },
  /**
   * Pod traffic estimated as Container Insights minus the counted-once figure, when the pod veths' own counters are
   * not collected (profiles agentless and enis; null under full). Overlay and bridge traffic fall into it too.
   */
  podEstimatedBytes: { unit: 'bytes', cluster: 'total', published: 'no' },
  /**
   * (ec2InBytes + ec2OutBytes - correctedTotalBytes) / (ec2InBytes + ec2OutBytes); null when EC2 is missing or zero.
   * The cluster's: over the node-periods of completeEc2TotalBytes; null when that is null or 0.
   */
  ec2DiscrepancyRatio: { unit: 'ratio', cluster: 'judged', published: 'clusterAndNode' },
  /**
   * containerInsightsTotalBytes - naiveTotalBytes: what the classification cannot explain. The cluster's: over the
   * node-periods of completeContainerInsightsTotalBytes.
   */
  containerInsightsResidualBytes: { unit: 'bytes', cluster: 'judged', published: 'cluster' },
} as const satisfies Record<string, { unit: 'bytes' | 'ratio'; cluster: 'total' | 'judged' | 'none'; published: 'no' | 'cluster' | 'clusterAndNode' }>;

export type NodeFigure = keyof typeof NODE_FIGURES;
export type NodeFigures = { readonly [K in keyof typeof NODE_FIGURES]: number | null };

type FiguresWhere<P extends Partial<(typeof NODE_FIGURES)[NodeFigure]>> = {
  [K in NodeFigure]: (typeof NODE_FIGURES)[K] extends P ? K : never;
}[NodeFigure];

/** Node figures the cluster sums over every node that has them. */
export type ClusterTotalFigure = FiguresWhere<{ cluster: 'total' }>;
/** Node figures published per node. */
export type PerNodeFigure = FiguresWhere<{ published: 'clusterAndNode' }>;

const keysWhere = <K extends NodeFigure>(keep: (f: (typeof NODE_FIGURES)[NodeFigure]) => boolean): readonly K[] =>
  (Object.keys(NODE_FIGURES) as NodeFigure[]).filter((k) => keep(NODE_FIGURES[k])) as K[];

export const NODE_FIGURE_KEYS: readonly NodeFigure[] = keysWhere(() => true);
export const CLUSTER_TOTAL_FIGURES: readonly ClusterTotalFigure[] = keysWhere((f) => f.cluster === 'total');
export const PER_NODE_FIGURES: readonly PerNodeFigure[] = keysWhere((f) => f.published === 'clusterAndNode');

/**
 * The cluster's judged figures, the ones alarms read, computed only over node-periods whose sources in the
 * comparison are complete (rollup.ts). The ratio and residual carry their node figure's name.
 */
export const CLUSTER_JUDGED_FIGURES = {
  /** EC2 in + out over the node-periods with complete EC2 and agent data; null when there is none. */
  completeEc2TotalBytes: { unit: 'bytes' },
  ec2DiscrepancyRatio: { unit: 'ratio' },
  /** Container Insights over the node-periods with complete Container Insights and agent data. */
  completeContainerInsightsTotalBytes: { unit: 'bytes' },
  containerInsightsResidualBytes: { unit: 'bytes' },
} as const satisfies Record<string, { unit: 'bytes' | 'ratio' }>;

export type ClusterJudgedFigure = keyof typeof CLUSTER_JUDGED_FIGURES;

/** The cluster figures published as metrics of the same name: the totals so marked and every judged figure. */
export type PublishedClusterFigure = FiguresWhere<{ cluster: 'total'; published: 'cluster' | 'clusterAndNode' }> | ClusterJudgedFigure;

/** Every judged node figure has a cluster counterpart of the same name. */
type JudgedNodeFigure = FiguresWhere<{ cluster: 'judged' }>;
const judgedNodeFiguresAreClusterFigures: readonly ClusterJudgedFigure[] = [] as JudgedNodeFigure[];
void judgedNodeFiguresAreClusterFigures;

/** The cluster's figures: traffic totals first, then the judged ones (the JSON report's order). */
export type ClusterFigures = { readonly [K in ClusterTotalFigure]: number | null } & {
  readonly [K in keyof typeof CLUSTER_JUDGED_FIGURES]: number | null;
};
