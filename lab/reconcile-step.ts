/**
 * Runs the project's reconciler on the lab's capture, through the same path a replay takes
 * (`netrecon reconcile --from FILE`): the written file is validated, then reconciled.
 */
import type { Capture } from '../lambda/capture/capture';
import { makeReconcileConfig } from '../lambda/core/config';
import type { ReconcileReport } from '../lambda/core/model';
import { reconcile } from '../lambda/core/reconcile';

export function reconcileLabCapture(capture: Capture): ReconcileReport {
  return reconcile(capture, makeReconcileConfig({ periodSeconds: capture.periodSeconds }));
}
