/**
 * Reads the app's settings from CDK context: `cdk.json`'s "context" (typed JSON) or `-c key=value` flags
 * (always strings). Every key is optional except `clusters`; a bad value is named with the flag to fix it.
 */
import { readFileSync } from 'node:fs';
import type { ConfigError } from '../lambda/core/config';
import type { Environment } from 'aws-cdk-lib';
import type { InterfaceRuleOverrides } from '../lambda/core/interface-rules';
import type { Thresholds } from '../lambda/core/config';
import type { SourceProfile } from '../lambda/core/source-profile';
import { SOURCE_KEYS } from '../lambda/settings';
import { DEPLOY_SETTINGS } from './deploy-settings';
import type { NetworkReconcilerProps } from './props';
import { NetReconError } from '../lambda/core/errors';

export class AppContextError extends NetReconError {
  constructor(
    readonly key: string,
    value: unknown,
    hint: string,
  ) {
    super(`Context "${key}" is invalid: ${JSON.stringify(value)}. ${hint}`, { value, hint });
    this.name = 'AppContextError';
  }
}

export interface UnknownContextKey {
  readonly key: string;
  /** The setting it most likely misspells, if one is close. */
  readonly nearest?: string;
}

/**
 * The context keys the user gave that the app never read: misspelled (`sourceprofile`, `alarmEmial`) or meant for
 * another form of the app. Keys with a colon are the CDK's own (feature flags, `aws:cdk:*`, cached lookups).
 */
export function unknownContextKeys(given: Iterable<string>, read: ReadonlySet<string>): UnknownContextKey[] {
  const out: UnknownContextKey[] = [];
  for (const key of given) {
    if (key.includes(':') || read.has(key)) continue;
    const nearest = nearestKey(key, read);
    out.push({ key, ...(nearest === undefined ? {} : { nearest }) });
  }
  return out;
}

/** The candidate within a third of the key's length in edits (case ignored; a swap of two letters is one edit). */
function nearestKey(key: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

export interface AppConfig {
  readonly stackName: string;
  /** Undefined unless `account` or `region` is given: the stack is environment-agnostic by default. */
  readonly env: Environment | undefined;
  readonly alarmTopicArn: string | undefined;
  /** Run cdk-nag's AwsSolutions and Serverless packs during synth. */
  readonly nag: boolean;
  readonly reconciler: Omit<NetworkReconcilerProps, 'alarmTopic'>;
}

export type ContextReader = (key: string) => unknown;

export function readAppContext(get: ContextReader): AppConfig {
  const text = (key: string): string | undefined => {
    const value = get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw new AppContextError(key, value, 'Give a non-empty string.');
    return value.trim();
  };
  const number = (key: string): number | undefined => {
    const value = get(key);
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n)) throw new AppContextError(key, value, `Give a number, e.g. -c ${key}=300.`);
    return n;
  };
  const flag = (key: string): boolean | undefined => {
    const value = get(key);
    if (value === undefined || value === null) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new AppContextError(key, value, `Give true or false, e.g. -c ${key}=true.`);
  };
  const object = <T>(key: string, fileAllowed: boolean): T | undefined => {
    const value = get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'object' && !Array.isArray(value)) return value as T;
    if (typeof value !== 'string') throw new AppContextError(key, value, 'Give a JSON object.');
    const trimmed = value.trim();
    let source = trimmed;
    if (!trimmed.startsWith('{')) {
      if (!fileAllowed) throw new AppContextError(key, value, `Give a JSON object, e.g. -c '${key}={"ec2MismatchRatio":0.2}'.`);
      try {
        source = readFileSync(trimmed, 'utf8');
      } catch (cause) {
        throw new AppContextError(key, value, `Give a JSON object or the path of a JSON file (${(cause as Error).message}).`);
      }
    }
    try {
      const parsed: unknown = JSON.parse(source);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      return parsed as T;
    } catch (cause) {
      throw new AppContextError(key, value, `It is not a JSON object (${(cause as Error).message}).`);
    }
  };

  const clustersValue = get('clusters');
  if (clustersValue === undefined || clustersValue === null || clustersValue === '') {
    throw new AppContextError('clusters', clustersValue, 'It is required: npx cdk deploy -c clusters=my-cluster[,other-cluster].');
  }
  const clusters = Array.isArray(clustersValue)
    ? clustersValue.map(String)
    : typeof clustersValue === 'string'
      ? clustersValue.split(',').map((c) => c.trim()).filter((c) => c !== '')
      : (() => {
          throw new AppContextError('clusters', clustersValue, 'Give cluster names separated by commas.');
        })();

  const sources: Record<string, string> = {};
  for (const key of SOURCE_KEYS) {
    const value = text(key);
    if (value !== undefined) sources[key] = value;
  }

  const positive = (key: string): number | undefined => {
    const n = number(key);
    if (n !== undefined && n <= 0) throw new AppContextError(key, get(key), 'Give a positive number.');
    return n;
  };
  const scheduleMinutes = positive('scheduleMinutes');
  const timeoutSeconds = positive('timeoutSeconds');
  // The deployment-only settings whose check is a pattern, run here so that CDK never sees a value it would throw on.
  const checked = (key: 'alarmTopicArn' | 'stackName' | 'account' | 'region'): string | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    try {
      DEPLOY_SETTINGS[key].check(value);
    } catch (error) {
      throw new AppContextError(key, value, (error as ConfigError).hint);
    }
    return value;
  };
  const alarmTopicArn = checked('alarmTopicArn');
  // Text (`-c sourceProfile=full,dev:agentless`) or, in cdk.json, a profile or an object; checked by the settings table.
  const sourceProfileValue = get('sourceProfile');
  const sourceProfile = sourceProfileValue === undefined || sourceProfileValue === null ? undefined : typeof sourceProfileValue === 'object' ? (sourceProfileValue as Record<string, SourceProfile>) : text('sourceProfile');
  const account = checked('account');
  const region = checked('region');
  const stackName = checked('stackName');

  return {
    stackName: stackName ?? 'NetRecon',
    env: account || region ? { ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }) } : undefined,
    alarmTopicArn,
    nag: flag('nag') ?? false,
    reconciler: {
      clusters,
      ...(sourceProfile === undefined ? {} : { sourceProfile }),
      scheduleMinutes,
      periodSeconds: number('periodSeconds'),
      lagSeconds: number('lagSeconds'),
      backfillSeconds: number('backfillSeconds'),
      maxPeriodsPerRun: number('maxPeriodsPerRun'),
      periodsPerRead: number('periodsPerRead'),
      perNodeMetrics: flag('perNodeMetrics'),
      nodeFilter: text('nodeFilter'),
      clusterTag: text('clusterTag'),
      outputNamespace: text('outputNamespace'),
      sources,
      thresholds: object<Partial<Thresholds>>('thresholds', false),
      interfaceRules: object<InterfaceRuleOverrides>('interfaceRules', true),
      minAgentCoveragePercent: number('minAgentCoveragePercent'),
      residualAlarm: flag('residualAlarm'),
      alarmDatapoints: number('alarmDatapoints'),
      alarmEmail: text('alarmEmail'),
      logRetentionDays: number('logRetentionDays'),
      memorySize: number('memorySize'),
      timeoutSeconds,
      dashboardName: text('dashboardName'),
    },
  };
}
