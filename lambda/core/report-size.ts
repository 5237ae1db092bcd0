/**
 * How big a whole report of a capture would be, before it is built. A node-period costs about 600 bytes of
 * memory and 20 µs, and a capture's nodes multiply its periods: a 10 KB file listing 200 nodes over 15 days of
 * 60 s periods asks for 4.3 million node-periods (2.6 GB). A report that holds every node-period at once (the
 * CLI's `reconcile --from`) is therefore bounded; the pipeline bounds its own batches (lambda/pipeline.ts).
 */
import type { Capture } from '../capture/capture';
import { periodGrid } from './align';
import { epochSecondsOf } from './units';
import { NetReconError } from './errors';

/**
 * At most this many node-periods in one report: 100,000 nodes for an hour of 300 s periods (1.2 million) fit, as
 * does one node for 15 days of 60 s periods. The report is held whole in memory (2.15 GB peak at the cap, measured
 * in docs/capture-format.md); its JSON and table are written in pieces (cli/report-output.ts), gigabytes of text.
 */
export const MAX_NODE_PERIODS = 2_000_000;

export class ReportSizeError extends NetReconError {
  constructor(
    readonly nodePeriods: number,
    readonly limit: number,
    hint: string,
  ) {
    super(`the capture makes ${nodePeriods} node-periods (each node times the periods it ran in), more than the ${limit} one report holds. ${hint}`, { value: nodePeriods, hint });
    this.name = 'ReportSizeError';
  }
}

/** The node-periods `reconcile` would make: for each node, the periods of the grid it ran in. O(nodes). */
export function nodePeriodCount(capture: Capture, periodSeconds: number): number {
  const grid = periodGrid(capture.window.start, capture.window.end, periodSeconds);
  const P = periodSeconds;
  let total = 0;
  for (const n of capture.nodes) {
    const launch = epochSecondsOf(n.launchTime);
    const end = n.endTime ? epochSecondsOf(n.endTime) : Number.POSITIVE_INFINITY;
    // Period k starts at firstStart + kP; the node ran in it when launch < start + P and end > start.
    const first = Math.max(0, Math.floor((launch - P - grid.firstStart) / P) + 1);
    const last = end === Number.POSITIVE_INFINITY ? grid.count : Math.min(grid.count, Math.ceil((end - grid.firstStart) / P));
    total += Math.max(0, last - first);
  }
  return total;
}

export function checkReportSize(capture: Capture, periodSeconds: number, limit = MAX_NODE_PERIODS): void {
  const count = nodePeriodCount(capture, periodSeconds);
  if (count > limit) {
    throw new ReportSizeError(count, limit, 'Reconcile a shorter window or fewer nodes per capture, or use a longer --period.');
  }
}
