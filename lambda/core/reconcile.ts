import type { Capture } from '../capture/capture';
import type { ReconcileConfig } from './config';
import type { ReconcileReport, SkippedItem } from './model';

export interface ReconcileOptions {
  /** Items the caller already skipped (bad series found while validating a capture); counted in the summary. */
  readonly skipped?: readonly SkippedItem[];
}

/** Reconciles every node and whole period of a (validated) capture. Pure: no I/O, no clock. */
export function reconcile(capture: Capture, config: ReconcileConfig, options: ReconcileOptions = {}): ReconcileReport {
  void capture;
  void config;
  void options;
  throw new Error('not implemented yet');
}
