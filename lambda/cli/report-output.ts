/**
 * The report in the format asked for, written where asked: stdout, or `-o FILE`. Shared by `reconcile --from`
 * and `reconcile --cluster`, so both print the same report for the same data.
 */
import { open } from 'node:fs/promises';
import type { NodePeriodResult, ReconcileReport } from '../core/model';
import { explainGap } from '../report/explain';
import { wordedNodePeriod } from '../report/finding-words';
import { renderHtml } from '../report/html';
import { tableLines } from '../report/table';
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

/**
 * The report as pieces of text to write one after the other. JSON and the table are streamed: a report of millions
 * of node-periods is gigabytes of text, more than one string can hold (V8's limit is about 2^29 characters) and more
 * than the heap holds twice. The JSON is exactly what JSON.stringify(value, null, 2) writes, its long lists written
 * one element at a time.
 */
export function reportChunks(report: ReconcileReport, format: ReportFormat, context: ReportContext): Iterable<string> {
  if (format === 'json') {
    const top: Record<string, unknown> = { ...report, explanation: explainGap(report), ...context.extraJson };
    return jsonChunks(top, { nodePeriods: (np) => wordedNodePeriod(np as NodePeriodResult), clusterPeriods: (c) => c, skipped: (s) => s });
  }
  if (format === 'html') return [renderHtml(report, { source: context.source, ...(context.notes ? { notes: context.notes } : {}) })];
  return tableLines(report);
}

/** The report in one string, for a report known to be small (tests). */
export function formatReport(report: ReconcileReport, format: ReportFormat, context: ReportContext): string {
  let text = '';
  for (const chunk of reportChunks(report, format, context)) text += chunk;
  return text;
}

/** An object as JSON.stringify(value, null, 2) writes it, plus a newline; the lists named in `streamed` one element at a time, each mapped first. */
function* jsonChunks(value: Record<string, unknown>, streamed: Readonly<Record<string, (item: unknown) => unknown>>): Generator<string> {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (const [i, [key, v]] of entries.entries()) {
    const end = i === entries.length - 1 ? '\n' : ',\n';
    const map = Object.hasOwn(streamed, key) ? streamed[key] : undefined;
    if (map && Array.isArray(v) && v.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      // A JSON text has no raw newline inside a string, so re-indenting each line of an element is exact.
      for (let k = 0; k < v.length; k++) yield `    ${(JSON.stringify(map(v[k]), null, 2) ?? 'null').replaceAll('\n', '\n    ')}${k === v.length - 1 ? '\n' : ',\n'}`;
      yield `  ]${end}`;
    } else {
      yield `  ${JSON.stringify(key)}: ${JSON.stringify(v, null, 2).replaceAll('\n', '\n  ')}${end}`;
    }
  }
  yield '}\n';
}

/** Pieces are gathered up to this many characters before each write: few writes, and no string near V8's limit. */
const WRITE_CHARS = 1 << 20;

/** stdout when `out` is absent or "-", else the file (a failure to write it is the user's to fix: exit 1). */
export async function writeReport(text: string | Iterable<string>, out: string | undefined, io: CommandIo): Promise<void> {
  const pieces = typeof text === 'string' ? [text] : text;
  if (out === undefined || out === '-') {
    for (const batch of batches(pieces)) io.stdout(batch);
    return;
  }
  const failed = (cause: unknown) =>
    new UsageError(`cannot write the report to ${out}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, 'Check that the directory exists and is writable.');
  const file = await open(out, 'w').catch((cause: unknown) => {
    throw failed(cause);
  });
  try {
    for (const batch of batches(pieces)) {
      await file.write(batch).catch((cause: unknown) => {
        throw failed(cause);
      });
    }
  } finally {
    await file.close();
  }
  io.stderr(`netrecon: report written to ${out}\n`);
}

/** The pieces of each part in turn. */
export function* chain(...parts: Iterable<string>[]): Generator<string> {
  for (const part of parts) yield* part;
}

function* batches(pieces: Iterable<string>): Generator<string> {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= WRITE_CHARS) {
      yield batch;
      batch = '';
    }
  }
  if (batch.length > 0) yield batch;
}
