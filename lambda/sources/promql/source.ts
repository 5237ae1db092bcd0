/**
 * The PromQL source as the pipeline sees it: a handle (its settings and a reader already signed for its kind)
 * and one call that reads some inventory nodes over a window into per-interface series for the capture, plus the
 * items it had to skip. A read that fails is PromqlReadFailedError, so that nothing unread is published.
 */
import type { CaptureNode, CaptureSeries } from '../../capture/capture';
import { ReadFailedError } from '../../aws/metric-reader';
import type { SkippedItem } from '../../core/model';
import { PromqlError } from './errors';
import type { PromqlHttpReader } from './http-reader';
import { readPromql, type PodPeriods, type PromqlRead } from './read-source';
import type { PromqlSourceSettings } from './settings';
import { promqlCaptureSeries } from './to-capture';

export interface PromqlSourceHandle {
  readonly settings: PromqlSourceSettings;
  readonly reader: PromqlHttpReader;
  /** Where a run that reports (the CLI) keeps what the core does not take: the per-pod figures, the counts. */
  readonly collected?: { pods: PodPeriods[]; queries: number; samples: number };
}

/** A ReadFailedError, so the pipeline treats it as any failed read: the periods stay pending, nothing is published. */
export class PromqlReadFailedError extends ReadFailedError {
  constructor(context: string, cause: PromqlError) {
    super([{ series: ['PromQL per-interface counters'], reason: cause.message }], 0, context);
    this.message = `PromQL: the per-interface counters of ${context} could not be read: ${cause.message}. Nothing was published for these periods: they stay pending and the next run reads them again.`;
    this.name = 'PromqlReadFailedError';
    this.cause = cause;
  }
}

export interface PromqlCaptureRead {
  readonly series: CaptureSeries[];
  readonly skipped: SkippedItem[];
  readonly read: PromqlRead;
}

export async function readPromqlSeries(
  handle: PromqlSourceHandle,
  input: { cluster: string; nodes: readonly CaptureNode[]; windowStartSeconds: number; windowEndSeconds: number; periodSeconds: number; context: string; progress?: (m: string) => void },
): Promise<PromqlCaptureRead> {
  let read: PromqlRead;
  try {
    read = await readPromql({ ...input, settings: handle.settings, reader: handle.reader });
  } catch (error) {
    if (error instanceof PromqlError) throw new PromqlReadFailedError(input.context, error);
    throw error;
  }
  if (handle.collected) {
    handle.collected.pods.push(...read.pods);
    handle.collected.queries += read.queries;
    handle.collected.samples += read.samples;
  }
  return { series: promqlCaptureSeries(read.devices, input.periodSeconds), skipped: read.skipped, read };
}
