/**
 * The NetworkReconciler's props and their resolution. Every value is checked at synth time, before any resource
 * (or esbuild run) is created, by the checks of the settings table (lambda/settings.ts for what the function
 * runs with, the same code its handler and the CLI call; lib/deploy-settings.ts for the rest), and every error
 * names the prop, the value as written and what is allowed. The resolved `ReconcilerSettings` is the one object
 * the function, schedule, alarms and dashboard read.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigError, type Thresholds } from '../lambda/core/config';
import type { InterfaceRuleOverrides } from '../lambda/core/interface-rules';
import type { SourceProfile } from '../lambda/core/source-profile';
import { resolveRunSettings, runSettingOf, SOURCE_KEYS, type RunSettings } from '../lambda/settings';
import { AUTO_CLUSTERS } from '../lambda/plan/cluster-selection';
import type { SettingSpec } from '../lambda/setting-spec';
import { DEPLOY_SETTINGS, type DeploySettingKey } from './deploy-settings';
import { alarmWindows, type AlarmWindows } from './alarm-windows';
import { NetReconPropsError } from './errors';


/** Where netrecon reads the three views of a node's traffic. Defaults are what AWS and the CloudWatch agent publish. */
export interface SourceNames {
  /** @default 'AWS/EC2' */
  readonly ec2Namespace?: string | undefined;
  /** @default 'NetworkIn' */
  readonly ec2InMetric?: string | undefined;
  /** @default 'NetworkOut' */
  readonly ec2OutMetric?: string | undefined;
  /** @default 'ContainerInsights' */
  readonly containerInsightsNamespace?: string | undefined;
  /** A Bytes/Second rate summed over the node's interfaces. @default 'node_network_total_bytes' */
  readonly containerInsightsMetric?: string | undefined;
  /** The namespace of the per-interface agent counters. @default 'CWAgent' */
  readonly agentNamespace?: string | undefined;
  /** @default 'net_bytes_recv' */
  readonly agentRxMetric?: string | undefined;
  /** @default 'net_bytes_sent' */
  readonly agentTxMetric?: string | undefined;
  /** @default 'interface' */
  readonly agentInterfaceDimension?: string | undefined;
  /** The dimension `append_dimensions` adds to the agent's metrics. @default 'InstanceId' */
  readonly agentInstanceDimension?: string | undefined;
}

export interface NetworkReconcilerProps {
  /**
   * EKS cluster names. One run reconciles them all, one after the other (at most 50: one dashboard holds 500 widgets).
   * Or `'auto'`: every EKS cluster of the stack's account and Region, listed by the function each run (one template
   * for a whole StackSet); there are no per-cluster alarms or dashboard sections then (docs/aws.md, "Clusters from discovery").
   */
  readonly clusters: readonly string[] | typeof AUTO_CLUSTERS;
  /** With `clusters: 'auto'` only: keep the clusters tagged `KEY=VALUE` (or carrying the tag `KEY`). @default - every cluster */
  readonly clusterTag?: string | undefined;
  /**
   * Which sources each cluster is reconciled with (docs/profiles.md): one profile for all clusters, an object
   * `{ cluster: profile, '*': default }`, or the text form `full,dev:agentless`. The alarms and the dashboard
   * follow it: no alarm nor widget for a figure the profile cannot compute.
   * @default 'mixed' (per node: the agent where it publishes, EC2 elsewhere; no coverage alarm)
   */
  readonly sourceProfile?: SourceProfile | Readonly<Record<string, SourceProfile>> | string | undefined;
  /** How often the reconciler runs, in whole minutes, at most 8 hours (the heartbeat alarm waits the timeout plus two runs, within CloudWatch's one-day window). @default 5 */
  readonly scheduleMinutes?: number | undefined;
  /** @deprecated Use `scheduleMinutes`. */
  readonly scheduleInterval?: Duration | undefined;
  /** Reconciliation period in seconds, a multiple of 60. @default 300 (EC2 basic monitoring's period) */
  readonly periodSeconds?: number | undefined;
  /** Only periods that closed at least this long ago are read, so late datapoints are in. @default 600 */
  readonly lagSeconds?: number | undefined;
  /** How far back a run looks for periods it has not emitted yet (at most 14 days: PutMetricData's limit). @default 86400 */
  readonly backfillSeconds?: number | undefined;
  /** At most this many periods per cluster and run; the rest wait for the next run. @default 288 */
  readonly maxPeriodsPerRun?: number | undefined;
  /**
   * How many closed periods the reconciler lets pile up before it reads them in one GetMetricData window: a
   * window of 12 periods costs what one costs (NETRECON_PERIODS_PER_READ). The alarms' tolerance for late data
   * follows it.
   * @default 12
   */
  readonly periodsPerRead?: number | undefined;
  /** Also publish per-node metrics (each one is a paid custom metric) and the worst-nodes widget. @default false */
  readonly perNodeMetrics?: boolean | undefined;
  /**
   * Share of the account's GetMetricData datapoints-per-second quota the reads pace to (NETRECON_READ_QUOTA_SHARE):
   * dashboards and alarms of the account read through the same quota.
   * @default 0.5
   */
  readonly readQuotaShare?: number | undefined;
  /** How nodes are found: `tag:eks:cluster-name` or `tag-key:kubernetes.io/cluster/{cluster}`. @default 'tag:eks:cluster-name' */
  readonly nodeFilter?: string | undefined;
  /** Where netrecon publishes; the function may put metrics in this namespace only. @default 'NetRecon' */
  readonly outputNamespace?: string | undefined;
  /** Namespaces, metric and dimension names of the three sources. @default - the AWS and CloudWatch agent defaults */
  readonly sources?: SourceNames | undefined;
  /** Reconciliation thresholds (lambda/core/config.ts); the alarms use the same numbers. @default DEFAULT_THRESHOLDS */
  readonly thresholds?: { readonly [K in keyof Thresholds]?: Thresholds[K] | undefined } | undefined;
  /** Interface classification overrides, validated now with the same code the function runs. @default - none */
  readonly interfaceRules?: InterfaceRuleOverrides | undefined;
  /** The coverage alarm fires below this percentage of the nodes that ran for the whole period having agent data. @default 100 */
  readonly minAgentCoveragePercent?: number | undefined;
  /**
   * Alarm on the Container Insights residual. Turn it off when the agent collects ENIs only (`resources`
   * `["eth*", "ens*"]`, the cheap choice): Container Insights' pod-veth bytes are then unexplained by design.
   * @default true
   */
  readonly residualAlarm?: boolean | undefined;
  /** The data alarms fire when this many periods breach ("M" of M-of-N; N is derived from the data's lateness). @default 3 */
  readonly alarmDatapoints?: number | undefined;
  /** An existing topic for the per-cluster composite alarms. Give this or `alarmEmail`, not both. @default - none */
  readonly alarmTopic?: sns.ITopic | undefined;
  /** Creates a topic with this email subscribed (confirm the email AWS sends). @default - none */
  readonly alarmEmail?: string | undefined;
  /** The function's log retention in days, a value CloudWatch Logs offers (RetentionDays). @default RetentionDays.ONE_MONTH */
  readonly logRetentionDays?: RetentionDays | number | undefined;
  /** @deprecated Use `logRetentionDays`. */
  readonly logRetention?: RetentionDays | undefined;
  /**
   * Function memory in MB. The default leaves 2x headroom over the run's target peak of 1 GiB at 100,000 nodes
   * with 4 agent interfaces each (the benchmark in docs/aws.md) and gives more than one vCPU (1,769 MB is one).
   * @default 2048
   */
  readonly memorySize?: number | undefined;
  /**
   * Function timeout in seconds. At 100,000 nodes a run is bound by CloudWatch API quotas (GetMetricData at 50 calls/s:
   * 2,200 calls for one hourly read, 3,200 for a 24 h catch-up), about one to three minutes; a run cut short is
   * simply retried from the high-water mark, so a generous timeout costs nothing.
   * @default 900
   */
  readonly timeoutSeconds?: number | undefined;
  /** @deprecated Use `timeoutSeconds`. */
  readonly timeout?: Duration | undefined;
  /** @default - generated by CloudFormation */
  readonly dashboardName?: string | undefined;
  /**
   * The role the function assumes in each source account of an `ACCOUNT_ID/CLUSTER` cluster target to list its
   * nodes (central reconciler, docs/central.md).
   * @default 'netrecon-source-reader'
   */
  readonly sourceRoleName?: string | undefined;
  /** The external id the source role's trust policy requires, when it trusts by external id. @default - none */
  readonly sourceExternalId?: string | undefined;
  /**
   * Read the per-interface counters (node_exporter) from this Prometheus-compatible query API instead of the
   * CloudWatch agent (docs/sources.md). An Amazon Managed Service for Prometheus workspace URL grants
   * `aps:QueryMetrics` on that workspace only.
   * @default - none: the CloudWatch agent's counters
   */
  readonly promqlUrl?: string | undefined;
  /** `prometheus`, `amp` or `cloudwatch`. @default - from promqlUrl's host */
  readonly promqlKind?: 'prometheus' | 'amp' | 'cloudwatch' | undefined;
  /** The label mapping, `KEY=VALUE,...` (docs/sources.md, "Labels"). @default - per kind */
  readonly promqlLabels?: string | undefined;
  /** @default 'cumulative' */
  readonly promqlTemporality?: 'cumulative' | 'delta' | undefined;
  /** @default 30 */
  readonly promqlScrapeIntervalSeconds?: number | undefined;
}

/** The props with every default filled in and every value checked. */
export interface ReconcilerSettings extends Omit<RunSettings, 'reconcile'> {
  readonly scheduleMinutes: number;
  readonly minAgentCoveragePercent: number;
  readonly residualAlarm: boolean;
  readonly alarmDatapoints: number;
  readonly alarmTopic: sns.ITopic | undefined;
  readonly alarmEmail: string | undefined;
  readonly logRetentionDays: RetentionDays;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly dashboardName: string | undefined;
  readonly windows: AlarmWindows;
  /** Deprecated props that were used, each with its replacement: the construct reports them as warnings. */
  readonly deprecatedProps: readonly { readonly prop: string; readonly use: string }[];
}

/** An explicit `undefined` means "use the default", as it does for every other prop. */
function defined<T extends object>(value: T | undefined): Partial<T> | undefined {
  return value === undefined ? undefined : (Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>);
}

/** The prop a setting is written as. */
function propOf(spec: SettingSpec<never>): string {
  return 'group' in spec && spec.group ? `${spec.group}.${spec.key}` : spec.key;
}

/** The run settings through the resolver the function and the CLI use; its errors name the prop and keep the value's type. */
function runSettings(props: NetworkReconcilerProps): RunSettings {
  const sources = defined(props.sources) ?? {};
  try {
    return resolveRunSettings({
      clusters: props.clusters,
      clusterTag: props.clusterTag,
      sourceProfile: props.sourceProfile,
      periodSeconds: props.periodSeconds,
      lagSeconds: props.lagSeconds,
      backfillSeconds: props.backfillSeconds,
      maxPeriodsPerRun: props.maxPeriodsPerRun,
      periodsPerRead: props.periodsPerRead,
      outputNamespace: props.outputNamespace,
      perNodeMetrics: props.perNodeMetrics,
      readQuotaShare: props.readQuotaShare,
      nodeFilter: props.nodeFilter,
      thresholds: defined(props.thresholds),
      interfaceRules: props.interfaceRules,
      sourceRoleName: props.sourceRoleName,
      sourceExternalId: props.sourceExternalId,
      promqlUrl: props.promqlUrl,
      promqlKind: props.promqlKind,
      promqlLabels: props.promqlLabels,
      promqlTemporality: props.promqlTemporality,
      promqlScrapeIntervalSeconds: props.promqlScrapeIntervalSeconds,
      ...Object.fromEntries(SOURCE_KEYS.map((key) => [key, sources[key]])),
    });
  } catch (error) {
    const spec = error instanceof ConfigError ? runSettingOf(error) : undefined;
    if (!(error instanceof ConfigError) || spec === undefined) throw error;
    // A nested setting's name (thresholds.ec2MismatchRatio) is already the prop's path.
    const prop = error.setting === spec.key ? propOf(spec) : error.setting;
    throw new NetReconPropsError(prop, error.value, error.hint, { cause: error });
  }
}

/** A deprecated Duration-typed prop, in the unit of the setting that replaces it, and how to show it in an error. */
const DURATION_ALIASES: Partial<Record<DeploySettingKey, (d: Duration) => number>> = {
  scheduleMinutes: (d) => d.toMilliseconds() / 60_000,
  timeoutSeconds: (d) => d.toMilliseconds() / 1000,
};

function deploySetting(props: NetworkReconcilerProps, key: DeploySettingKey, deprecated: { prop: string; use: string }[]): unknown {
  const spec: SettingSpec = DEPLOY_SETTINGS[key];
  const given = props as unknown as Record<string, unknown>;
  let prop = key as string;
  let value = given[key];
  let shown = value;
  for (const alias of 'propAliases' in spec ? (spec.propAliases ?? []) : []) {
    if (value !== undefined || given[alias] === undefined) continue;
    deprecated.push({ prop: alias, use: key });
    prop = alias;
    const toUnit = DURATION_ALIASES[key];
    const duration = given[alias] as Duration;
    [value, shown] = toUnit ? [toUnit(duration), duration.toHumanString()] : [given[alias], given[alias]];
  }
  try {
    return spec.check(value === undefined ? spec.default : value, {});
  } catch (error) {
    if (error instanceof ConfigError) throw new NetReconPropsError(prop, shown, error.hint, { cause: error });
    throw error;
  }
}

export function resolveSettings(props: NetworkReconcilerProps): ReconcilerSettings {
  const run = runSettings(props);
  const deprecatedProps: { prop: string; use: string }[] = [];
  const deploy = <T>(key: DeploySettingKey) => deploySetting(props, key, deprecatedProps) as T;
  const scheduleMinutes = deploy<number>('scheduleMinutes');
  const minAgentCoveragePercent = deploy<number>('minAgentCoveragePercent');
  const residualAlarm = deploy<boolean>('residualAlarm');
  const alarmDatapoints = deploy<number>('alarmDatapoints');
  if (props.alarmTopic && props.alarmEmail) {
    throw new NetReconPropsError('alarmEmail', props.alarmEmail, 'Give alarmTopic or alarmEmail, not both: subscribe the address to your topic yourself.');
  }
  const alarmEmail = deploy<string | undefined>('alarmEmail');
  const logRetentionDays = deploy<RetentionDays>('logRetentionDays');
  const memorySize = deploy<number>('memorySize');
  const timeoutSeconds = deploy<number>('timeoutSeconds');
  const dashboardName = deploy<string | undefined>('dashboardName');
  const windows = alarmWindows({
    periodSeconds: run.periodSeconds,
    lagSeconds: run.lagSeconds,
    periodsPerRead: run.periodsPerRead,
    scheduleMinutes,
    timeoutSeconds,
    alarmDatapoints,
  });
  const { reconcile: _reconcile, ...runProps } = run;
  return {
    ...runProps,
    scheduleMinutes,
    minAgentCoveragePercent,
    residualAlarm,
    alarmDatapoints,
    alarmTopic: props.alarmTopic,
    alarmEmail,
    logRetentionDays,
    memorySize,
    timeoutSeconds,
    dashboardName,
    windows,
    deprecatedProps,
  };
}


/** The clusters named at synth time, which get alarms and dashboard sections; none with `clusters=auto`. */
export function namedClusters(settings: Pick<ReconcilerSettings, 'clusters'>): readonly string[] {
  return settings.clusters === AUTO_CLUSTERS ? [] : settings.clusters;
}
