/**
 * What a run reports: one summary per cluster (what it emitted, deferred, held or could not read, what it
 * skipped and which calls it made) and the run's totals, logged as one structured line and returned.
 */
import { newCounters, OPERATIONS, type ApiCounters } from './aws/api';
import type { SkippedItem } from './core/model';
import type { ClusterRunResult } from './pipeline';
import { NetReconError } from './core/errors';

export interface ClusterSummary {
  readonly cluster: string;
  /** `skipped`: a cluster `clusters=auto` found but could not or need not reconcile (`skipReason`); not a failure. */
  readonly outcome: 'emitted' | 'waiting' | 'failed' | 'skipped';
  readonly nodes: number;
  /** Of `nodes`, those DescribeInstances no longer lists, reconciled from their series (docs/aws.md); absent when none. */
  readonly nodesFromSeries?: number;
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
  readonly skipReason?: string;
}

/** What `clusters=auto` found at the start of the run. */
export interface DiscoverySummary {
  /** Clusters eks:ListClusters returned. */
  readonly clustersListed: number;
  /** The `clusterTag` filter as written, or null. */
  readonly clusterTag: string | null;
  /** Listed clusters left out by the tag filter. */
  readonly clustersNotMatchingTag: number;
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
  /** Clusters discovery found but the run skipped, each with its reason in `clusters` (only with `clusters=auto`). */
  readonly skippedClusters: number;
  readonly discovery?: DiscoverySummary;
  readonly durationMs: number;
}

export class RunFailedError extends NetReconError {
  constructor(readonly summary: RunSummary) {
    const failed = summary.clusters.filter((c) => c.outcome === 'failed');
    super(`${failed.length} of ${summary.clusters.length} cluster(s) failed: ${failed.map((c) => `${c.cluster} (${c.error})`).join('; ')}`);
    this.name = 'RunFailedError';
  }
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


/** Every count at zero: what a cluster that failed before it had figures reports, and what a run overwrites. */
function zeroSummary(cluster: string): Omit<ClusterSummary, 'apiCalls'> {
  return {
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
}

/** A cluster that threw: no figures, the error, and how many periods were left unread when a read failed. */
export function failedClusterSummary(cluster: string, counters: ApiCounters, error: string, periodsNotRead?: number): ClusterSummary {
  return { ...zeroSummary(cluster), ...(periodsNotRead !== undefined ? { periodsNotRead } : {}), apiCalls: { ...counters.calls }, error };
}

/** A cluster `clusters=auto` found and the run skipped, with the reason; nothing was published for it. */
export function skippedClusterSummary(cluster: string, counters: ApiCounters | undefined, reason: string): ClusterSummary {
  return { ...zeroSummary(cluster), outcome: 'skipped', apiCalls: { ...(counters ?? newCounters()).calls }, skipReason: reason };
}

/** A cluster that ran to the end; it failed only when its emission stopped on a request. */
export function clusterSummary(result: ClusterRunResult, counters: ApiCounters): ClusterSummary {
  const skipped = result.report?.skipped ?? [];
  const error = result.emitted?.error;
  return {
    ...zeroSummary(result.cluster),
    outcome: error ? 'failed' : result.decision.periods.length > 0 ? 'emitted' : 'waiting',
    nodes: result.nodes,
    ...(result.nodesFromSeries > 0 ? { nodesFromSeries: result.nodesFromSeries } : {}),
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
    apiCalls: { ...counters.calls },
    ...(error ? { error: error.message } : {}),
  };
}

/** The run's totals over its clusters. */
export function runSummary(
  trigger: RunSummary['trigger'],
  clusters: readonly ClusterSummary[],
  counters: readonly ApiCounters[],
  durationMs: number,
  discovery?: DiscoverySummary,
): RunSummary {
  const total = sumCalls(counters);
  return {
    trigger,
    clusters,
    apiCalls: total.calls,
    metricsRequested: total.metricsRequested,
    datapointsReturned: total.datapointsReturned,
    metricsEmitted: total.metricsEmitted,
    throttled: total.throttled,
    retries: total.retries,
    failedClusters: clusters.filter((s) => s.outcome === 'failed').length,
    skippedClusters: clusters.filter((s) => s.outcome === 'skipped').length,
    ...(discovery ? { discovery } : {}),
    durationMs,
  };
}
