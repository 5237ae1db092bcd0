/**
 * Every netrecon setting, defined once: its name (the CDK prop and context key), the function's environment
 * variable, the CLI flag, the default, the check and a one-line doc. The construct (lib/props.ts), the handler
 * (lambda/handler-config.ts, after reading its environment) and the live CLI (lambda/cli/commands/live.ts) all
 * call `resolveRunSettings`, so they accept and refuse the same values with the same words; each edge only says
 * where the value came from (a prop, a variable, a flag). docs/deploy.md's settings table is rendered from this
 * table and the construct-only settings of lib/deploy-settings.ts (scripts/settings-table.ts); a test keeps them
 * equal.
 *
 * A check receives the value as the user gave it (a CDK user's 5000 stays the number 5000; an environment
 * variable arrives as text and is converted by `fromText` first) and throws ConfigError naming the setting.
 */
import { ConfigError, DEFAULT_PERIOD_SECONDS, DEFAULT_THRESHOLDS, makeReconcileConfig, parseThresholds, type ReconcileConfig, type Thresholds } from './core/config';
import { InterfaceRuleError, parseRuleOverrides, type InterfaceRuleOverrides } from './core/interface-rules';
import { MAX_BACKFILL_SECONDS, MAX_PERIODS_PER_RUN } from './plan/limits';
import { NodeFilterError, parseNodeFilter } from './aws/inventory';
import { DEFAULT_SOURCE_SETTINGS, type SourceSettings } from './plan/sources';
import { DEFAULT_OUTPUT_NAMESPACE } from './output-metrics';
import { integerIn, isRecord, type SettingSpec } from './setting-spec';
import { DEFAULT_SOURCE_PROFILE, resolveSourceProfiles, type SourceProfile } from './core/source-profile';
import { parseClusterTarget } from './core/cluster-target';
import { AUTO_CLUSTERS, parseClusterTag } from './plan/cluster-selection';
import { InvalidValueError } from './core/errors';
import { PROMQL_SETTING_ROWS } from './sources/promql/setting-rows';
import type { PromqlLabels } from './sources/promql/settings';

export type { SettingSpec } from './setting-spec';
export { ConfigError } from './core/config';

/** What one run needs, checked: the settings the function, the CLI and the construct share. */
export interface RunSettings {
  /** The clusters named, or `auto`: every EKS cluster of the account and Region, listed at run time (lambda/aws/cluster-list.ts). */
  readonly clusters: readonly string[] | typeof AUTO_CLUSTERS;
  /** As written (`KEY=VALUE`, `KEY`, or '' for none); parse it with parseClusterTag. Only with `clusters` `auto`. */
  readonly clusterTag: string;
  /** Every cluster's source profile (docs/profiles.md); under `auto` the clusters named plus the default under `*` (profileOf). */
  readonly sourceProfile: Readonly<Record<string, SourceProfile>>;
  readonly periodSeconds: number;
  readonly lagSeconds: number;
  readonly backfillSeconds: number;
  readonly maxPeriodsPerRun: number;
  readonly periodsPerRead: number;
  readonly outputNamespace: string;
  readonly perNodeMetrics: boolean;
  /** As written (`tag:eks:cluster-name`); parse it with parseNodeFilter. */
  readonly nodeFilter: string;
  readonly sources: SourceSettings;
  /** Every threshold, defaults filled in. */
  readonly thresholds: Thresholds;
  readonly interfaceRules: InterfaceRuleOverrides;
  /** The role the central reconciler assumes in each source account (docs/central.md). */
  readonly sourceRoleName: string;
  /** The external id the source role's trust policy requires, if any. */
  readonly sourceExternalId?: string | undefined;
  /** Share (0, 1] of the account's GetMetricData datapoints-per-second quota the reads pace to. */
  readonly readQuotaShare: number;
  /** The DynamoDB table of the ledger store (lease and put records, docs/aws.md "Exactly once"); '' for none. */
  readonly ledgerTable: string;
  /** The PromQL source (docs/sources.md): its API, or none (the CloudWatch agent's counters). */
  readonly promqlUrl?: string | undefined;
  readonly promqlKind?: 'prometheus' | 'amp' | 'cloudwatch' | undefined;
  readonly promqlLabels?: Partial<PromqlLabels> | undefined;
  readonly promqlTemporality?: 'cumulative' | 'delta' | undefined;
  readonly promqlScrapeIntervalSeconds?: number | undefined;
  /** The core's configuration built from the above (rules compiled). */
  readonly reconcile: ReconcileConfig;
}

/** The run settings as given: every key optional but `clusters`, values not yet checked (JSON, props or parsed text). */
export type RunSettingsInput = { readonly [K in RunSettingKey]?: unknown };

/** At most 50 clusters per stack: one dashboard holds 500 widgets. */
export const MAX_CLUSTERS = 50;
/** CloudWatch namespaces: 1-255 of these characters, not starting with ":" nor the reserved "AWS/". */
const NAMESPACE = /^[A-Za-z0-9.\-_/#: ]{1,255}$/;
const MAX_NAME_LENGTH = 255;
/** DynamoDB table names: 3-255 of a-z, A-Z, 0-9, `_`, `-`, `.` (Amazon DynamoDB Developer Guide, naming rules). */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** The longest period a run takes: an hour. */
export const MAX_PERIOD_SECONDS = 3600;

/** The source-account role of contract C (docs/central.md). */
export const DEFAULT_SOURCE_ROLE_NAME = 'netrecon-source-reader';
/** IAM role names (IAM User Guide, "IAM object quotas" and CreateRole's RoleName pattern). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** AssumeRole's ExternalId: 2-1224 characters of [\w+=,.@:\/-]. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/**
 * Half the GetMetricData datapoints-per-second quota: the quota is the account's and Region's, and people's
 * dashboards (every widget refresh is a GetMetricData) and metric alarms read through it too; a reconciler that
 * takes it all makes their graphs fail with throttling while it runs.
 */
export const DEFAULT_READ_QUOTA_SHARE = 0.5;

/** A run setting always has its environment variable: the function reads nothing else. */
export type RunSettingSpec = SettingSpec<RunSettings> & { readonly env: string };

const text = (raw: string): unknown => raw.trim();
const number = (raw: string): unknown => (raw.trim() === '' ? raw : Number(raw));
const boolean = (raw: string): unknown => {
  const value = raw.trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : raw;
};
const jsonObject = (example: string) => (raw: string): unknown => {
  try {
    const value: unknown = JSON.parse(raw);
    if (isRecord(value)) return value;
  } catch {
    // Refused below, naming the variable.
  }
  throw new ConfigError('', raw, `It must be a JSON object, e.g. ${example}.`);
};

function clusters(value: unknown): readonly string[] | typeof AUTO_CLUSTERS {
  const hint = `Give one or more EKS cluster names, e.g. prod-eu,prod-us, or ${AUTO_CLUSTERS} for every cluster of the account and Region.`;
  if (value === undefined) throw new ConfigError('clusters', undefined, hint);
  if (value === AUTO_CLUSTERS || (Array.isArray(value) && value.length === 1 && value[0] === AUTO_CLUSTERS)) return AUTO_CLUSTERS;
  if (Array.isArray(value) && value.includes(AUTO_CLUSTERS)) {
    throw new ConfigError('clusters', value, `${AUTO_CLUSTERS} asks for every cluster of the account and Region and stands alone; give it by itself, or name the clusters (a cluster called ${AUTO_CLUSTERS} is found by discovery).`);
  }
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError('clusters', value, hint);
  if (value.length > MAX_CLUSTERS) throw new ConfigError('clusters', value.length, `At most ${MAX_CLUSTERS} clusters per stack; split them across stacks.`);
  for (const name of value) {
    if (typeof name !== 'string' || parseClusterTarget(name) === null) {
      throw new ConfigError(
        'clusters',
        name,
        `${JSON.stringify(name)} is not an EKS cluster name: 1-100 letters, digits, hyphens or underscores, starting with a letter or digit; a cluster of another account (central reconciler) is written ACCOUNT_ID/CLUSTER, e.g. 111122223333/prod.`,
      );
    }
  }
  const twice = value.find((name, i) => value.indexOf(name) !== i);
  if (twice !== undefined) throw new ConfigError('clusters', twice, `${JSON.stringify(twice)} is listed twice; each cluster is reconciled once per run.`);
  return [...(value as string[])];
}

function sourceName(key: keyof SourceSettings) {
  return (value: unknown): string => {
    if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NAME_LENGTH) {
      throw new ConfigError(key, value, `Use a non-empty name of at most ${MAX_NAME_LENGTH} characters (default ${DEFAULT_SOURCE_SETTINGS[key]}).`);
    }
    return value;
  };
}

const SOURCE_DOCS: Record<keyof SourceSettings, [env: string, doc: string]> = {
  ec2Namespace: ['NETRECON_EC2_NAMESPACE', 'Namespace of the EC2 metrics.'],
  ec2InMetric: ['NETRECON_EC2_IN_METRIC', 'EC2 bytes received, counted at the ENIs.'],
  ec2OutMetric: ['NETRECON_EC2_OUT_METRIC', 'EC2 bytes sent.'],
  containerInsightsNamespace: ['NETRECON_CI_NAMESPACE', 'Namespace of Container Insights.'],
  containerInsightsMetric: ['NETRECON_CI_METRIC', "Container Insights' node traffic, a Bytes/Second rate summed over the node's interfaces."],
  agentNamespace: ['NETRECON_AGENT_NAMESPACE', "Namespace of the CloudWatch agent's per-interface counters."],
  agentRxMetric: ['NETRECON_AGENT_RX_METRIC', 'Agent bytes received per interface.'],
  agentTxMetric: ['NETRECON_AGENT_TX_METRIC', 'Agent bytes sent per interface.'],
  agentInterfaceDimension: ['NETRECON_AGENT_INTERFACE_DIMENSION', "The agent's interface-name dimension."],
  agentInstanceDimension: ['NETRECON_AGENT_INSTANCE_DIMENSION', "The dimension the agent's append_dimensions adds (the node's instance id)."],
};

const SOURCE_SETTINGS = Object.fromEntries(
  (Object.keys(DEFAULT_SOURCE_SETTINGS) as (keyof SourceSettings)[]).map((key) => {
    const [env, doc] = SOURCE_DOCS[key];
    const spec: RunSettingSpec = { key, env, default: DEFAULT_SOURCE_SETTINGS[key], doc, fromText: text, check: sourceName(key), group: 'sources' };
    return [key, spec];
  }),
) as Record<keyof SourceSettings, RunSettingSpec>;

/**
 * The settings of a run. Checks that depend on other settings receive those already resolved (the resolver
 * follows this order).
 */
export const RUN_SETTINGS = {
  clusters: {
    key: 'clusters',
    env: 'NETRECON_CLUSTERS',
    flag: 'cluster',
    default: undefined,
    doc: `EKS cluster names, comma-separated (at most ${MAX_CLUSTERS}), or \`${AUTO_CLUSTERS}\`: every EKS cluster of the function's account and Region, listed each run (eks:ListClusters; no per-cluster alarms or dashboard sections then, see docs/aws.md). One run reconciles them all, one after the other. A cluster of another account is written \`ACCOUNT_ID/CLUSTER\` (the central reconciler, docs/central.md).`,
    fromText: (raw) => raw.split(',').map((name) => name.trim()),
    check: clusters,
  },
  clusterTag: {
    key: 'clusterTag',
    env: 'NETRECON_CLUSTER_TAG',
    flag: 'cluster-tag',
    default: '',
    defaultDoc: 'none',
    doc: `With \`clusters\` \`${AUTO_CLUSTERS}\` only: keep the clusters whose tag \`KEY=VALUE\` matches (or that have the tag \`KEY\`), read with eks:DescribeCluster.`,
    fromText: text,
    check: (value, s) => {
      if (typeof value !== 'string') throw new ConfigError('clusterTag', value, 'Write KEY=VALUE or KEY, e.g. netrecon=enabled.');
      try {
        parseClusterTag(value);
      } catch (error) {
        if (error instanceof InvalidValueError) throw new ConfigError('clusterTag', value, error.hint);
        throw error;
      }
      if (value.trim() !== '' && s.clusters !== AUTO_CLUSTERS) {
        throw new ConfigError('clusterTag', value, `It narrows the clusters discovery finds, so it needs clusters=${AUTO_CLUSTERS}; with named clusters, leave it unset.`);
      }
      return value.trim();
    },
  },
  sourceProfile: {
    key: 'sourceProfile',
    env: 'NETRECON_SOURCE_PROFILE',
    flag: 'source-profile',
    default: DEFAULT_SOURCE_PROFILE,
    doc:
      'Which sources each cluster is reconciled with: `agentless` (EC2 and Container Insights), `enis` (the agent collects the ENIs), `full` (every interface) or `mixed` (per node, what it has; no coverage alarm). One profile for all clusters (`agentless`), or `cluster:profile` pairs with an optional bare default (`full,dev:agentless`); in cdk.json also an object (`{"prod": "full", "*": "mixed"}`). See docs/profiles.md.',
    // Text as given (a flag, -c, the variable); the object form of cdk.json and of the variable the construct writes.
    fromText: (raw) => {
      const trimmed = raw.trim();
      if (!trimmed.startsWith('{')) return trimmed;
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        return trimmed;
      }
    },
    check: (value, s) => resolveSourceProfiles(value, s.clusters === AUTO_CLUSTERS ? 'any' : (s.clusters ?? [])),
  },
  periodSeconds: {
    key: 'periodSeconds',
    env: 'NETRECON_PERIOD_SECONDS',
    flag: 'period',
    default: DEFAULT_PERIOD_SECONDS,
    doc: "Reconciliation period, a multiple of 60 (300 is EC2 basic monitoring's period).",
    fromText: number,
    check: (value) => {
      const seconds = integerIn('periodSeconds', value, 60, MAX_PERIOD_SECONDS, 'seconds', DEFAULT_PERIOD_SECONDS);
      if (seconds % 60 !== 0) throw new ConfigError('periodSeconds', value, `Use a multiple of 60 seconds from 60 to ${MAX_PERIOD_SECONDS} (default ${DEFAULT_PERIOD_SECONDS}).`);
      return seconds;
    },
  },
  lagSeconds: {
    key: 'lagSeconds',
    env: 'NETRECON_LAG_SECONDS',
    default: 600,
    doc: 'Only periods that closed at least this long ago are read, so late datapoints are in.',
    fromText: number,
    check: (value) => integerIn('lagSeconds', value, 0, 86_400, 'seconds', 600),
  },
  backfillSeconds: {
    key: 'backfillSeconds',
    env: 'NETRECON_BACKFILL_SECONDS',
    default: 86_400,
    doc: 'How far back a run looks for periods not published yet (at least one period, at most 14 days: what PutMetricData accepts).',
    fromText: number,
    check: (value, s) =>
      integerIn('backfillSeconds', value, s.periodSeconds ?? DEFAULT_PERIOD_SECONDS, MAX_BACKFILL_SECONDS, 'seconds', 86_400, 'It must cover at least one period, and PutMetricData refuses timestamps older than two weeks.'),
  },
  maxPeriodsPerRun: {
    key: 'maxPeriodsPerRun',
    env: 'NETRECON_MAX_PERIODS_PER_RUN',
    default: 288,
    doc: `Periods per cluster and run (at most ${MAX_PERIODS_PER_RUN}); the rest wait for the next run.`,
    fromText: number,
    check: (value) => integerIn('maxPeriodsPerRun', value, 1, MAX_PERIODS_PER_RUN, 'periods', 288),
  },
  periodsPerRead: {
    key: 'periodsPerRead',
    env: 'NETRECON_PERIODS_PER_READ',
    envAliases: ['NETRECON_MIN_PENDING_PERIODS'],
    default: 12,
    doc: 'A scheduled run reads metrics once this many closed periods are pending, all in one window (a window of 12 periods costs what one costs); the alarms\' tolerance for late data follows it.',
    fromText: number,
    check: (value, s) => {
      const perRun = s.maxPeriodsPerRun ?? 288;
      const inWindow = Math.floor((s.backfillSeconds ?? 86_400) / (s.periodSeconds ?? DEFAULT_PERIOD_SECONDS));
      const max = Math.min(perRun, inWindow);
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) {
        throw new ConfigError(
          'periodsPerRead',
          value,
          `Use a whole number of periods from 1 to ${max}: at most the periods per run (${perRun}) and the periods in the backfill window (${inWindow}); default 12.`,
        );
      }
      return value as number;
    },
  },
  ...SOURCE_SETTINGS,
  outputNamespace: {
    key: 'outputNamespace',
    env: 'NETRECON_OUTPUT_NAMESPACE',
    flag: 'namespace',
    default: DEFAULT_OUTPUT_NAMESPACE,
    doc: 'Where netrecon publishes; the function may publish nowhere else.',
    fromText: text,
    check: (value, s) => {
      if (typeof value !== 'string' || !NAMESPACE.test(value) || value.startsWith('AWS/') || value.startsWith(':')) {
        throw new ConfigError(
          'outputNamespace',
          value,
          `A CloudWatch namespace is 1-255 letters, digits or . - _ / # : and space, and may not start with "AWS/" or ":" (default ${DEFAULT_OUTPUT_NAMESPACE}).`,
        );
      }
      const sources = s.sources ?? DEFAULT_SOURCE_SETTINGS;
      if ([sources.ec2Namespace, sources.containerInsightsNamespace, sources.agentNamespace].includes(value)) {
        throw new ConfigError('outputNamespace', value, 'It must differ from the source namespaces, or corrected metrics would mix with the data they correct.');
      }
      return value;
    },
  },
  perNodeMetrics: {
    key: 'perNodeMetrics',
    env: 'NETRECON_PER_NODE_METRICS',
    flag: 'per-node-metrics',
    default: false,
    doc: 'Also publish per-node metrics (each one a paid custom metric) and draw the ten worst nodes.',
    fromText: boolean,
    check: (value) => {
      if (typeof value !== 'boolean') throw new ConfigError('perNodeMetrics', value, 'Use true or false (default false: per-node metrics are paid custom metrics).');
      return value;
    },
  },
  nodeFilter: {
    key: 'nodeFilter',
    env: 'NETRECON_NODE_FILTER',
    flag: 'node-filter',
    default: 'tag:eks:cluster-name',
    doc: 'How nodes are found: `tag:KEY` (the tag equals the cluster name) or `tag-key:KEY` (`{cluster}` replaced), e.g. `tag-key:kubernetes.io/cluster/{cluster}`.',
    fromText: text,
    check: (value) => {
      try {
        if (typeof value !== 'string') throw new NodeFilterError(String(value));
        parseNodeFilter(value);
      } catch (error) {
        if (error instanceof NodeFilterError) throw new ConfigError('nodeFilter', value, error.message);
        throw error;
      }
      return value;
    },
  },
  readQuotaShare: {
    key: 'readQuotaShare',
    env: 'NETRECON_READ_QUOTA_SHARE',
    default: DEFAULT_READ_QUOTA_SHARE,
    doc: "Share of the account's GetMetricData datapoints-per-second quota (per account and Region) netrecon's reads pace to, from 0.01 to 1: the quota is shared with every dashboard and alarm evaluation of the account, so the default leaves them half; a large catch-up then takes longer, never their data.",
    fromText: number,
    check: (value) => {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0.01 || value > 1) {
        throw new ConfigError('readQuotaShare', value, `Use a number from 0.01 to 1 (default ${DEFAULT_READ_QUOTA_SHARE}): the share of the GetMetricData datapoints-per-second quota netrecon may use.`);
      }
      return value;
    },
  },
  ledgerTable: {
    key: 'ledgerTable',
    env: 'NETRECON_LEDGER_TABLE',
    flag: 'ledger-table',
    default: '',
    defaultDoc: 'the stack\'s table (function); none (CLI)',
    doc: "The DynamoDB table of the exactly-once ledger: the publisher's lease on each cluster and a record of every put, written before it is sent, so two publishers at once or a retry that CloudWatch does not show yet cannot publish a period twice (docs/aws.md, \"Exactly once\"). The construct creates it and sets it; give the CLI the stack's `LedgerTableName` output when it publishes next to a deployed function.",
    fromText: text,
    check: (value) => {
      if (value === '' || value === undefined) return '';
      if (typeof value !== 'string' || !TABLE_NAME.test(value)) {
        throw new ConfigError('ledgerTable', value, 'A DynamoDB table name is 3-255 letters, digits, _ - or . (the stack output LedgerTableName).');
      }
      return value;
    },
  },
  thresholds: {
    key: 'thresholds',
    env: 'NETRECON_THRESHOLDS',
    flag: 'thresholds',
    default: DEFAULT_THRESHOLDS,
    defaultDoc: 'see `lambda/core/config.ts`',
    doc: 'JSON: any of `ec2MismatchRatio`, `ec2MismatchMinBytes`, `residualRatio`, `residualMinBytes`, `minSampleFraction`. The alarms use the same numbers.',
    fromText: jsonObject('{"ec2MismatchRatio": 0.1}'),
    check: (value) => makeReconcileConfig({ thresholds: parseThresholds(value) }).thresholds,
  },
  interfaceRules: {
    key: 'interfaceRules',
    env: 'NETRECON_INTERFACE_RULES',
    flag: 'rules',
    default: {},
    defaultDoc: 'none',
    doc: 'JSON (in CDK context also the path of a JSON file): `{ "prepend": [{ "pattern": "^…$", "interfaceClass": "podVeth", "note": "…" }], "vpcCniVethPrefix": "eni" }`.',
    fromText: jsonObject('{"prepend": [{"pattern": "^myif\\\\d+$", "interfaceClass": "physical", "note": "why"}], "vpcCniVethPrefix": "eni"}'),
    check: (value) => {
      try {
        const overrides = parseRuleOverrides(value);
        makeReconcileConfig({ ruleOverrides: overrides });
        return overrides;
      } catch (error) {
        if (error instanceof InterfaceRuleError) throw new ConfigError('interfaceRules', error.value, error.message);
        throw error;
      }
    },
  },
  sourceRoleName: {
    key: 'sourceRoleName',
    env: 'NETRECON_SOURCE_ROLE_NAME',
    default: DEFAULT_SOURCE_ROLE_NAME,
    doc: 'The role assumed in each source account of an `ACCOUNT_ID/CLUSTER` target to list its nodes (ec2:DescribeInstances only); docs/central.md.',
    fromText: text,
    check: (value) => {
      if (typeof value !== 'string' || !ROLE_NAME.test(value)) {
        throw new ConfigError('sourceRoleName', value, `An IAM role name is 1-64 letters, digits or + = , . @ _ - (default ${DEFAULT_SOURCE_ROLE_NAME}).`);
      }
      return value;
    },
  },
  sourceExternalId: {
    key: 'sourceExternalId',
    env: 'NETRECON_SOURCE_EXTERNAL_ID',
    default: undefined,
    defaultDoc: 'none',
    doc: "The external id the source role's trust policy requires (sts:ExternalId), when it is trusted by external id rather than by organization.",
    fromText: text,
    check: (value) => {
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || !EXTERNAL_ID.test(value)) {
        throw new ConfigError('sourceExternalId', value, 'An external id is 2-1224 letters, digits or + = , . @ : / _ -; leave it unset when the source role trusts the organization (aws:PrincipalOrgID).');
      }
      return value;
    },
  },
  ...PROMQL_SETTING_ROWS,
} satisfies Record<string, RunSettingSpec>;

export type RunSettingKey = keyof typeof RUN_SETTINGS;
const PROMQL_KEYS = Object.keys(PROMQL_SETTING_ROWS) as (keyof typeof PROMQL_SETTING_ROWS)[];
export const SOURCE_KEYS = Object.keys(SOURCE_SETTINGS) as (keyof SourceSettings)[];

/** The run setting a (possibly nested: `thresholds.ec2MismatchRatio`) ConfigError names. */
export function runSettingOf(error: ConfigError): RunSettingSpec | undefined {
  const key = error.setting.split('.')[0]!;
  return (Object.values(RUN_SETTINGS) as RunSettingSpec[]).find((s) => s.key === key);
}

/**
 * Checks the run settings and fills in the defaults: the one resolver of the construct, the handler and the CLI.
 * An explicit `undefined` means the default. Throws ConfigError naming the setting and the value as given.
 */
export function resolveRunSettings(input: RunSettingsInput): RunSettings {
  const resolved: Record<string, unknown> = {};
  const take = (key: RunSettingKey): unknown => {
    const spec: RunSettingSpec = RUN_SETTINGS[key];
    const value = input[key];
    // Defaults are checked too: a default can be out of range once another setting moved (periodsPerRead 12 in a
    // backfill window of 6 periods).
    resolved[key] = spec.check(value === undefined ? spec.default : value, resolved as Partial<RunSettings>);
    return resolved[key];
  };
  for (const key of ['clusters', 'clusterTag', 'sourceProfile', 'periodSeconds', 'lagSeconds', 'backfillSeconds', 'maxPeriodsPerRun', 'periodsPerRead'] as const) take(key);
  resolved.sources = Object.fromEntries(SOURCE_KEYS.map((key) => [key, take(key)]));
  for (const key of ['outputNamespace', 'perNodeMetrics', 'nodeFilter', 'readQuotaShare', 'ledgerTable', 'thresholds', 'interfaceRules', 'sourceRoleName', 'sourceExternalId', ...PROMQL_KEYS] as const) take(key);
  for (const key of SOURCE_KEYS) delete resolved[key];
  const run = resolved as unknown as Omit<RunSettings, 'reconcile'>;
  const reconcile = makeReconcileConfig({ periodSeconds: run.periodSeconds, thresholds: run.thresholds, ruleOverrides: run.interfaceRules });
  return { ...run, reconcile };
}
