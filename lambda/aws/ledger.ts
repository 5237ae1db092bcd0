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
import { MAX_BACKFILL_SECONDS } from './limits';

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

export async function readLedger(rt: AwsRuntime, q: LedgerQuery): Promise<Map<number, LedgerEntry>> {
  const metric = {
    Namespace: q.namespace,
    MetricName: LEDGER_METRIC.name,
    Dimensions: [{ Name: DIMENSION.cluster, Value: q.cluster }],
  };
  const landed = new Map<number, number>();
  const total = new Map<number, number>();
  if (q.endSeconds <= q.startSeconds) return new Map();
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
        (r.Timestamps ?? []).forEach((t, i) => {
          const v = r.Values?.[i];
          if (v !== undefined) into.set(Math.round(t.getTime() / 1000), v);
        });
      }
    },
  );
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

export function decidePending(nowSeconds: number, s: ScheduleSettings, window: RunWindow, ledger: Ledger): PendingDecision {
  const P = s.periodSeconds;
  const { startSeconds, endSeconds } = candidateWindow(nowSeconds, s, window);
  const pending: number[] = [];
  let alreadyComplete = 0;
  for (let t = startSeconds; t < endSeconds; t += P) {
    if (isComplete(ledger.get(t))) alreadyComplete++;
    else pending.push(t);
  }
  const base = { ledgerStartSeconds: startSeconds, ledgerEndSeconds: endSeconds, alreadyComplete };
  if (pending.length === 0) return { ...base, periods: [], deferred: 0, waiting: 'no closed period is pending' };
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
 * This container's own record of what it emitted, merged with CloudWatch's ledger on every run. CloudWatch can
 * show a fresh marker late (and data 3-24 h old up to 2 h late), so a warm container does not trust an
 * empty answer for a period it emitted itself. Lost on a cold start; see docs/aws.md for the limits.
 */
export class LedgerMemory {
  private readonly byCluster = new Map<string, Map<number, LedgerEntry>>();

  private entries(namespace: string, cluster: string): Map<number, LedgerEntry> {
    const key = `${namespace}\u0000${cluster}`;
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

  /** Forgets periods older than the backfill bound. */
  prune(oldestSeconds: number): void {
    for (const m of this.byCluster.values()) for (const start of m.keys()) if (start < oldestSeconds) m.delete(start);
  }
}
