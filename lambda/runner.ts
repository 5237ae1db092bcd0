/**
 * The run loop of the scheduled function: the event, one pipeline run per cluster (one after the other; a failing
 * cluster is reported and the others still run), and a structured run summary. A plain async function, so tests
 * call it without middy; lambda/handler.ts wires it to the SDK clients, the logger and middy.
 */
import type { Context } from 'aws-lambda';
import { makeAwsRuntime, type ApiCounters, type CloudWatchSender, type Ec2Sender, type Quotas } from './aws/api';
import { AgentListings } from './aws/discovery';
import type { Clock } from './aws/throttle';
import { isoOf } from './core/units';
import type { HandlerConfig } from './handler-config';
import { parseEvent } from './handler-event';
import { runCluster } from './pipeline';
import type { LedgerMemory } from './plan/ledger-memory';
import { readBudgetDatapoints, readQuotas } from './read-budget';
import { clusterSummary, failedClusterSummary, RunFailedError, runSummary, type ClusterSummary, type RunSummary } from './run-summary';
import { UnreadPeriodsError } from './unread-periods';

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
  readonly logger: RunLogger;
  readonly ledgerMemory: LedgerMemory;
  readonly now?: () => Date;
  readonly clock?: Clock;
  readonly quotas?: Partial<Quotas>;
  readonly retry?: { readonly attempts?: number; readonly baseDelayMs?: number };
  readonly nodeBatchSize?: number;
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** The handler body: (event, context, { signal }) -> run summary; throws when the config, the event or a cluster failed. */
export function makeRunner(deps: RunnerDeps) {
  return async (event: unknown, context?: Partial<Context>, options?: { signal?: AbortSignal }): Promise<RunSummary> => {
    const started = Date.now();
    const config = deps.config;
    const now = (deps.now ?? (() => new Date()))();
    const parsed = parseEvent(event, config.clusters, Math.floor(now.getTime() / 1000));
    deps.logger.info('run started', { trigger: parsed.trigger, clusters: parsed.clusters, window: parsed.window });

    const quotas = readQuotas(deps.quotas, config.readQuotaShare);
    // One listing of the agent namespace for the whole run, whatever the number of clusters.
    const agentListings = new AgentListings();
    const summaries: ClusterSummary[] = [];
    const counters: ApiCounters[] = [];
    for (const [index, cluster] of parsed.clusters.entries()) {
      const rt = makeAwsRuntime({
        cloudWatch: deps.cloudWatch,
        ...(deps.cloudWatchPut ? { cloudWatchPut: deps.cloudWatchPut } : {}),
        ec2: deps.ec2,
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
        quotas,
        ...(deps.retry ? { retry: deps.retry } : {}),
        progress: (message) => deps.logger.debug(message, { cluster }),
      });
      counters.push(rt.counters);
      try {
        const result = await runCluster({
          rt,
          cluster,
          settings: { ...config, ...(deps.nodeBatchSize ? { nodeBatchSize: deps.nodeBatchSize } : {}) },
          window: parsed.window,
          now,
          mode: 'emit',
          heartbeat: true,
          ledgerMemory: deps.ledgerMemory,
          agentListings,
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
        deps.logger.error('cluster failed', { cluster, error: message });
        if (error instanceof UnreadPeriodsError) {
          const unread = { cluster, periods: error.periods.length, oldest: isoOf(error.periods[0]!), oldestLeavesWindowAt: isoOf(error.oldestLeavesWindowAtSeconds) };
          // Its own line, so a metric filter or a log query can find the one case where a period may be lost.
          if (error.atHorizon) deps.logger.error('period leaving the backfill window unread', unread);
          summaries.push(failedClusterSummary(cluster, rt.counters, message, error.periods.length));
        } else summaries.push(failedClusterSummary(cluster, rt.counters, message));
      }
    }
    const summary = runSummary(parsed.trigger, summaries, counters, Date.now() - started);
    deps.logger.info('run summary', { ...summary });
    // A failed cluster fails the invocation, so the Errors metric, retries and the failure destination see it.
    if (summary.failedClusters > 0) throw new RunFailedError(summary);
    return summary;
  };
}

