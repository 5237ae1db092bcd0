/**
 * The run loop of the scheduled function: the cluster list (named, or listed from EKS with `clusters=auto`), the
 * event, one pipeline run per cluster (one after the other; a failing cluster is reported and the others still
 * run), and a structured run summary. A plain async function, so tests
 * call it without middy; lambda/handler.ts wires it to the SDK clients, the logger and middy.
 */
import type { Context } from 'aws-lambda';
import { clusterTargetOf } from './core/cluster-target';
import { NetReconError } from './core/errors';
import { SourceAccounts, type CredentialProvider, type StsSender } from './aws/source-accounts';
import { makeAwsRuntime, type ApiCounters, type AwsRuntime, type CloudWatchSender, type Ec2Sender, type EksSender, type Quotas } from './aws/api';
import { listAccountClusters, type SkippedCluster } from './aws/cluster-list';
import { AgentListings } from './aws/discovery';
import { EmptyInventoryError, filterText } from './aws/inventory';
import { profileOf } from './core/source-profile';
import { AUTO_CLUSTERS } from './plan/cluster-selection';
import type { Clock } from './aws/throttle';
import { isoOf } from './core/units';
import type { HandlerConfig } from './handler-config';
import { parseEvent } from './handler-event';
import { runCluster } from './pipeline';
import type { LedgerMemory } from './plan/ledger-memory';
import { readBudgetDatapoints, readQuotas } from './read-budget';
import { clusterSummary, failedClusterSummary, RunFailedError, runSummary, skippedClusterSummary, type ClusterSummary, type DiscoverySummary, type RunSummary } from './run-summary';
import { UnreadPeriodsError } from './unread-periods';
import { LeaseHeldError, type LedgerStore } from './aws/ledger-store';

/** What the runner logs through: the Powertools Logger in Lambda, anything with these methods in tests. */
export interface RunLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  debug(message: string, data?: Record<string, unknown>): void;
}

export interface RunnerDeps {
  readonly config: HandlerConfig;
  readonly cloudWatch: CloudWatchSender;
  readonly cloudWatchPut?: CloudWatchSender;
  readonly ec2: Ec2Sender;
  /** Needed with `clusters=auto` only. */
  readonly eks?: EksSender;
  readonly logger: RunLogger;
  readonly ledgerMemory: LedgerMemory;
  readonly now?: () => Date;
  readonly clock?: Clock;
  readonly quotas?: Partial<Quotas>;
  readonly retry?: { readonly attempts?: number; readonly baseDelayMs?: number };
  readonly nodeBatchSize?: number;
  /**
   * For `ACCOUNT_ID/CLUSTER` targets (docs/central.md): STS to assume each source account's role, and an EC2
   * sender signing with the credentials it gives. The handler passes both; a run with such a target and without
   * them fails that cluster.
   */
  readonly sts?: StsSender;
  readonly ec2With?: (credentials: CredentialProvider) => Ec2Sender;
  /** The partition of the source roles' ARNs (default `aws`). */
  readonly partition?: string;
  /** The ledger store (config.ledgerTable's, built by the handler); none: CloudWatch's ledger only. */
  readonly ledgerStore?: LedgerStore;
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** The handler body: (event, context, { signal }) -> run summary; throws when the config, the event or a cluster failed. */
export function makeRunner(deps: RunnerDeps) {
  return async (event: unknown, context?: Partial<Context>, options?: { signal?: AbortSignal }): Promise<RunSummary> => {
    const started = Date.now();
    const config = deps.config;
    const now = (deps.now ?? (() => new Date()))();
    const quotas = readQuotas(deps.quotas, config.readQuotaShare);
    // One listing of the agent namespace for the whole run, whatever the number of clusters.
    const agentListings = new AgentListings();
    const runtime = (progressData: Record<string, unknown>): AwsRuntime =>
      makeAwsRuntime({
        cloudWatch: deps.cloudWatch,
        ...(deps.cloudWatchPut ? { cloudWatchPut: deps.cloudWatchPut } : {}),
        ec2: deps.ec2,
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
        quotas,
        ...(deps.retry ? { retry: deps.retry } : {}),
        progress: (message) => deps.logger.debug(message, progressData),
      });
    const counters: ApiCounters[] = [];
    const targets = await clusterTargets(deps, runtime, counters);
    const parsed = parseEvent(event, targets.clusters, Math.floor(now.getTime() / 1000));
    deps.logger.info('run started', { trigger: parsed.trigger, clusters: parsed.clusters, window: parsed.window });
    // Each cluster's own profile, or the default for a cluster discovery found that the setting does not name.
    const sourceProfiles = Object.fromEntries(parsed.clusters.map((c) => [c, profileOf(config.sourceProfiles, c)]));

    // A cluster discovery skipped is reported whether or not a manual event covers it: the list is the run's.
    const summaries: ClusterSummary[] = targets.skipped.map((s) => skippedClusterSummary(s.cluster, undefined, s.reason));
    for (const s of targets.skipped) deps.logger.warn('cluster skipped', { cluster: s.cluster, reason: s.reason });
    // One assumed role per source account for the whole run, shared by that account's clusters.
    const sourceAccounts =
      deps.sts && deps.ec2With
        ? new SourceAccounts({
            sts: deps.sts,
            role: config.sourceRole,
            ec2With: deps.ec2With,
            ...(deps.partition ? { partition: deps.partition } : {}),
            ...(options?.signal ? { signal: options.signal } : {}),
          })
        : undefined;
    for (const [index, cluster] of parsed.clusters.entries()) {
      const rt = runtime({ cluster });
      counters.push(rt.counters);
      try {
        const { accountId } = clusterTargetOf(cluster);
        const clusterRt = accountId === undefined ? rt : { ...rt, ec2: await sourceEc2(sourceAccounts, accountId) };
        const result = await runCluster({
          rt: clusterRt,
          cluster,
          settings: { ...config, sourceProfiles, ...(deps.nodeBatchSize ? { nodeBatchSize: deps.nodeBatchSize } : {}) },
          window: parsed.window,
          now,
          mode: 'emit',
          heartbeat: true,
          ledgerMemory: deps.ledgerMemory,
          agentListings,
          ...optional('ledgerStore', deps.ledgerStore),
          publisher: `function ${context?.functionName ?? 'netrecon'} request ${context?.awsRequestId ?? 'unknown'}`,
          ...optional('readBudgetDatapoints', readBudgetDatapoints(context, quotas, parsed.clusters.length - index)),
        });
        const summary = clusterSummary(result, rt.counters);
        summaries.push(summary);
        if (summary.skippedCount > 0) deps.logger.warn('items skipped', { cluster, count: summary.skippedCount, byReason: summary.skippedByReason });
        if (summary.error) deps.logger.error('emission stopped', { cluster, error: summary.error });
        else deps.logger.info('cluster done', { ...summary });
      } catch (error) {
        if (options?.signal?.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        if (targets.discovered && error instanceof EmptyInventoryError) {
          // A cluster EKS itself listed cannot be a typo nor the wrong Region: with no instance in any state and no
          // node ever published it runs no EC2 nodes (Fargate only, just created) or its nodes carry another tag
          // (nodeFilter). Nothing is published for it, as for a named cluster; the other clusters run
          // (docs/aws.md, "Clusters from discovery").
          const reason = `no EC2 instance matches ${filterText(config.nodeFilter, cluster)} in any state and no node was ever published for it (Fargate only, just created, or nodes tagged otherwise: see nodeFilter); nothing published`;
          deps.logger.warn('cluster skipped', { cluster, reason });
          summaries.push(skippedClusterSummary(cluster, rt.counters, reason));
          continue;
        }
        if (error instanceof LeaseHeldError) {
          // Another publisher (a CLI run, another invocation) is publishing this cluster right now: this run must not,
          // and its periods stay pending for the next run. Not a failure: a retry would only meet the same lease.
          deps.logger.warn('cluster skipped', { cluster, reason: message });
          summaries.push(skippedClusterSummary(cluster, rt.counters, message));
          continue;
        }
        deps.logger.error('cluster failed', { cluster, error: message });
        if (error instanceof UnreadPeriodsError) {
          const unread = { cluster, periods: error.periods.length, oldest: isoOf(error.periods[0]!), oldestLeavesWindowAt: isoOf(error.oldestLeavesWindowAtSeconds) };
          // Its own line, so a metric filter or a log query can find the one case where a period may be lost.
          if (error.atHorizon) deps.logger.error('period leaving the backfill window unread', unread);
          summaries.push(failedClusterSummary(cluster, rt.counters, message, error.periods.length));
        } else summaries.push(failedClusterSummary(cluster, rt.counters, message));
      }
    }
    if (sourceAccounts && sourceAccounts.assumeRoleCalls > 0) deps.logger.info('source roles assumed', { assumeRoleCalls: sourceAccounts.assumeRoleCalls });
    const summary = runSummary(parsed.trigger, summaries, counters, Date.now() - started, targets.discovery);
    deps.logger.info('run summary', { ...summary });
    // A failed cluster fails the invocation, so the Errors metric, retries and the failure destination see it.
    if (summary.failedClusters > 0) throw new RunFailedError(summary);
    return summary;
  };
}


interface ClusterTargets {
  readonly clusters: readonly string[];
  /** The list came from eks:ListClusters (`clusters=auto`). */
  readonly discovered: boolean;
  readonly skipped: readonly SkippedCluster[];
  readonly discovery?: DiscoverySummary;
}

/** The named clusters, or, with `clusters=auto`, the account's; a list that cannot be read throws ClusterListError. */
async function clusterTargets(deps: RunnerDeps, runtime: (data: Record<string, unknown>) => AwsRuntime, counters: ApiCounters[]): Promise<ClusterTargets> {
  const { clusters, clusterTag } = deps.config;
  if (clusters !== AUTO_CLUSTERS) return { clusters, discovered: false, skipped: [] };
  if (!deps.eks) throw new Error('clusters=auto needs an EKS client in the runner (lambda/handler.ts passes one)');
  const rt = runtime({ discovery: true });
  counters.push(rt.counters);
  let found;
  try {
    found = await listAccountClusters(rt, deps.eks, { tag: clusterTag });
  } catch (error) {
    deps.logger.error('cluster discovery failed', { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  const tagText = clusterTag === null ? null : clusterTag.value === undefined ? clusterTag.key : `${clusterTag.key}=${clusterTag.value}`;
  const discovery: DiscoverySummary = { clustersListed: found.listed, clusterTag: tagText, clustersNotMatchingTag: found.notMatchingTag };
  deps.logger.info('clusters discovered', { ...discovery, clusters: found.clusters, skipped: found.skipped.length });
  return { clusters: found.clusters, discovered: true, skipped: found.skipped, discovery };
}

/** The EC2 sender of a source account, through its assumed role. */
function sourceEc2(sourceAccounts: SourceAccounts | undefined, accountId: string): Promise<Ec2Sender> {
  if (!sourceAccounts) {
    return Promise.reject(new NetReconError(`cluster target of account ${accountId}: this runner was given no STS client to assume the source role with`));
  }
  return sourceAccounts.ec2For(accountId);
}
