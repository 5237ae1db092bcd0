/**
 * `netrecon doctor`: what the reads found in the account (the input of the diagnosis) and the report it becomes
 * (the JSON of `netrecon doctor --format json`, docs/doctor.md). Pure types.
 */
import type { CompiledRule } from '../core/interface-rules';
import type { NodeStatus } from '../core/model';
import type { NodeProfile, SourceProfile } from '../core/source-profile';
import type { SourceSettings } from '../plan/sources';

/** One instance as DescribeInstances showed it. */
export interface DoctorInstance {
  readonly instanceId: string;
  readonly nodeName?: string;
  /** EC2 Monitoring.State: `disabled` = basic (5-minute), `enabled` = detailed (1-minute); `pending`, `disabling`. */
  readonly monitoring?: string;
  readonly eniCount: number;
  /** Carries `eks:cluster-name` = the cluster. */
  readonly eksTag: boolean;
  /** Carries the tag key `kubernetes.io/cluster/<cluster>`. */
  readonly k8sTag: boolean;
}

/** A series as ListMetrics listed it. */
export interface ListedSeries {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** What the small GetMetricData over the last minutes found for one node (null: no datapoint; absent: not asked). */
export interface NodeProbe {
  /** Epoch seconds of the newest Container Insights node_network_total_bytes datapoint. */
  readonly containerInsightsLastSeconds?: number | null;
  /** The newest node_number_of_running_pods value. */
  readonly runningPods?: number | null;
  /** Epoch seconds of the newest datapoint of the node's probed agent series, in any unit. */
  readonly agentLastSeconds?: number | null;
  /** Whether that series had a datapoint when asked for Unit Bytes (false with agentLastSeconds set: another unit). */
  readonly agentBytesUnit?: boolean;
  /** The interface of the probed agent series. */
  readonly agentProbeInterface?: string;
}

export interface DoctorSettings {
  readonly sources: SourceSettings;
  readonly rules: readonly CompiledRule[];
  /** The node filter the reads used, as written (`tag:eks:cluster-name`). */
  readonly nodeFilter: string;
  readonly periodSeconds: number;
  readonly periodsPerRead: number;
  readonly scheduleMinutes: number;
  /** The profile the user means to deploy (`--source-profile`); absent: judge against the recommended one. */
  readonly intendedProfile?: SourceProfile;
}

export interface DoctorObservations {
  readonly cluster: string;
  readonly region: string;
  readonly nowSeconds: number;
  /** Instances the node filter matches. */
  readonly nodes: readonly DoctorInstance[];
  /** Instances a cluster tag convention matches that the node filter does not. */
  readonly otherConvention: readonly DoctorInstance[];
  /** Container Insights node_network_total_bytes series listed with this cluster's ClusterName. */
  readonly containerInsightsSeries: readonly ListedSeries[];
  /** Every agent rx/tx series in the agent namespace, whatever its dimensions (all clusters of the account). */
  readonly agentSeries: readonly ListedSeries[];
  readonly probes: ReadonlyMap<string, NodeProbe>;
  readonly settings: DoctorSettings;
}

export const CHECK_CODES = [
  'nodes-found',
  'nodes-other-tag',
  'ec2-monitoring',
  'container-insights-missing',
  'container-insights-stale',
  'agent-missing',
  'agent-no-instance-id',
  'agent-extra-dimensions',
  'agent-pod-netns',
  'agent-stale',
  'agent-unclassified-interfaces',
  'agent-units',
  // What a reconcile of the last hour says (checks/last-hour.ts): the magnitudes, not the names.
  'reconcile-ec2-mismatch',
  'reconcile-residual',
  'reconcile-incomplete',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];
export type Severity = 'pass' | 'warn' | 'fail';

export interface CheckFix {
  readonly text: string;
  readonly cdkFlags?: string;
  readonly command?: string;
  readonly agentConfig?: Record<string, unknown>;
}

export interface Check {
  readonly code: CheckCode;
  readonly severity: Severity;
  readonly summary: string;
  readonly instanceIds: string[];
  readonly fix?: CheckFix;
}

export interface ProfileCost {
  readonly sourceProfile: SourceProfile;
  readonly netreconUsdPerMonth: number;
  readonly agentUsdPerMonth: number;
  readonly totalUsdPerMonth: number;
  /** Some agent series are what the profile would publish, not what the nodes publish now. */
  readonly estimated: boolean;
  /** Only on the rows doctor adds with a PromQL source: the per-interface counters are node_exporter's, read through PromQL. */
  readonly counters?: 'promql';
  /** The PromQL reads' own charge, included in netreconUsdPerMonth (docs/doctor.md, "Costs with a PromQL source"). */
  readonly promqlReadsUsdPerMonth?: number;
}

/**
 * What `doctor --promql-url` found, as far as costs and the recommendation need it (lambda/sources/promql/detect.ts
 * fills it): which kind of API, how many receive series (node_exporter has as many transmit ones), how the inventory
 * nodes resolve under `mixed` from their node_exporter devices (a node without series: agentless), and whether the
 * series carry every configured label.
 */
export interface PromqlCoverage {
  readonly kind: 'prometheus' | 'amp' | 'cloudwatch';
  readonly receiveSeries: number;
  readonly nodeProfiles: ReadonlyMap<string, NodeProfile>;
  readonly labelsMissing: readonly string[];
  readonly scrapeIntervalSeconds: number;
}

/** Doctor's advice with a PromQL source whose series cover every node (the JSON's `promqlRecommendation`). */
export interface PromqlRecommendation {
  readonly sourceProfile: SourceProfile;
  /** The agent's `net_bytes_*` series this cluster pays now and would not need: USD a month. */
  readonly agentUsdPerMonthSaved: number;
  readonly reason: string;
}

/** What the reconcile of the last hour found (the JSON's `lastHour`): the run a deploy's first reads would be. */
export interface LastHourSummary {
  /** The profile it was reconciled with: the judged one (`--source-profile`, else the recommended one). */
  readonly sourceProfile: SourceProfile;
  /** The whole periods reconciled, [start, end), ISO 8601. */
  readonly window: { readonly start: string; readonly end: string };
  readonly nodePeriods: number;
  readonly nodePeriodsByStatus: Readonly<Record<NodeStatus, number>>;
  readonly seriesSkipped: number;
  readonly nodesSkipped: number;
  /** Every node-period ok and nothing skipped: `netrecon reconcile --dry-run` of that window would exit 0. */
  readonly ok: boolean;
}

export interface DoctorReport {
  readonly cluster: string;
  readonly region: string;
  readonly ready: boolean;
  readonly recommendedProfile: SourceProfile;
  readonly nodes: { readonly count: number; readonly tag: string };
  /** Null when nothing was reconciled (no node found, or no closed period). */
  readonly lastHour: LastHourSummary | null;
  readonly checks: Check[];
  readonly costs: ProfileCost[];
  /** Only with a PromQL source whose series cover every node with the configured labels. */
  readonly promqlRecommendation?: PromqlRecommendation;
}
