/**
 * What a run says when the reads of its pending periods failed (docs/aws.md, "A failed read"): the periods stay
 * pending (nothing was published, so the ledger does not have them), the cluster fails so the invocation's
 * Errors metric and the alarms see it, and the message names the oldest period and when it leaves the backfill
 * window. A period that leaves the window unread is never published: a gap in the series, never a figure built
 * on a failed read.
 */
import { isoOf } from './core/units';
import type { ReadFailedError } from './aws/metric-reader';
import { MAX_BACKFILL_SECONDS } from './plan/limits';
import type { RunWindow, ScheduleSettings } from './plan/pending-periods';
import { NetReconError } from './core/errors';

/** The bound a period must stay inside to be published: the schedule's backfill, or 14 days for a manual run. */
export function backfillBoundSeconds(schedule: ScheduleSettings, window: RunWindow): number {
  return window.kind === 'scheduled' ? Math.min(schedule.backfillSeconds, MAX_BACKFILL_SECONDS) : MAX_BACKFILL_SECONDS;
}

export class UnreadPeriodsError extends NetReconError {
  /** Epoch seconds after which the oldest unread period is outside the window and never published. */
  readonly oldestLeavesWindowAtSeconds: number;
  /** True when the oldest unread period leaves the window within one period: the next run may no longer take it. */
  readonly atHorizon: boolean;

  constructor(
    readonly cluster: string,
    /** Period starts that were to be published this run, oldest first. */
    readonly periods: readonly number[],
    readonly periodSeconds: number,
    backfillBound: number,
    nowSeconds: number,
    readonly readError: ReadFailedError,
  ) {
    const oldest = periods[0]!;
    // A period p is inside the window while now <= p + bound (the window starts at now - bound, rounded up).
    const leavesAt = oldest + backfillBound;
    const atHorizon = leavesAt < nowSeconds + periodSeconds;
    super(
      `${periods.length} period(s) of cluster ${cluster} were not published because a read failed: ${readError.message} ` +
        (atHorizon
          ? `The oldest, ${isoOf(oldest)}, reaches the end of the backfill window (${backfillBound} s) at ${isoOf(leavesAt)}: unless it is read by then, it is never published.`
          : `The oldest, ${isoOf(oldest)}, can be retried until ${isoOf(leavesAt)} (the backfill window, ${backfillBound} s); after that it is never published.`),
      { cause: readError },
    );
    this.name = 'UnreadPeriodsError';
    this.oldestLeavesWindowAtSeconds = leavesAt;
    this.atHorizon = atHorizon;
  }
}
