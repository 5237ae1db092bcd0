/**
 * Runs the project's reconciler on the lab's capture through the path a replay takes
 * (`netrecon reconcile --from FILE`): the file as written is read back and validated, then reconciled.
 */
import type { Capture } from '../lambda/capture/capture';
import { readCaptureFile, writeCaptureFile } from '../lambda/capture/io';
import { makeReconcileConfig } from '../lambda/core/config';
import type { ReconcileReport } from '../lambda/core/model';
import { reconcile } from '../lambda/core/reconcile';

export async function writeAndReconcile(capture: Capture, path: string): Promise<ReconcileReport> {
  await writeCaptureFile(path, capture);
  const { capture: validated, skipped } = await readCaptureFile(path);
  return reconcile(validated, makeReconcileConfig({ periodSeconds: validated.periodSeconds }), { skipped });
}
