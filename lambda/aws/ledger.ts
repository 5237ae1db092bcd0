/**
 * The high-water mark, kept in CloudWatch itself (docs/aws.md, "Exactly once"). Every PutMetricData request
 * carries, for each period whose data it holds, one `EmitLedger` datum (timestamp = period start, value = the
 * number of requests that period's data takes). Data and marker land together or not at all, so per period:
 * SampleCount = requests that landed, Maximum = requests needed. Requests go out one by one in a fixed order,
 * so the landed requests of a period are always a prefix, and a run resumes after it.
 *
 * This file reads the ledger (one GetMetricData call, two statistics of one metric: billed as one metric) and
 * decides, purely, which closed periods a run must emit.
 */
import { DIMENSION, LEDGER_METRIC } from '../output-metrics';
import type { AwsRuntime } from './api';
import { getMetricDataPages } from './get-metric-data';
import { periodStartOf } from '../core/units';
import { IN_DOUBT_HOLD_RECENT_SECONDS, MAX_BACKFILL_SECONDS, PUT_VISIBLE_AFTER_SECONDS } from './limits';

export interface LedgerEntry {
  /** Requests of this period that landed. */
  readonly landed: number;
  /** Requests the period's data needs, as recorded by the run that emitted it. */
  readonly total: number;
}

/** Period start (epoch seconds) -> what landed. Periods absent from the map have no data at all. */
export type Ledger = ReadonlyMap<number, LedgerEntry>;

export const isComplete = (e: LedgerEntry | undefined): boolean => e !== undefined && e.landed > 0 && e.landed >= e.total;

export interface LedgerQuery {
  readonly namespace: string;
  readonly cluster: string;
  readonly periodSeconds: number;
  /** Epoch seconds, aligned to the period. */
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/**
 * The ledger could not be read in full. Never taken as "nothing was emitted": that would publish complete
 * periods again and double them. The cluster fails and the next run reads the ledger again.
 */
export class LedgerReadError extends Error {
  constructor(cluster: string, reason: string) {
    super(
      `the EmitLedger read for cluster ${cluster} failed (${reason}). Nothing was published: without the ledger a run ` +
        'cannot tell published periods from pending ones. The next run reads it again; if it persists, check CloudWatch ' +
        'service health and that the role may call cloudwatch:GetMetricData.',
    );
    this.name = 'LedgerReadError';
  }
}

export async function readLedger(rt: AwsRuntime, q: LedgerQuery): Promise<Map<number, LedgerEntry>> {
  const metric = {
    Namespace: q.namespace,
    MetricName: LEDGER_METRIC.name,
    Dimensions: [{ Name: DIMENSION.cluster, Value: q.cluster }],
  };
  const landed = new Map<number, number>();
  const total = new Map<number, number>();
  if (q.endSeconds <= q.startSeconds) return new Map();
  // The last page's StatusCode of each query says whether its answer is whole; a query missing from the answer is not.
  const status = new Map<string, string | undefined>();
  try {
    await getMetricDataPages(
      rt,
      {
        queries: [
          { Id: 'landed', MetricStat: { Metric: metric, Period: q.periodSeconds, Stat: 'SampleCount' }, ReturnData: true },
          { Id: 'total', MetricStat: { Metric: metric, Period: q.periodSeconds, Stat: 'Maximum' }, ReturnData: true },
        ],
        startSeconds: q.startSeconds,
        endSeconds: q.endSeconds,
        datapoints: 2 * Math.ceil((q.endSeconds - q.startSeconds) / q.periodSeconds),
        // Two statistics of the same metric in one request are billed as one metric.
        billedMetrics: 1,
      },
      (results) => {
        for (const r of results) {
          const into = r.Id === 'landed' ? landed : r.Id === 'total' ? total : undefined;
          if (!into) continue;
          status.set(r.Id!, r.StatusCode ?? status.get(r.Id!));
          (r.Timestamps ?? []).forEach((t, i) => {
            const v = r.Values?.[i];
            if (v !== undefined) into.set(Math.round(t.getTime() / 1000), v);
          });
        }
      },
    );
  } catch (error) {
    if (rt.signal?.aborted) throw error;
    throw new LedgerReadError(q.cluster, `GetMetricData failed after retries: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  for (const id of ['landed', 'total']) {
    if (!status.has(id)) throw new LedgerReadError(q.cluster, `the answer has no result for the query ${id}`);
    const code = status.get(id);
    if (code === 'InternalError' || code === 'Forbidden') throw new LedgerReadError(q.cluster, `CloudWatch answered StatusCode ${code}`);
  }
  const ledger = new Map<number, LedgerEntry>();
  for (const [start, n] of landed) ledger.set(start, { landed: n, total: total.get(start) ?? n });
  return ledger;
}

/** Combines two views of the ledger (CloudWatch's and this container's memory), taking the furthest of each. */
export function mergeLedgers(a: Ledger, b: Ledger): Map<number, LedgerEntry> {
  const out = new Map<number, LedgerEntry>(a);
  for (const [start, e] of b) {
    const prev = out.get(start);
    out.set(start, prev ? { landed: Math.max(prev.landed, e.landed), total: Math.max(prev.total, e.total) } : e);
  }
  return out;
}

export interface ScheduleSettings {
  readonly periodSeconds: number;
  readonly lagSeconds: number;
  readonly backfillSeconds: number;
  readonly maxPeriodsPerRun: number;
  /** Scheduled runs read only when at least this many periods are pending (periods per read). */
  readonly periodsPerRead: number;
}

/** What a run was asked to cover: the schedule's rolling window, or a manual [start, end). */
export type RunWindow = { readonly kind: 'scheduled' } | { readonly kind: 'manual'; readonly startSeconds: number; readonly endSeconds: number };

export interface PendingDecision {
  /** The window the ledger is read over: [start, end), period-aligned. */
  readonly ledgerStartSeconds: number;
  readonly ledgerEndSeconds: number;
  /** Period starts to emit this run, oldest first (empty when waiting or nothing is pending). */
  readonly periods: readonly number[];
  /** Pending periods not taken this run because of maxPeriodsPerRun. */
  readonly deferred: number;
  /** Periods in the window already complete in the ledger. */
  readonly alreadyComplete: number;
  /** Periods held back because a request of theirs is in doubt (LedgerMemory): neither emitted nor complete. */
  readonly held: number;
  /** Why nothing is read, when nothing is. */
  readonly waiting?: string;
}

/** The end of the last period that closed `lagSeconds` before now (later ones may still receive data). */
export function closedEndSeconds(nowSeconds: number, lagSeconds: number, periodSeconds: number): number {
  return periodStartOf(nowSeconds - lagSeconds, periodSeconds);
}

/** The whole periods inside [startSeconds, endSeconds): the start rounded up, the end down; empty when end <= start. */
export function wholePeriods(startSeconds: number, endSeconds: number, periodSeconds: number): { startSeconds: number; endSeconds: number } {
  return { startSeconds: Math.ceil(startSeconds / periodSeconds) * periodSeconds, endSeconds: periodStartOf(endSeconds, periodSeconds) };
}

/** The candidate window of a run, before the ledger is known. */
export function candidateWindow(nowSeconds: number, s: ScheduleSettings, window: RunWindow): { startSeconds: number; endSeconds: number } {
  const P = s.periodSeconds;
  const closedEnd = closedEndSeconds(nowSeconds, s.lagSeconds, P);
  const oldest = wholePeriods(nowSeconds - Math.min(s.backfillSeconds, MAX_BACKFILL_SECONDS), closedEnd, P).startSeconds;
  if (window.kind === 'scheduled') return { startSeconds: oldest, endSeconds: Math.max(oldest, closedEnd) };
  // A manual backfill may reach further back than the schedule's bound, but never past what PutMetricData accepts.
  const floorStart = wholePeriods(nowSeconds - MAX_BACKFILL_SECONDS, closedEnd, P).startSeconds;
  const asked = wholePeriods(window.startSeconds, window.endSeconds, P);
  const start = Math.max(floorStart, asked.startSeconds);
  const end = Math.min(closedEnd, asked.endSeconds);
  return { startSeconds: start, endSeconds: Math.max(start, end) };
}

export function decidePending(nowSeconds: number, s: ScheduleSettings, window: RunWindow, ledger: Ledger, held: ReadonlyMap<number, number> = new Map()): PendingDecision {
  const P = s.periodSeconds;
  const { startSeconds, endSeconds } = candidateWindow(nowSeconds, s, window);
  const pending: number[] = [];
  let alreadyComplete = 0;
  let heldCount = 0;
  for (let t = startSeconds; t < endSeconds; t += P) {
    if (isComplete(ledger.get(t))) alreadyComplete++;
    else if (held.has(t)) heldCount++;
    else pending.push(t);
  }
  const base = { ledgerStartSeconds: startSeconds, ledgerEndSeconds: endSeconds, alreadyComplete, held: heldCount };
  if (pending.length === 0) {
    const until = Math.max(0, ...held.values());
    const waiting = heldCount > 0 ? `${heldCount} period(s) held until ${new Date(until * 1000).toISOString()}: a request of theirs may have landed` : 'no closed period is pending';
    return { ...base, periods: [], deferred: 0, waiting };
  }
  if (window.kind === 'scheduled' && pending.length < s.periodsPerRead) {
    // Waiting is safe only while the oldest pending period stays inside the backfill bound for another round.
    const expiresSoon = pending[0]! < startSeconds + s.periodsPerRead * P;
    if (!expiresSoon) {
      return {
        ...base,
        periods: [],
        deferred: 0,
        waiting: `${pending.length} period(s) pending, fewer than the ${s.periodsPerRead} a read waits for`,
      };
    }
  }
  const periods = pending.slice(0, s.maxPeriodsPerRun);
  return { ...base, periods, deferred: pending.length - periods.length };
}

/**
 * When CloudWatch's ledger can be trusted to show a request that may have landed at `sentBeforeSeconds` (the
 * latest it can have been sent: the run's start plus the longest invocation) for a period starting at
 * `periodStartSeconds`. PutMetricData: "Data points with time stamps from 24 hours ago or longer can take at least
 * 48 hours to become available for GetMetricData ... Data points with time stamps between 3 and 24 hours ago can
 * take as much as 2 hours" (CloudWatch API Reference, PutMetricData); fresher data is stated no bound, and
 * netrecon waits IN_DOUBT_HOLD_RECENT_SECONDS (docs/aws.md, "In-doubt puts").
 */
export function ledgerVisibleAtSeconds(periodStartSeconds: number, sentBeforeSeconds: number): number {
  const ageSeconds = sentBeforeSeconds - periodStartSeconds;
  const delay = ageSeconds >= 86_400 ? PUT_VISIBLE_AFTER_SECONDS.olderThanADay : ageSeconds >= 3 * 3600 ? PUT_VISIBLE_AFTER_SECONDS.olderThan3Hours : IN_DOUBT_HOLD_RECENT_SECONDS;
  return sentBeforeSeconds + delay;
}

/**
 * This container's own record of what it emitted, merged with CloudWatch's ledger on every run. CloudWatch can
 * show a fresh marker late (and data 3-24 h old up to 2 h late), so a warm container does not trust an
 * empty answer for a period it emitted itself. Lost on a cold start; see docs/aws.md for the limits.
 *
 * It also remembers requests **in doubt**: a put that failed with anything but throttling (a 5xx, a timeout, a
 * reset, an abort) may have landed. Sending it again could double it; not sending it could lose it. So its
 * periods are held back (neither emitted nor taken as complete) until CloudWatch's ledger can be trusted to show
 * the request if it landed; then the ledger decides: it landed (the period resumes after it) or it did not (it is
 * sent again).
 */
export class LedgerMemory {
  private readonly byCluster = new Map<string, Map<number, LedgerEntry>>();
  /** Period start -> when the ledger can be trusted to show its in-doubt request (epoch seconds). */
  private readonly inDoubtByCluster = new Map<string, Map<number, number>>();

  private static key(namespace: string, cluster: string): string {
    return `${namespace}\u0000${cluster}`;
  }

  private entries(namespace: string, cluster: string): Map<number, LedgerEntry> {
    const key = LedgerMemory.key(namespace, cluster);
    let m = this.byCluster.get(key);
    if (!m) this.byCluster.set(key, (m = new Map()));
    return m;
  }

  view(namespace: string, cluster: string): Ledger {
    return this.entries(namespace, cluster);
  }

  /** Before sending: the period needs `total` requests, `landed` of them are already in. */
  expect(namespace: string, cluster: string, periodStartSeconds: number, landed: number, total: number): void {
    this.entries(namespace, cluster).set(periodStartSeconds, { landed, total });
  }

  landed(namespace: string, cluster: string, periodStartSeconds: number): void {
    const m = this.entries(namespace, cluster);
    const e = m.get(periodStartSeconds) ?? { landed: 0, total: 1 };
    m.set(periodStartSeconds, { landed: e.landed + 1, total: e.total });
  }

  /** A request of this period may or may not have landed; hold the period until `trustLedgerAtSeconds`. */
  inDoubt(namespace: string, cluster: string, periodStartSeconds: number, trustLedgerAtSeconds: number): void {
    const key = LedgerMemory.key(namespace, cluster);
    let m = this.inDoubtByCluster.get(key);
    if (!m) this.inDoubtByCluster.set(key, (m = new Map()));
    m.set(periodStartSeconds, Math.max(m.get(periodStartSeconds) ?? 0, trustLedgerAtSeconds));
  }

  /** Periods still held at `nowSeconds` (start -> when the ledger is trusted for them); forgets the others. */
  held(namespace: string, cluster: string, nowSeconds: number): ReadonlyMap<number, number> {
    const m = this.inDoubtByCluster.get(LedgerMemory.key(namespace, cluster));
    if (!m) return new Map();
    for (const [start, at] of m) if (at <= nowSeconds) m.delete(start);
    return new Map(m);
  }

  /** Forgets periods older than the backfill bound. */
  prune(oldestSeconds: number): void {
    for (const m of [...this.byCluster.values(), ...this.inDoubtByCluster.values()]) for (const start of m.keys()) if (start < oldestSeconds) m.delete(start);
  }
}
