/**
 * What every reconciling command tells the user besides the report: a warning line per skipped input (stderr)
 * and the exit status. Shared by `reconcile --from`, `reconcile --cluster` and `capture`.
 */
import type { ReconcileReport, SkippedItem } from '../core/model';
import { EXIT, type CommandIo } from './usage';

/** One stderr line per skipped item, with the offending value when there is one. */
export function warnSkipped(skipped: readonly SkippedItem[], io: CommandIo): void {
  for (const s of skipped) {
    const value = s.value === undefined ? '' : ` (value: ${JSON.stringify(s.value)})`;
    io.stderr(`warning: skipped ${s.kind} ${s.ref}: ${s.reason}${value}\n`);
  }
}

/**
 * 0 when every node-period is ok and nothing was skipped, else 2. Judged on the summary's counts, not on the
 * node-period list: a report merged from node batches may carry no node-periods at all.
 */
export function exitCodeFor(report: ReconcileReport): number {
  const { nodePeriods, nodePeriodsByStatus } = report.summary;
  const allOk = nodePeriodsByStatus.ok === nodePeriods;
  return allOk && report.skipped.length === 0 ? EXIT.ok : EXIT.notReconciled;
}
