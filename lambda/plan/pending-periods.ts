/**
 * Which closed periods a run must emit, decided purely from the exactly-once ledger (aws/ledger.ts reads it;
 * docs/aws.md, "Exactly once"): per period, the requests that landed and the requests its data needs.
 */
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

/**
 * What a run was asked to cover: the schedule's rolling window, a manual [start, end), or the last `seconds` of
 * closed periods (the CLI's default), placed once the service's time is known (aws/server-clock.ts).
 */
export type RunWindow =
  | { readonly kind: 'scheduled' }
  | { readonly kind: 'manual'; readonly startSeconds: number; readonly endSeconds: number }
  | { readonly kind: 'lastClosed'; readonly seconds: number };

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

/**
 * The last hour of closed periods: what `netrecon reconcile --cluster` reads without --start/--end, and what
 * `netrecon doctor` reconciles to say whether a deploy would be ok (docs/doctor.md).
 */
export function lastHourOfClosedPeriods(nowSeconds: number, lagSeconds: number, periodSeconds: number): { startSeconds: number; endSeconds: number } {
  const closedEnd = closedEndSeconds(nowSeconds, lagSeconds, periodSeconds);
  return { startSeconds: closedEnd - Math.ceil(3600 / periodSeconds) * periodSeconds, endSeconds: closedEnd };
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
  const asked =
    window.kind === 'lastClosed' ? { startSeconds: closedEnd - Math.ceil(window.seconds / P) * P, endSeconds: closedEnd } : wholePeriods(window.startSeconds, window.endSeconds, P);
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
    let until = 0;
    for (const t of held.values()) until = Math.max(until, t);
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
