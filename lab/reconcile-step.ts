/**
 * Runs the project's reconciler on the lab's capture through the path a replay takes
 * (`netrecon reconcile --from FILE`): the file as written is read back and validated, then reconciled; the HTML
 * report is written beside the capture, as `reconcile --format html` would write it.
 */
import { writeFile } from 'node:fs/promises';
import type { Capture } from '../lambda/capture/capture';
import { readCaptureFile, writeCaptureFile } from '../lambda/capture/io';
import { makeReconcileConfig } from '../lambda/core/config';
import type { ReconcileReport } from '../lambda/core/model';
import { reconcile } from '../lambda/core/reconcile';
import { renderHtml } from '../lambda/report/html';

export async function writeAndReconcile(capture: Capture, path: string): Promise<ReconcileReport> {
  await writeCaptureFile(path, capture);
  const { capture: validated, skipped } = await readCaptureFile(path);
  return reconcile(validated, makeReconcileConfig({ periodSeconds: validated.periodSeconds }), { skipped });
}

/** `lab.capture.json` → `lab.report.html`, in the same directory. */
export function htmlReportPathFor(capturePath: string): string {
  return `${capturePath.replace(/(\.capture)?\.json$/, '')}.report.html`;
}

export async function writeHtmlReport(report: ReconcileReport, capturePath: string): Promise<string> {
  const path = htmlReportPathFor(capturePath);
  await writeFile(path, renderHtml(report, { source: `the namespace lab's capture ${capturePath} (EC2 and Container Insights simulated from the kernel counters)` }));
  return path;
}
