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

/** 0 when every node-period is ok and nothing was skipped, else 2. */
export function exitCodeFor(report: ReconcileReport): number {
  const allOk = report.nodePeriods.every((n) => n.status === 'ok');
  return allOk && report.skipped.length === 0 ? EXIT.ok : EXIT.notReconciled;
}
