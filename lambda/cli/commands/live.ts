/**
 * What the live commands (`netrecon reconcile --cluster`, `netrecon capture`) share: the account options, the
 * time window, the pipeline settings and the AWS runtime with progress on stderr, and AWS errors turned into
 * one line a user can act on.
 */
import { AwsCallError, causeOf, makeAwsRuntime, type AwsRuntime } from '../../aws/api';
import { readQuotas } from '../../read-budget';
import { CLI_TIMEOUTS, createClients } from '../../aws/clients';
import { parseNodeFilter } from '../../aws/inventory';
import { lastHourOfClosedPeriods, wholePeriods } from '../../plan/pending-periods';
import { MAX_BACKFILL_SECONDS, MAX_PERIODS_PER_RUN } from '../../plan/limits';
import { isIsoTime } from '../../capture/validate';
import type { Thresholds } from '../../core/config';
import { previewValue } from '../../core/display-text';
import type { InterfaceRuleOverrides } from '../../core/interface-rules';
import { epochSecondsOf } from '../../core/units';
import { ConfigError, resolveRunSettings, RUN_SETTINGS, runSettingOf } from '../../settings';
import type { PipelineSettings } from '../../read-cluster';
import { UsageError, type CommandIo } from '../usage';
import { AWS_REGION_NAME, clusterTargetOf } from '../../core/cluster-target';
import { partitionOf, SourceAccounts } from '../../aws/source-accounts';
import { AUTO_CLUSTERS } from '../../plan/cluster-selection';

export { LIVE_HELP, LIVE_OPTIONS } from './live-options';

function isoSeconds(name: string, value: string): number {
  if (!isIsoTime(value)) {
    throw new UsageError(`--${name} must be an ISO 8601 time with a zone and a real calendar date; got ${previewValue(value, 60)}`, 'Example: --start 2026-03-01T10:00:00Z --end 2026-03-01T11:00:00Z');
  }
  return epochSecondsOf(value);
}

/** What a live command covers without --start and --end: the last hour of closed periods. */
export const LIVE_DEFAULT_WINDOW_SECONDS = 3600;

/** The whole periods of the asked window, or the last hour of closed periods by this machine's clock. */
export function liveWindow(start: string | undefined, end: string | undefined, periodSeconds: number, nowSeconds: number): { startSeconds: number; endSeconds: number } {
  if ((start === undefined) !== (end === undefined)) throw new UsageError('--start and --end go together', 'Give both, or neither for the last hour.');
  const P = periodSeconds;
  if (start === undefined || end === undefined) return lastHourOfClosedPeriods(nowSeconds, RUN_SETTINGS.lagSeconds.default, P);
  const s = isoSeconds('start', start);
  const e = isoSeconds('end', end);
  if (e <= s) throw new UsageError(`--end (${end}) must be after --start (${start})`);
  if (s < nowSeconds - MAX_BACKFILL_SECONDS) throw new UsageError(`--start ${start} is more than 14 days ago`, 'CloudWatch keeps 1-minute data for 15 days; start later.');
  const { startSeconds, endSeconds } = wholePeriods(s, e, P);
  if (endSeconds <= startSeconds) throw new UsageError(`the window ${start} .. ${end} holds no whole period of ${P} s`, 'Widen the window or use a shorter --period.');
  return { startSeconds, endSeconds };
}

/** What a live command takes from its flags; every other run setting is the function's default. */
export interface LiveSettingsInput {
  readonly cluster: string;
  readonly periodSeconds?: number | undefined;
  readonly thresholds?: Partial<Thresholds> | undefined;
  readonly interfaceRules?: InterfaceRuleOverrides | undefined;
  readonly nodeFilter?: string | undefined;
  readonly namespace?: string | undefined;
  readonly perNodeMetrics?: boolean | undefined;
  readonly sourceProfile?: string | undefined;
  readonly ledgerTable?: string | undefined;
}

/**
 * The pipeline's settings from the command line, checked by the resolver the function and the construct use
 * (lambda/settings.ts), so the CLI refuses what the function would refuse, in the same words, naming the flag.
 */
export function liveSettings(input: LiveSettingsInput): PipelineSettings & { readonly ledgerTable: string } {
  // `auto` is a list of clusters, and a live command reads one; only `reconcile --cluster auto` shows that list.
  if (input.cluster === AUTO_CLUSTERS) throw new UsageError('--cluster auto names no one cluster', 'Name the cluster (netrecon reconcile --cluster auto lists them).');
  let run;
  try {
    run = resolveRunSettings({
      clusters: [input.cluster],
      sourceProfile: input.sourceProfile,
      periodSeconds: input.periodSeconds,
      thresholds: input.thresholds,
      interfaceRules: input.interfaceRules,
      nodeFilter: input.nodeFilter,
      outputNamespace: input.namespace,
      perNodeMetrics: input.perNodeMetrics,
      ledgerTable: input.ledgerTable,
      // A person asks for a window: every whole closed period of it, at once, up to what CloudWatch still holds
      // and the most one run takes (the rest is published by the next run, and the command says how many are left).
      backfillSeconds: MAX_BACKFILL_SECONDS,
      maxPeriodsPerRun: MAX_PERIODS_PER_RUN,
      periodsPerRead: 1,
    });
  } catch (error) {
    const spec = error instanceof ConfigError ? runSettingOf(error) : undefined;
    if (!(error instanceof ConfigError) || spec?.flag === undefined) throw error;
    const hint = error.setting === spec.key ? error.hint : error.message;
    throw new UsageError(`--${spec.flag} is invalid: ${JSON.stringify(error.value)}. ${hint}`);
  }
  return {
    reconcile: { ...run.reconcile, sourceProfile: run.sourceProfile[input.cluster]! },
    sourceProfiles: run.sourceProfile,
    sources: run.sources,
    nodeFilter: parseNodeFilter(run.nodeFilter),
    schedule: { periodSeconds: run.periodSeconds, lagSeconds: run.lagSeconds, backfillSeconds: run.backfillSeconds, maxPeriodsPerRun: run.maxPeriodsPerRun, periodsPerRead: run.periodsPerRead },
    outputNamespace: run.outputNamespace,
    perNodeMetrics: run.perNodeMetrics,
    ledgerTable: run.ledgerTable,
  };
}


/** Refuses a malformed --region, or AWS_REGION when no --region is given, before any client is made. */
export function checkRegion(region: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): void {
  const [value, source] = region !== undefined ? [region, '--region'] : [env.AWS_REGION, 'AWS_REGION'];
  // The SDK refuses a name that is not a hostname component only at the first call, with a plain Error.
  if (value === undefined || AWS_REGION_NAME.test(value)) return;
  throw new UsageError(
    `${source} ${previewValue(value, 60)} is not an AWS region name`,
    source === '--region' ? 'Write it like us-east-1 or eu-west-1.' : 'Set AWS_REGION to a region like us-east-1, unset it, or pass --region.',
  );
}

export function liveRuntime(io: CommandIo, region: string | undefined, profile: string | undefined): AwsRuntime {
  checkRegion(region);
  const clients = createClients({ timeouts: CLI_TIMEOUTS, ...(region ? { region } : {}), ...(profile ? { profile } : {}) });
  return makeAwsRuntime({
    cloudWatch: clients.cloudWatch,
    cloudWatchPut: clients.cloudWatchPut,
    ec2: clients.ec2,
    // A person's run shares the account's quota with its dashboards as the function does.
    quotas: readQuotas(undefined, RUN_SETTINGS.readQuotaShare.default),
    progress: (message) => io.stderr(`netrecon: ${message}\n`),
  });
}

/**
 * The runtime for a cluster target: for `ACCOUNT_ID/CLUSTER`, EC2 through the source account's role (the same
 * variables as the function's, NETRECON_SOURCE_ROLE_NAME and NETRECON_SOURCE_EXTERNAL_ID, docs/central.md);
 * CloudWatch stays the profile's account, which must be the monitoring account the source shares its metrics with.
 */
export async function liveTargetRuntime(rt: AwsRuntime, cluster: string, region: string | undefined, profile: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): Promise<AwsRuntime> {
  const { accountId } = clusterTargetOf(cluster);
  if (accountId === undefined) return rt;
  const setting = <T>(spec: { env: string; default: unknown; check: (v: unknown, r: object) => unknown }): T => {
    const text = env[spec.env]?.trim();
    try {
      return spec.check(text ? text : spec.default, {}) as T;
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`${spec.env} is invalid: ${JSON.stringify(text)}`, error.hint);
      throw error;
    }
  };
  const roleName = setting<string>(RUN_SETTINGS.sourceRoleName);
  const externalId = setting<string | undefined>(RUN_SETTINGS.sourceExternalId);
  const clients = createClients({ timeouts: CLI_TIMEOUTS, ...(region ? { region } : {}), ...(profile ? { profile } : {}) });
  const accounts = new SourceAccounts({
    sts: clients.sts,
    role: { roleName, ...(externalId === undefined ? {} : { externalId }) },
    ec2With: clients.ec2With,
    partition: partitionOf(region ?? env.AWS_REGION),
  });
  return { ...rt, ec2: await accounts.ec2For(accountId) };
}

/** SDK and AWS errors as one line with a hint (credentials, region, permissions), or undefined for other errors. */
export function describeAwsError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  // A failed DescribeInstances or ListMetrics call carries the SDK's error as its cause: credentials, region and
  // permissions are told from that, with their own hints.
  const sdk = error instanceof AwsCallError && error.cause instanceof Error ? error.cause : error;
  const name = sdk.name;
  const sdkMessage = sdk.message.split('\n')[0]!;
  if (/CredentialsProviderError|ExpiredToken|UnrecognizedClient|InvalidClientTokenId|SignatureDoesNotMatch/.test(name) || /credential/i.test(sdkMessage)) {
    return `no usable AWS credentials (${name}: ${sdkMessage}). Set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`;
  }
  if (/Region is missing/i.test(sdkMessage)) return `no AWS region (${sdkMessage}). Pass --region or set AWS_REGION.`;
  // A malformed region from the profile's config file reaches the SDK unchecked.
  if (/Region not accepted/i.test(sdkMessage)) return `${sdkMessage} Pass --region like us-east-1, or fix the profile's region.`;
  if (/AccessDenied|UnauthorizedOperation/.test(name)) {
    return `AWS refused the call (${name}: ${sdkMessage}). netrecon needs cloudwatch:GetMetricData, cloudwatch:ListMetrics, ec2:DescribeInstances (and cloudwatch:PutMetricData to emit).`;
  }
  // A failed read, a failed ledger read, an empty inventory: the message already says what failed and what to do.
  if (error.name === 'AwsCallError' || ['ReadFailedError', 'UnreadPeriodsError', 'LedgerReadError', 'EmptyInventoryError', 'SourceRoleError', 'LeaseHeldError', 'LedgerStoreError', 'ConcurrentPublisherError'].includes(name)) return error.message;
  if (name === 'AwsStepError') return `${name}: ${error.message}`;
  if ('$metadata' in error || /ENOTFOUND|ECONNREFUSED|ETIMEDOUT/.test(error.message)) return causeOf(error);
  return undefined;
}
