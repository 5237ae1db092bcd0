/**
 * The report in the format asked for, written where asked: stdout, or `-o FILE`. Shared by `reconcile --from`
 * and `reconcile --cluster`, so both print the same report for the same data.
 */
import { writeFile } from 'node:fs/promises';
import type { ReconcileReport } from '../core/model';
import { explainGap } from '../report/explain';
import { withWordedFindings } from '../report/finding-words';
import { renderHtml } from '../report/html';
import { renderTable } from '../report/table';
import { UsageError, type CommandIo } from './usage';

export const REPORT_FORMATS = ['table', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function parseReportFormat(raw: string | undefined): ReportFormat {
  const format = raw ?? 'table';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be table, json or html; got ${JSON.stringify(format)}`);
  }
  return format as ReportFormat;
}

export interface ReportContext {
  /** Where the data came from, shown in the HTML report. */
  readonly source: string;
  /** Extra JSON fields (the live CLI's `publish`). */
  readonly extraJson?: Readonly<Record<string, unknown>>;
  /** Lines about the run, shown in the HTML report (the table prints its own). */
  readonly notes?: readonly string[];
}

export function formatReport(report: ReconcileReport, format: ReportFormat, context: ReportContext): string {
  if (format === 'json') return `${JSON.stringify({ ...withWordedFindings(report), explanation: explainGap(report), ...context.extraJson }, null, 2)}\n`;
  if (format === 'html') return renderHtml(report, { source: context.source, ...(context.notes ? { notes: context.notes } : {}) });
  return renderTable(report);
}

/** stdout when `out` is absent or "-", else the file (a failure to write it is the user's to fix: exit 1). */
export async function writeReport(text: string, out: string | undefined, io: CommandIo): Promise<void> {
  if (out === undefined || out === '-') {
    io.stdout(text);
    return;
  }
  try {
    await writeFile(out, text);
  } catch (cause) {
    throw new UsageError(`cannot write the report to ${out}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, 'Check that the directory exists and is writable.');
  }
  io.stderr(`netrecon: report written to ${out}\n`);
}
