/**
 * The Lambda's configuration: its environment read once into one checked object by the resolver every edge shares
 * (lambda/settings.ts), and a middy middleware that fails each invocation with the configuration error until the
 * environment is fixed. A missing required variable says "is required"; a bad one names the variable, the value as
 * written and what is allowed.
 */
import { promqlHandle } from './sources/promql/handle';
import { promqlSourceOf } from './sources/promql/settings';
import type { PromqlSourceHandle } from './sources/promql/source';
import type middy from '@middy/core';
import { parseNodeFilter, type NodeFilter } from './aws/inventory';
import type { ScheduleSettings } from './plan/pending-periods';
import type { SourceSettings } from './plan/sources';
import type { ReconcileConfig } from './core/config';
import type { SourceProfile } from './core/source-profile';
import type { SourceRoleSettings } from './aws/source-accounts';
import { parseClusterTag, type AUTO_CLUSTERS, type ClusterTag } from './plan/cluster-selection';
import { ConfigError, RUN_SETTINGS, resolveRunSettings, runSettingOf, type RunSettingKey, type RunSettingSpec, type RunSettingsInput } from './settings';

export interface HandlerConfig {
  /** The clusters named, or `auto`: listed at the start of every run (runner.ts). */
  readonly clusters: readonly string[] | typeof AUTO_CLUSTERS;
  /** With `auto`: keep only the clusters with this tag; null keeps every cluster listed. */
  readonly clusterTag: ClusterTag | null;
  readonly sourceProfiles: Readonly<Record<string, SourceProfile>>;
  readonly schedule: ScheduleSettings;
  readonly outputNamespace: string;
  readonly perNodeMetrics: boolean;
  readonly nodeFilter: NodeFilter;
  readonly sources: SourceSettings;
  readonly reconcile: ReconcileConfig;
  /** How `ACCOUNT_ID/CLUSTER` targets are reached (docs/central.md). */
  readonly sourceRole: SourceRoleSettings;
  /** Share of the GetMetricData datapoints-per-second quota the reads pace to (lambda/read-budget.ts). */
  readonly readQuotaShare: number;
  /** The ledger store's DynamoDB table; '' for none (CloudWatch's ledger only). */
  readonly ledgerTable: string;
  /** Per-interface counters from a PromQL API instead of the CloudWatch agent (docs/sources.md). */
  readonly promql?: PromqlSourceHandle;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A variable that was read under its earlier name. */
export interface DeprecatedVariable {
  readonly variable: string;
  readonly insteadOf: string;
}

/** Each setting's variable (or an earlier name of it) and its text, converted for the check; unset or empty is the default. */
function readVariables(env: Env, deprecated: DeprecatedVariable[]): { input: RunSettingsInput; raw: Map<string, { variable: string; text: string }> } {
  const input: Record<string, unknown> = {};
  const raw = new Map<string, { variable: string; text: string }>();
  for (const [key, spec] of Object.entries(RUN_SETTINGS) as [RunSettingKey, RunSettingSpec][]) {
    const names = [spec.env, ...(spec.envAliases ?? [])];
    const variable = names.find((name) => env[name] !== undefined && env[name] !== '');
    if (variable === undefined) continue;
    const text = env[variable]!;
    if (variable !== spec.env) deprecated.push({ variable, insteadOf: spec.env });
    raw.set(key, { variable, text });
    try {
      input[key] = spec.fromText(text);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(variable, text, error.hint, { cause: error });
      throw error;
    }
  }
  return { input, raw };
}

/** Reads and checks the environment; throws ConfigError naming the variable. */
export function parseHandlerConfig(env: Env, deprecated: DeprecatedVariable[] = []): HandlerConfig {
  const { input, raw } = readVariables(env, deprecated);
  let run;
  try {
    run = resolveRunSettings(input);
  } catch (error) {
    const spec = error instanceof ConfigError ? runSettingOf(error) : undefined;
    if (!(error instanceof ConfigError) || spec === undefined) throw error;
    const given = raw.get(spec.key as RunSettingKey);
    // A nested setting (thresholds.ec2MismatchRatio) keeps its own words inside the variable's.
    const hint = error.setting === spec.key ? error.hint : error.message;
    // Not set: the default failed against another setting, so quote the default.
    throw new ConfigError(given?.variable ?? spec.env, given ? given.text : error.value, hint, { cause: error });
  }
  return {
    clusters: run.clusters,
    clusterTag: parseClusterTag(run.clusterTag),
    sourceProfiles: run.sourceProfile,
    schedule: {
      periodSeconds: run.periodSeconds,
      lagSeconds: run.lagSeconds,
      backfillSeconds: run.backfillSeconds,
      maxPeriodsPerRun: run.maxPeriodsPerRun,
      periodsPerRead: run.periodsPerRead,
    },
    outputNamespace: run.outputNamespace,
    perNodeMetrics: run.perNodeMetrics,
    nodeFilter: parseNodeFilter(run.nodeFilter),
    sources: run.sources,
    ...promqlOf(run, env),
    sourceRole: { roleName: run.sourceRoleName, ...(run.sourceExternalId === undefined ? {} : { externalId: run.sourceExternalId }) },
    readQuotaShare: run.readQuotaShare,
    ledgerTable: run.ledgerTable,
  };
}

/** The PromQL source's handle (signed with the function's own credentials), and the core told not to expect Container Insights. */
function promqlOf(run: ReturnType<typeof resolveRunSettings>, env: Env): { reconcile: ReconcileConfig; promql?: PromqlSourceHandle } {
  const source = promqlSourceOf(run, env.AWS_REGION);
  if (source === undefined) return { reconcile: run.reconcile };
  // The function publishes no per-pod figure, so it does not read cAdvisor's series.
  return { reconcile: { ...run.reconcile, containerInsightsExpected: false }, promql: promqlHandle({ ...source, pods: false }) };
}

export interface ConfigLogger {
  error(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

/**
 * Reads the environment on the first invocation and remembers the outcome: a good configuration is handed to
 * `config()`, a bad one is logged once and thrown from `before` on every invocation, so the Errors metric and
 * the failure destination see it and the message names the variable to fix.
 */
export function configFromEnvironment(env: Env, logger: ConfigLogger) {
  let outcome: HandlerConfig | Error | undefined;
  const load = (): HandlerConfig => {
    if (outcome === undefined) {
      const deprecated: DeprecatedVariable[] = [];
      try {
        outcome = parseHandlerConfig(env, deprecated);
      } catch (error) {
        outcome = error instanceof Error ? error : new Error(String(error));
        logger.error('configuration error', { error: outcome.message });
      }
      for (const d of deprecated) logger.warn('deprecated environment variable', { variable: d.variable, use: d.insteadOf });
    }
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  const middleware: middy.MiddlewareObj = {
    before: () => {
      load();
    },
  };
  return { middleware, config: load };
}
