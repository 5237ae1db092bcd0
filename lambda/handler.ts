/**
 * The scheduled reconciler. Wiring only: configuration (read once, checked by a middy `before`), the event, one
 * pipeline run per cluster (one after the other; a failing cluster is reported and the others still run), and
 * a structured run summary. SDK clients are created once per container. The body is a plain async function
 * (`makeRunner`) so tests call it without middy; `handler` wraps it with middy and the Powertools logger.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DEFAULT_QUOTAS, makeAwsRuntime, newCounters, OPERATIONS, type ApiCounters, type CloudWatchSender, type Ec2Sender, type Quotas } from './aws/api';
import { createClients } from './aws/clients';
import { LedgerMemory } from './aws/ledger';
import type { Clock } from './aws/throttle';
import { UnreadPeriodsError } from './aws/unread-periods';
import type { SkippedItem } from './core/model';
import { isoOf } from './core/units';
import { configFromEnvironment, type HandlerConfig } from './handler-config';
import { parseEvent } from './handler-event';
import { runCluster, type ClusterRunResult } from './pipeline';

export interface ClusterSummary {
  readonly cluster: string;
  readonly outcome: 'emitted' | 'waiting' | 'failed';
  readonly nodes: number;
  readonly readWindow: ClusterRunResult['readWindow'];
  readonly periodsEmitted: number;
  readonly periodsAlreadyComplete: number;
  readonly periodsDeferred: number;
  /** Periods held back because a request of theirs is in doubt (docs/aws.md, "In-doubt puts"). */
  readonly periodsHeld: number;
  /** Periods left pending because a read they depend on failed (the cluster then fails). */
  readonly periodsNotRead?: number;
  readonly waiting?: string;
  readonly putRequests: number;
  readonly metricsEmitted: number;
  readonly nodePeriodsByStatus?: Readonly<Record<string, number>>;
  readonly skippedCount: number;
  /** Skipped items grouped by reason, most frequent first (the first 20 reasons). */
  readonly skippedByReason: readonly { reason: string; count: number; example: string }[];
  readonly apiCalls: ApiCounters['calls'];
  readonly error?: string;
}

export interface RunSummary {
  readonly trigger: 'schedule' | 'manual';
  readonly clusters: readonly ClusterSummary[];
  readonly apiCalls: ApiCounters['calls'];
  readonly metricsRequested: number;
  readonly datapointsReturned: number;
  readonly metricsEmitted: number;
  readonly throttled: number;
  readonly retries: number;
  readonly failedClusters: number;
  readonly durationMs: number;
}

export class RunFailedError extends Error {
  constructor(readonly summary: RunSummary) {
    const failed = summary.clusters.filter((c) => c.outcome === 'failed');
    super(`${failed.length} of ${summary.clusters.length} cluster(s) failed: ${failed.map((c) => `${c.cluster} (${c.error})`).join('; ')}`);
    this.name = 'RunFailedError';
  }
}

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

function groupSkipped(items: readonly SkippedItem[]): ClusterSummary['skippedByReason'] {
  const byReason = new Map<string, { reason: string; count: number; example: string }>();
  for (const s of items) {
    const g = byReason.get(s.reason) ?? { reason: s.reason, count: 0, example: s.ref };
    g.count++;
    byReason.set(s.reason, g);
  }
  return [...byReason.values()].sort((a, b) => b.count - a.count).slice(0, 20);
}

function sumCalls(list: readonly ApiCounters[]): ApiCounters {
  const total = newCounters();
  for (const c of list) {
    for (const op of OPERATIONS) total.calls[op] += c.calls[op];
    total.metricsRequested += c.metricsRequested;
    total.datapointsReturned += c.datapointsReturned;
    total.metricsEmitted += c.metricsEmitted;
    total.throttled += c.throttled;
    total.retries += c.retries;
  }
  return total;
}

/**
 * The share of the time left that one cluster's metric read may plan for; the rest is discovery, reconciling and
 * publishing. The read is paced by the GetMetricData datapoints-per-second quota, so time becomes datapoints.
 */
export const READ_SHARE_OF_REMAINING_TIME = 0.5;

/** Datapoints this cluster's read may take, from the invocation's time left; undefined outside Lambda. */
export function readBudgetDatapoints(context: Partial<Context> | undefined, quotas: Partial<Quotas> | undefined, clustersLeft: number): number | undefined {
  const remainingMs = context?.getRemainingTimeInMillis?.();
  if (remainingMs === undefined) return undefined;
  const dps = quotas?.getMetricDataDps ?? DEFAULT_QUOTAS.getMetricDataDps;
  return Math.floor((dps * (remainingMs / 1000) * READ_SHARE_OF_REMAINING_TIME) / Math.max(1, clustersLeft));
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

    const summaries: ClusterSummary[] = [];
    const counters: ApiCounters[] = [];
    for (const [index, cluster] of parsed.clusters.entries()) {
      const rt = makeAwsRuntime({
        cloudWatch: deps.cloudWatch,
        ...(deps.cloudWatchPut ? { cloudWatchPut: deps.cloudWatchPut } : {}),
        ec2: deps.ec2,
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
        ...(deps.quotas ? { quotas: deps.quotas } : {}),
        ...(deps.retry ? { retry: deps.retry } : {}),
        progress: (message) => deps.logger.debug(message, { cluster }),
      });
      counters.push(rt.counters);
      // Every count at zero: what a cluster that failed before it had figures reports, and what a run overwrites.
      const base: Omit<ClusterSummary, 'apiCalls'> = {
        cluster,
        outcome: 'failed',
        nodes: 0,
        readWindow: null,
        periodsEmitted: 0,
        periodsAlreadyComplete: 0,
        periodsDeferred: 0,
        periodsHeld: 0,
        putRequests: 0,
        metricsEmitted: 0,
        skippedCount: 0,
        skippedByReason: [],
      };
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
          ...optional('readBudgetDatapoints', readBudgetDatapoints(context, deps.quotas, parsed.clusters.length - index)),
        });
        const skipped = result.report?.skipped ?? [];
        const error = result.emitted?.error;
        const summary: ClusterSummary = {
          ...base,
          outcome: error ? 'failed' : result.decision.periods.length > 0 ? 'emitted' : 'waiting',
          nodes: result.nodes,
          readWindow: result.readWindow,
          periodsEmitted: error ? 0 : (result.emission?.periods.length ?? 0),
          periodsAlreadyComplete: result.decision.alreadyComplete,
          periodsDeferred: result.decision.deferred,
          periodsHeld: result.decision.held,
          ...(result.decision.waiting ? { waiting: result.decision.waiting } : {}),
          putRequests: result.emitted?.requestsSent ?? 0,
          metricsEmitted: result.emitted?.datumsSent ?? 0,
          ...(result.report ? { nodePeriodsByStatus: result.report.summary.nodePeriodsByStatus } : {}),
          skippedCount: skipped.length,
          skippedByReason: groupSkipped(skipped),
          apiCalls: { ...rt.counters.calls },
          ...(error ? { error: error.message } : {}),
        };
        summaries.push(summary);
        if (skipped.length > 0) deps.logger.warn('items skipped', { cluster, count: skipped.length, byReason: summary.skippedByReason });
        if (error) deps.logger.error('emission stopped', { cluster, error: error.message });
        else deps.logger.info('cluster done', { ...summary });
      } catch (error) {
        if (options?.signal?.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        deps.logger.error('cluster failed', { cluster, error: message });
        if (error instanceof UnreadPeriodsError) {
          const unread = { cluster, periods: error.periods.length, oldest: isoOf(error.periods[0]!), oldestLeavesWindowAt: isoOf(error.oldestLeavesWindowAtSeconds) };
          // Its own line, so a metric filter or a log query can find the one case where a period may be lost.
          if (error.atHorizon) deps.logger.error('period leaving the backfill window unread', unread);
          summaries.push({ ...base, periodsNotRead: error.periods.length, apiCalls: { ...rt.counters.calls }, error: message });
        } else summaries.push({ ...base, apiCalls: { ...rt.counters.calls }, error: message });
      }
    }
    const total = sumCalls(counters);
    const summary: RunSummary = {
      trigger: parsed.trigger,
      clusters: summaries,
      apiCalls: total.calls,
      metricsRequested: total.metricsRequested,
      datapointsReturned: total.datapointsReturned,
      metricsEmitted: total.metricsEmitted,
      throttled: total.throttled,
      retries: total.retries,
      failedClusters: summaries.filter((s) => s.outcome === 'failed').length,
      durationMs: Date.now() - started,
    };
    deps.logger.info('run summary', { ...summary });
    // A failed cluster fails the invocation, so the Errors metric, retries and the failure destination see it.
    if (summary.failedClusters > 0) throw new RunFailedError(summary);
    return summary;
  };
}

const logger = new Logger({ serviceName: 'netrecon' });

const clients = createClients();

const at = (level: 'info' | 'warn' | 'error' | 'debug') => (message: string, data?: Record<string, unknown>) =>
  data ? logger[level](message, data) : logger[level](message);

// Read once, on the first invocation; a bad environment fails every invocation from middy's `before`.
const settings = configFromEnvironment(process.env, { error: at('error'), warn: at('warn') });
let runner: ReturnType<typeof makeRunner> | undefined;

export const handler = middy({ timeoutEarlyInMillis: 10_000 })
  .use(injectLambdaContext(logger))
  .use(settings.middleware)
  .handler(async (event: unknown, context: Context, options: { signal: AbortSignal }) => {
    runner ??= makeRunner({
      config: settings.config(),
      cloudWatch: clients.cloudWatch,
      cloudWatchPut: clients.cloudWatchPut,
      ec2: clients.ec2,
      logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') },
      ledgerMemory: new LedgerMemory(),
    });
    return runner(event, context, options);
  });
