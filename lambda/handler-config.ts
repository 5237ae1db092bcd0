/**
 * The Lambda's configuration: read from the environment once, at cold start, into one validated object.
 * A missing required variable says "is required"; a bad one names the variable, the value and what is allowed.
 */
import { ConfigError, makeReconcileConfig, parseThresholds, type ReconcileConfig } from './core/config';
import { InterfaceRuleError, parseRuleOverrides } from './core/interface-rules';
import { MAX_BACKFILL_SECONDS, MAX_PERIODS_PER_RUN } from './aws/limits';
import { NodeFilterError, parseNodeFilter, type NodeFilter } from './aws/inventory';
import type { ScheduleSettings } from './aws/ledger';
import type { SourceSettings } from './aws/sources';
import { DEFAULT_OUTPUT_NAMESPACE } from './output-metrics';
import { ENV, RUN_DEFAULTS, SOURCE_DEFAULTS } from './runtime-config';

export class HandlerConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(value === undefined ? `${variable} is required. ${hint}` : `${variable} is invalid: ${JSON.stringify(value)}. ${hint}`, options);
    this.name = 'HandlerConfigError';
  }
}

export interface HandlerConfig {
  readonly clusters: readonly string[];
  readonly schedule: ScheduleSettings;
  readonly outputNamespace: string;
  readonly perNodeMetrics: boolean;
  readonly nodeFilter: NodeFilter;
  readonly sources: SourceSettings;
  readonly reconcile: ReconcileConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

/** EKS cluster names: 1-100 characters, a letter or digit first, then letters, digits, - and _. */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

function integer(env: Env, variable: string, fallback: number, min: number, max: number, what: string): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HandlerConfigError(variable, raw, `Use a whole number of ${what} from ${min} to ${max} (default ${fallback}).`);
  }
  return value;
}

function text(env: Env, variable: string, fallback: string): string {
  const raw = env[variable];
  if (raw === undefined) return fallback;
  if (raw.trim() === '') throw new HandlerConfigError(variable, raw, `Leave it unset for the default ${JSON.stringify(fallback)}, or give a name.`);
  return raw.trim();
}

function json(env: Env, variable: string, example: string): Record<string, unknown> | undefined {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (cause) {
    throw new HandlerConfigError(variable, raw, `It must be a JSON object, e.g. ${example}.`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HandlerConfigError(variable, raw, `It must be a JSON object, e.g. ${example}.`);
  }
  return value as Record<string, unknown>;
}

function clusters(env: Env): string[] {
  const raw = env[ENV.clusters];
  const hint = 'Give one or more EKS cluster names separated by commas, e.g. "prod-a,prod-b".';
  if (raw === undefined || raw.trim() === '') throw new HandlerConfigError(ENV.clusters, undefined, hint);
  const names = raw.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!CLUSTER_NAME.test(name)) {
      throw new HandlerConfigError(ENV.clusters, raw, `${JSON.stringify(name)} is not an EKS cluster name (letters, digits, - and _, 1-100 characters). ${hint}`);
    }
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new HandlerConfigError(ENV.clusters, raw, `${JSON.stringify(twice)} is listed twice; each cluster is reconciled once per run.`);
  return names;
}

/** A JSON variable checked by the core's parser, any error naming the variable. */
function checkedJson<T>(env: Env, variable: string, example: string, parse: (value: unknown) => T): T | undefined {
  const value = json(env, variable, example);
  if (!value) return undefined;
  try {
    return parse(value);
  } catch (cause) {
    if (cause instanceof ConfigError || cause instanceof InterfaceRuleError) throw new HandlerConfigError(variable, env[variable], cause.message, { cause });
    throw cause;
  }
}

export function parseHandlerConfig(env: Env): HandlerConfig {
  const names = clusters(env);
  const periodSeconds = integer(env, ENV.periodSeconds, 300, 60, 3600, 'seconds, a multiple of 60,');
  if (periodSeconds % 60 !== 0) throw new HandlerConfigError(ENV.periodSeconds, env[ENV.periodSeconds], 'Use a multiple of 60 seconds (default 300).');
  const lagSeconds = integer(env, ENV.lagSeconds, RUN_DEFAULTS.lagSeconds, 0, 86_400, 'seconds');
  const backfillSeconds = integer(env, ENV.backfillSeconds, RUN_DEFAULTS.backfillSeconds, periodSeconds, MAX_BACKFILL_SECONDS, 'seconds');
  const maxPeriodsPerRun = integer(env, ENV.maxPeriodsPerRun, RUN_DEFAULTS.maxPeriodsPerRun, 1, MAX_PERIODS_PER_RUN, 'periods');
  const minPendingPeriods = integer(env, ENV.minPendingPeriods, RUN_DEFAULTS.minPendingPeriods, 1, Math.floor(backfillSeconds / periodSeconds), 'periods (at most the backfill window in periods)');

  const namespace = text(env, ENV.outputNamespace, DEFAULT_OUTPUT_NAMESPACE);
  if (namespace.startsWith('AWS/') || namespace.startsWith(':') || namespace.length > 255) {
    throw new HandlerConfigError(ENV.outputNamespace, namespace, 'Use a custom namespace (not starting with "AWS/" or ":", at most 255 characters), default NetRecon.');
  }

  const perNodeRaw = env[ENV.perNodeMetrics];
  const perNode = perNodeRaw === undefined || perNodeRaw.trim() === '' ? 'false' : perNodeRaw.trim().toLowerCase();
  if (perNode !== 'true' && perNode !== 'false') throw new HandlerConfigError(ENV.perNodeMetrics, perNodeRaw, 'Use "true" or "false" (default false: per-node metrics are paid custom metrics).');

  let nodeFilter: NodeFilter;
  try {
    nodeFilter = parseNodeFilter(text(env, ENV.nodeFilter, RUN_DEFAULTS.nodeFilter));
  } catch (cause) {
    if (cause instanceof NodeFilterError) throw new HandlerConfigError(ENV.nodeFilter, env[ENV.nodeFilter], cause.message, { cause });
    throw cause;
  }

  const sources = Object.fromEntries(
    (Object.keys(SOURCE_DEFAULTS) as (keyof SourceSettings)[]).map((k) => [k, text(env, ENV[k], SOURCE_DEFAULTS[k])]),
  ) as unknown as SourceSettings;

  let reconcile: ReconcileConfig;
  const th = checkedJson(env, ENV.thresholds, '{"ec2MismatchRatio": 0.1}', parseThresholds);
  const rules = checkedJson(env, ENV.interfaceRules, '{"prepend": [{"pattern": "^myif\\\\d+$", "interfaceClass": "physical", "note": "why"}], "vpcCniVethPrefix": "eni"}', parseRuleOverrides);
  try {
    reconcile = makeReconcileConfig({ periodSeconds, ...(th ? { thresholds: th } : {}), ...(rules ? { ruleOverrides: rules } : {}) });
  } catch (cause) {
    if (cause instanceof ConfigError) throw new HandlerConfigError(ENV.thresholds, env[ENV.thresholds], cause.message, { cause });
    if (cause instanceof InterfaceRuleError) throw new HandlerConfigError(ENV.interfaceRules, env[ENV.interfaceRules], cause.message, { cause });
    throw cause;
  }

  return {
    clusters: names,
    schedule: { periodSeconds, lagSeconds, backfillSeconds, maxPeriodsPerRun, minPendingPeriods },
    outputNamespace: namespace,
    perNodeMetrics: perNode === 'true',
    nodeFilter,
    sources,
    reconcile,
  };
}
