/**
 * Reconciliation settings, with their documented defaults. Every threshold is configuration: the CLI takes
 * them from `--rules`/flags, the Lambda from environment variables, the CDK construct from its props.
 */
import { ConfigError } from './errors';
import { buildRules, type CompiledRule, type InterfaceRuleOverrides } from './interface-rules';
export { ConfigError } from './errors';
import { DEFAULT_SOURCE_PROFILE, isSourceProfile, SOURCE_PROFILES, type SourceProfile } from './source-profile';

export const DEFAULT_PERIOD_SECONDS = 300;
/**
 * The longest period a report may have: 15 days, the longest window a capture may cover (capture/validate.ts) and
 * longer than anything CloudWatch keeps at 1-minute resolution. Without a bound, a period of 9e20 s puts the
 * window's end past the last time a Date can hold.
 */
export const MAX_RECONCILE_PERIOD_SECONDS = 15 * 86_400;

export interface Thresholds {
  /**
   * |ec2DiscrepancyRatio| above this makes a node-period `ec2Mismatch`.
   * Default 0.10: the agent collects on its own 60 s phase while EC2 buckets on the hypervisor's minute, so up
   * to one collection interval of a burst (60 s of a 300 s period) can land in the neighbouring period in one
   * view and not the other; frame headers add ~0.2 % on 9001-byte frames. Gaps above 10 % are almost always a
   * missed interface or an agent gap.
   */
  readonly ec2MismatchRatio: number;
  /** ...and only when the difference is also at least this many bytes (an idle node's ratio swings on a few KB). Default 1 MiB. */
  readonly ec2MismatchMinBytes: number;
  /**
   * |containerInsightsResidualBytes| / containerInsightsTotalBytes above this makes a node-period
   * `unexplainedResidual`. Default 0.10, for the same period-edge reason as `ec2MismatchRatio`.
   */
  readonly residualRatio: number;
  /** ...and only when the residual is at least this many bytes. Default 1 MiB. */
  readonly residualMinBytes: number;
  /**
   * A source's samples in a period, as a fraction of the samples its own period implies (P / series period),
   * below which the node-period is `partialPeriod` rather than reconciled. Default 1: every sample must be there;
   * a period is never scaled up from fewer samples.
   */
  readonly minSampleFraction: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  ec2MismatchRatio: 0.1,
  ec2MismatchMinBytes: 1_048_576,
  residualRatio: 0.1,
  residualMinBytes: 1_048_576,
  minSampleFraction: 1,
};

export interface ReconcileConfig {
  readonly periodSeconds: number;
  readonly rules: readonly CompiledRule[];
  readonly thresholds: Thresholds;
  /** How many nodes the cluster roll-up lists as worst. Default 5. */
  readonly worstNodeCount: number;
  /** Which sources the cluster is reconciled with (source-profile.ts). Default mixed. */
  readonly sourceProfile: SourceProfile;
  /**
   * Whether a node-period without Container Insights is a finding (`missingContainerInsights`). False where the
   * per-interface counters come from PromQL (OTel Container Insights publishes no node_network_total_bytes):
   * Container Insights Classic is still reconciled where it is there. Default true.
   */
  readonly containerInsightsExpected?: boolean;
}

export interface ReconcileConfigInput {
  readonly periodSeconds?: number;
  readonly ruleOverrides?: InterfaceRuleOverrides;
  readonly thresholds?: Partial<Thresholds>;
  readonly worstNodeCount?: number;
  readonly sourceProfile?: SourceProfile;
}

/**
 * Checks threshold overrides that came as JSON (a CLI file, the Lambda's environment, CDK context): an object
 * whose keys are Thresholds fields and whose values are numbers. Every edge calls this one check, so a value the
 * function would refuse at cold start is refused at synth time and by the CLI too. Ranges: makeReconcileConfig.
 */
export function parseThresholds(value: unknown): Partial<Thresholds> {
  const known = Object.keys(DEFAULT_THRESHOLDS);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('thresholds', value, `Give a JSON object with any of ${known.join(', ')}.`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (!known.includes(key)) throw new ConfigError(`thresholds.${key}`, v, `There is no such threshold; known: ${known.join(', ')}.`);
    if (typeof v !== 'number') throw new ConfigError(`thresholds.${key}`, v, 'A threshold is a number.');
  }
  return value as Partial<Thresholds>;
}

function checkNonNegative(name: string, value: number, max = Number.POSITIVE_INFINITY): void {
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new ConfigError(name, value, max === Number.POSITIVE_INFINITY ? `Use a finite number, 0 or more${value === Number.POSITIVE_INFINITY ? ' (JSON reads a number above 1.8e308, such as 1e309, as Infinity)' : ''}.` : `Use a number from 0 to ${max}.`);
  }
}

export function makeReconcileConfig(input: ReconcileConfigInput = {}): ReconcileConfig {
  const periodSeconds = input.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
  if (!Number.isInteger(periodSeconds) || periodSeconds < 60 || periodSeconds % 60 !== 0 || periodSeconds > MAX_RECONCILE_PERIOD_SECONDS) {
    throw new ConfigError('periodSeconds', periodSeconds, `Use a whole number of minutes in seconds, from 60 to ${MAX_RECONCILE_PERIOD_SECONDS} (15 days; default 300).`);
  }
  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  checkNonNegative('thresholds.ec2MismatchRatio', thresholds.ec2MismatchRatio);
  checkNonNegative('thresholds.ec2MismatchMinBytes', thresholds.ec2MismatchMinBytes);
  checkNonNegative('thresholds.residualRatio', thresholds.residualRatio);
  checkNonNegative('thresholds.residualMinBytes', thresholds.residualMinBytes);
  checkNonNegative('thresholds.minSampleFraction', thresholds.minSampleFraction, 1);
  const worstNodeCount = input.worstNodeCount ?? 5;
  if (!Number.isInteger(worstNodeCount) || worstNodeCount < 0) {
    throw new ConfigError('worstNodeCount', worstNodeCount, 'Use a whole number, 0 or more (default 5).');
  }
  const sourceProfile = input.sourceProfile ?? DEFAULT_SOURCE_PROFILE;
  if (!isSourceProfile(sourceProfile)) {
    throw new ConfigError('sourceProfile', sourceProfile, `Use one of ${SOURCE_PROFILES.join(', ')} (default ${DEFAULT_SOURCE_PROFILE}).`);
  }
  return { periodSeconds, rules: buildRules(input.ruleOverrides), thresholds, worstNodeCount, sourceProfile };
}
