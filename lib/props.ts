/**
 * The NetworkReconciler's props, their defaults, and their validation. Everything is checked here, at synth
 * time, before any resource (or esbuild run) is created, and every error names the prop, the bad value and what
 * is allowed. The resolved `ReconcilerSettings` is the one object the function, schedule, alarms and dashboard
 * read.
 */
import { Duration } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigError, DEFAULT_PERIOD_SECONDS, makeReconcileConfig, parseThresholds, type Thresholds } from '../lambda/core/config';
import { InterfaceRuleError, parseRuleOverrides, type InterfaceRuleOverrides } from '../lambda/core/interface-rules';
import { DEFAULT_OUTPUT_NAMESPACE } from '../lambda/output-metrics';
import { HandlerConfigError, parseHandlerConfig } from '../lambda/handler-config';
import { ENV, RUN_DEFAULTS, SOURCE_DEFAULTS } from '../lambda/runtime-config';
import { reconcilerEnvironment } from './environment';
import { alarmWindows, type AlarmWindows } from './alarm-windows';
import { NetReconPropsError } from './errors';


/** Where netrecon reads the three views of a node's traffic. Defaults are what AWS and the CloudWatch agent publish. */
export interface SourceNames {
  /** @default 'AWS/EC2' */
  readonly ec2Namespace?: string;
  /** @default 'NetworkIn' */
  readonly ec2InMetric?: string;
  /** @default 'NetworkOut' */
  readonly ec2OutMetric?: string;
  /** @default 'ContainerInsights' */
  readonly containerInsightsNamespace?: string;
  /** A Bytes/Second rate summed over the node's interfaces. @default 'node_network_total_bytes' */
  readonly containerInsightsMetric?: string;
  /** The namespace of the per-interface agent counters. @default 'CWAgent' */
  readonly agentNamespace?: string;
  /** @default 'net_bytes_recv' */
  readonly agentRxMetric?: string;
  /** @default 'net_bytes_sent' */
  readonly agentTxMetric?: string;
  /** @default 'interface' */
  readonly agentInterfaceDimension?: string;
  /** The dimension `append_dimensions` adds to the agent's metrics. @default 'InstanceId' */
  readonly agentInstanceDimension?: string;
}

export interface NetworkReconcilerProps {
  /** EKS cluster names. One run reconciles them all, one after the other (at most 50: one dashboard holds 500 widgets). */
  readonly clusters: readonly string[];
  /** How often the reconciler runs: whole minutes, at most 8 hours (the heartbeat alarm waits the timeout plus two runs, within CloudWatch's one-day window). @default Duration.minutes(5) */
  readonly scheduleInterval?: Duration;
  /** Reconciliation period in seconds, a multiple of 60. @default 300 (EC2 basic monitoring's period) */
  readonly periodSeconds?: number;
  /** Only periods that closed at least this long ago are read, so late datapoints are in. @default 600 */
  readonly lagSeconds?: number;
  /** How far back a run looks for periods it has not emitted yet (at most 14 days: PutMetricData's limit). @default 86400 */
  readonly backfillSeconds?: number;
  /** At most this many periods per cluster and run; the rest wait for the next run. @default 288 */
  readonly maxPeriodsPerRun?: number;
  /**
   * How many closed periods the reconciler lets pile up before it reads them in one GetMetricData window: a
   * window of 12 periods costs what one costs (NETRECON_MIN_PENDING_PERIODS). The alarms' tolerance for late data
   * follows it.
   * @default 12
   */
  readonly periodsPerRead?: number;
  /** Also publish per-node metrics (each one is a paid custom metric) and the worst-nodes widget. @default false */
  readonly perNodeMetrics?: boolean;
  /** How nodes are found: `tag:eks:cluster-name` or `tag-key:kubernetes.io/cluster/{cluster}`. @default 'tag:eks:cluster-name' */
  readonly nodeFilter?: string;
  /** Where netrecon publishes; the function may put metrics in this namespace only. @default 'NetRecon' */
  readonly outputNamespace?: string;
  /** Namespaces, metric and dimension names of the three sources. @default - the AWS and CloudWatch agent defaults */
  readonly sources?: SourceNames;
  /** Reconciliation thresholds (lambda/core/config.ts); the alarms use the same numbers. @default DEFAULT_THRESHOLDS */
  readonly thresholds?: Partial<Thresholds>;
  /** Interface classification overrides, validated now with the same code the function runs. @default - none */
  readonly interfaceRules?: InterfaceRuleOverrides;
  /** The coverage alarm fires below this percentage of nodes with agent data. @default 100 */
  readonly minAgentCoveragePercent?: number;
  /**
   * Alarm on the Container Insights residual. Turn it off when the agent collects ENIs only (`resources`
   * `["eth*", "ens*"]`, the cheap choice): Container Insights' pod-veth bytes are then unexplained by design.
   * @default true
   */
  readonly residualAlarm?: boolean;
  /** The data alarms fire when this many periods breach ("M" of M-of-N; N is derived from the data's lateness). @default 3 */
  readonly alarmDatapoints?: number;
  /** An existing topic for the per-cluster composite alarms. Give this or `alarmEmail`, not both. @default - none */
  readonly alarmTopic?: sns.ITopic;
  /** Creates a topic with this email subscribed (confirm the email AWS sends). @default - none */
  readonly alarmEmail?: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Function memory in MB. The default leaves 2x headroom over the run's target peak of 1 GiB at 100,000 nodes
   * with 4 agent interfaces each (the benchmark in docs/aws.md) and gives more than one vCPU (1,769 MB is one).
   * @default 2048
   */
  readonly memorySize?: number;
  /**
   * Function timeout. At 100,000 nodes a run is bound by CloudWatch API quotas (GetMetricData at 50 calls/s:
   * 2,200 calls for one hourly read, 3,200 for a 24 h catch-up), about one to three minutes; a run cut short is
   * simply retried from the high-water mark, so a generous timeout costs nothing.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /** @default - generated by CloudFormation */
  readonly dashboardName?: string;
}

type Resolved<T> = { readonly [K in keyof T]-?: NonNullable<T[K]> };

/** The props with every default filled in and every value checked. */
export interface ReconcilerSettings {
  readonly clusters: readonly string[];
  readonly scheduleIntervalSeconds: number;
  readonly periodSeconds: number;
  readonly lagSeconds: number;
  readonly backfillSeconds: number;
  readonly maxPeriodsPerRun: number;
  readonly periodsPerRead: number;
  readonly perNodeMetrics: boolean;
  readonly nodeFilter: string;
  readonly outputNamespace: string;
  readonly sources: Resolved<SourceNames>;
  readonly thresholds: Thresholds;
  readonly interfaceRules: InterfaceRuleOverrides;
  readonly minAgentCoveragePercent: number;
  readonly residualAlarm: boolean;
  readonly alarmDatapoints: number;
  readonly alarmTopic: sns.ITopic | undefined;
  readonly alarmEmail: string | undefined;
  readonly logRetention: RetentionDays;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly dashboardName: string | undefined;
  readonly windows: AlarmWindows;
}

const MAX_CLUSTERS = 50;
/** PutMetricData accepts timestamps up to two weeks back. */
export const MAX_BACKFILL_SECONDS = 14 * 86_400;
/** EKS cluster names: 1-100 characters, a letter or digit first, then letters, digits, hyphens, underscores. */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** CloudWatch namespaces: 1-255 of these characters, and not the reserved `AWS/` prefix. */
const NAMESPACE = /^[A-Za-z0-9.\-_/#: ]{1,255}$/;

function integer(prop: string, value: number, min: number, max: number, hint = ''): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new NetReconPropsError(prop, value, `Use a whole number from ${min} to ${max}.${hint ? ` ${hint}` : ''}`);
  }
  return value;
}

function clusters(value: readonly string[] | undefined): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new NetReconPropsError('clusters', value, 'Give at least one EKS cluster name, e.g. -c clusters=prod-eu,prod-us.');
  }
  if (value.length > MAX_CLUSTERS) {
    throw new NetReconPropsError('clusters', value.length, `At most ${MAX_CLUSTERS} clusters per stack; split them across stacks.`);
  }
  for (const name of value) {
    if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) {
      throw new NetReconPropsError('clusters', name, 'An EKS cluster name is 1-100 letters, digits, hyphens or underscores, starting with a letter or digit.');
    }
  }
  const duplicate = value.find((name, i) => value.indexOf(name) !== i);
  if (duplicate !== undefined) throw new NetReconPropsError('clusters', duplicate, 'Each cluster may appear once.');
  return [...value];
}

function namespace(prop: string, value: string): string {
  if (typeof value !== 'string' || !NAMESPACE.test(value) || value.startsWith('AWS/')) {
    throw new NetReconPropsError(prop, value, 'A CloudWatch namespace is 1-255 letters, digits or . - _ / # : and space, and may not start with "AWS/".');
  }
  return value;
}

function nonEmpty(prop: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255) {
    throw new NetReconPropsError(prop, value, 'Use a non-empty name of at most 255 characters.');
  }
  return value;
}

/** An explicit `undefined` means "use the default", as it does for every other prop. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sources(value: SourceNames | undefined): Resolved<SourceNames> {
  const merged = { ...SOURCE_DEFAULTS, ...defined(value) };
  for (const [key, name] of Object.entries(merged)) nonEmpty(`sources.${key}`, name);
  return merged;
}

/** The core's own validation, so a value the function would refuse at cold start is refused at synth instead. */
function reconcileInputs(props: NetworkReconcilerProps, periodSeconds: number): Thresholds {
  try {
    // Context values arrive as untyped JSON: the same shape checks as the function's and the CLI's.
    const thresholds = parseThresholds(defined(props.thresholds));
    const ruleOverrides = props.interfaceRules === undefined ? undefined : parseRuleOverrides(props.interfaceRules);
    return makeReconcileConfig({ periodSeconds, thresholds, ...(ruleOverrides ? { ruleOverrides } : {}) }).thresholds;
  } catch (error) {
    if (error instanceof ConfigError) throw new NetReconPropsError(error.setting, error.value, error.hint, { cause: error });
    if (error instanceof InterfaceRuleError) throw new NetReconPropsError('interfaceRules', error.value, error.message, { cause: error });
    throw error;
  }
}

function durationSeconds(prop: string, value: Duration, minSeconds: number, maxSeconds: number, wholeMinutes: boolean): number {
  const seconds = value.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > maxSeconds || (wholeMinutes && seconds % 60 !== 0)) {
    const hint = wholeMinutes
      ? `Use whole minutes from ${minSeconds / 60} to ${maxSeconds / 60}.`
      : `Use whole seconds from ${minSeconds} to ${maxSeconds}.`;
    throw new NetReconPropsError(prop, value.toHumanString(), hint);
  }
  return seconds;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function resolveSettings(props: NetworkReconcilerProps): ReconcilerSettings {
  const clusterNames = clusters(props.clusters);
  const periodSeconds = props.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
  const thresholds = reconcileInputs(props, periodSeconds);
  const scheduleIntervalSeconds = durationSeconds('scheduleInterval', props.scheduleInterval ?? Duration.minutes(5), 60, 86_400, true);
  const lagSeconds = integer('lagSeconds', props.lagSeconds ?? RUN_DEFAULTS.lagSeconds, 0, 86_400);
  const backfillSeconds = integer(
    'backfillSeconds',
    props.backfillSeconds ?? RUN_DEFAULTS.backfillSeconds,
    periodSeconds,
    MAX_BACKFILL_SECONDS,
    'It must cover at least one period, and PutMetricData refuses timestamps older than two weeks.',
  );
  const maxPeriodsPerRun = integer('maxPeriodsPerRun', props.maxPeriodsPerRun ?? RUN_DEFAULTS.maxPeriodsPerRun, 1, 10_000);
  const periodsPerRead = integer('periodsPerRead', props.periodsPerRead ?? RUN_DEFAULTS.minPendingPeriods, 1, maxPeriodsPerRun, 'It cannot exceed maxPeriodsPerRun.');
  const outputNamespace = namespace('outputNamespace', props.outputNamespace ?? DEFAULT_OUTPUT_NAMESPACE);
  const sourceNames = sources(props.sources);
  const sourceNamespaces = [sourceNames.ec2Namespace, sourceNames.containerInsightsNamespace, sourceNames.agentNamespace];
  if (sourceNamespaces.includes(outputNamespace)) {
    throw new NetReconPropsError('outputNamespace', outputNamespace, 'It must differ from the source namespaces, or corrected metrics would mix with the data they correct.');
  }
  const nodeFilter = props.nodeFilter ?? RUN_DEFAULTS.nodeFilter;
  if (!/^(tag|tag-key):\S+$/.test(nodeFilter)) {
    throw new NetReconPropsError('nodeFilter', nodeFilter, 'Use tag:eks:cluster-name or tag-key:kubernetes.io/cluster/{cluster}.');
  }
  const minAgentCoveragePercent = props.minAgentCoveragePercent ?? 100;
  if (!Number.isFinite(minAgentCoveragePercent) || minAgentCoveragePercent <= 0 || minAgentCoveragePercent > 100) {
    throw new NetReconPropsError('minAgentCoveragePercent', minAgentCoveragePercent, 'Use a percentage above 0 and at most 100.');
  }
  const alarmDatapoints = integer('alarmDatapoints', props.alarmDatapoints ?? 3, 1, 100);
  if (props.alarmTopic && props.alarmEmail) {
    throw new NetReconPropsError('alarmEmail', props.alarmEmail, 'Give alarmTopic or alarmEmail, not both: subscribe the address to your topic yourself.');
  }
  if (props.alarmEmail !== undefined && !EMAIL.test(props.alarmEmail)) {
    throw new NetReconPropsError('alarmEmail', props.alarmEmail, 'Use one email address, e.g. oncall@example.com.');
  }
  const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
  if (!Object.values(RetentionDays).includes(logRetention)) {
    throw new NetReconPropsError('logRetention', logRetention, `Use one of ${Object.values(RetentionDays).filter((v) => typeof v === 'number').join(', ')} days.`);
  }
  const memorySize = integer('memorySize', props.memorySize ?? 2048, 128, 10_240, 'Lambda allows 128 to 10,240 MB.');
  const timeoutSeconds = durationSeconds('timeout', props.timeout ?? Duration.minutes(15), 1, 900, false);
  if (props.dashboardName !== undefined && !/^[A-Za-z0-9_-]{1,255}$/.test(props.dashboardName)) {
    throw new NetReconPropsError('dashboardName', props.dashboardName, 'Use 1-255 letters, digits, hyphens or underscores.');
  }
  const windows = alarmWindows({ periodSeconds, lagSeconds, periodsPerRead, scheduleIntervalSeconds, timeoutSeconds, alarmDatapoints });
  const settings: ReconcilerSettings = {
    clusters: clusterNames,
    scheduleIntervalSeconds,
    periodSeconds,
    lagSeconds,
    backfillSeconds,
    maxPeriodsPerRun,
    periodsPerRead,
    perNodeMetrics: props.perNodeMetrics ?? false,
    nodeFilter,
    outputNamespace,
    sources: sourceNames,
    thresholds,
    interfaceRules: props.interfaceRules ?? {},
    minAgentCoveragePercent,
    residualAlarm: props.residualAlarm ?? true,
    alarmDatapoints,
    alarmTopic: props.alarmTopic,
    alarmEmail: props.alarmEmail,
    logRetention,
    memorySize,
    timeoutSeconds,
    dashboardName: props.dashboardName,
    windows,
  };
  acceptedByTheFunction(settings);
  return settings;
}

/** The prop behind each environment variable, to name it when the function's own check refuses a value. */
const PROP_OF_VARIABLE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ENV).map(([key, variable]) => [
    variable,
    key in SOURCE_DEFAULTS ? `sources.${key}` : key === 'minPendingPeriods' ? 'periodsPerRead' : key,
  ]),
);

/**
 * Runs the environment the function will get through the function's own cold-start check, so that a value it
 * would refuse on every invocation stops `cdk synth` instead of a deployed reconciler.
 */
function acceptedByTheFunction(settings: ReconcilerSettings): void {
  try {
    parseHandlerConfig(reconcilerEnvironment(settings));
  } catch (error) {
    if (!(error instanceof HandlerConfigError)) throw error;
    throw new NetReconPropsError(PROP_OF_VARIABLE[error.variable] ?? error.variable, error.value, error.hint, { cause: error });
  }
}
