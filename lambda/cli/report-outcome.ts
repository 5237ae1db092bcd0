/**
 * What every reconciling command tells the user besides the report: a warning line per skipped input (stderr)
 * and the exit status. Shared by `reconcile --from`, `reconcile --cluster` and `capture`.
 */
import { displayName, previewValue } from '../core/display-text';
import type { ReconcileReport, SkippedItem } from '../core/model';
import { EXIT, type CommandIo } from './usage';

/** How much of a skipped item's reference and value a warning shows: one readable line, whatever the input. */
const WARNING_REF_CHARS = 300;
const WARNING_VALUE_CHARS = 120;

/** One stderr line per skipped item, with the offending value (previewed, truncated) when there is one. */
export function warnSkipped(skipped: readonly SkippedItem[], io: CommandIo): void {
  for (const s of skipped) {
    const value = s.value === undefined ? '' : ` (value: ${previewValue(s.value, WARNING_VALUE_CHARS)})`;
    io.stderr(`warning: skipped ${s.kind} ${displayName(s.ref, WARNING_REF_CHARS)}: ${displayName(s.reason, WARNING_REF_CHARS)}${value}\n`);
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
