/**
 * Runs the suite's steps in order and prints, per step: the outcome, the time, the requests the emulator
 * answered (by service:Operation, from every process: harness, CDK CLI, bundle, CLI), and the metrics
 * emitted and compared. A failed step skips the rest except those marked `always`, and except the other steps of
 * its own `group` (independent scenarios: one that fails says nothing about the next).
 */
import { callsBetween } from './emulator';

export type Outcome = 'pass' | 'fail' | 'skip';

export interface StepFigures {
  /** Metric datums the product published in this step (from its own run summary). */
  emitted?: number | undefined;
  /** Values this step compared against an expectation. */
  compared?: number;
  notes: string[];
}

export interface StepRecord {
  readonly index: number;
  readonly title: string;
  readonly outcome: Outcome;
  readonly seconds: number;
  readonly calls: Record<string, number>;
  readonly figures: StepFigures;
  readonly error?: string;
}

export interface StepDefinition {
  readonly title: string;
  /** Runs even after an earlier step failed (final checks, teardown). */
  readonly always?: boolean;
  /**
   * Steps of one group are independent of each other: a failed step of the group does not skip the others
   * (a failure outside the group still does).
   */
  readonly group?: string;
  /** A reason to skip instead of running (e.g. nothing to tear down because nothing was deployed). */
  readonly skipBecause?: () => string | undefined;
  readonly run: (figures: StepFigures) => Promise<void>;
}

export class StepRunner {
  readonly records: StepRecord[] = [];
  /** The group of each failed step (undefined: no group). */
  private readonly failedGroups: (string | undefined)[] = [];

  constructor(
    private readonly total: number,
    private readonly calls: () => Promise<Record<string, number>>,
    private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  get anyFailed(): boolean {
    return this.failedGroups.length > 0;
  }

  async step(definition: StepDefinition): Promise<void> {
    const index = this.records.length + 1;
    const figures: StepFigures = { notes: [] };
    const head = `[${index}/${this.total}] ${definition.title}`;
    const blocking = this.failedGroups.some((g) => g === undefined || g !== definition.group);
    const skipReason = blocking && !definition.always ? 'an earlier step failed' : definition.skipBecause?.();
    if (skipReason) {
      this.records.push({ index, title: definition.title, outcome: 'skip', seconds: 0, calls: {}, figures, error: skipReason });
      this.out(`${head}\n      SKIP  ${skipReason}`);
      return;
    }
    this.out(head);
    const before = await this.safeCalls();
    const started = performance.now();
    let outcome: Outcome = 'pass';
    let error: string | undefined;
    try {
      await definition.run(figures);
    } catch (caught) {
      outcome = 'fail';
      error = caught instanceof Error ? caught.message : String(caught);
      this.failedGroups.push(definition.group);
    }
    const seconds = (performance.now() - started) / 1000;
    const calls = callsBetween(before, await this.safeCalls());
    this.records.push({ index, title: definition.title, outcome, seconds, calls, figures, ...(error ? { error } : {}) });
    for (const note of figures.notes) this.out(`      ${note}`);
    const callText = Object.entries(calls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, n]) => `${op}=${n}`)
      .join(' ');
    const counts = [
      figures.emitted !== undefined ? `emitted ${figures.emitted}` : '',
      figures.compared !== undefined ? `compared ${figures.compared}` : '',
    ].filter(Boolean);
    this.out(`      ${outcome.toUpperCase()}  ${seconds.toFixed(1)} s  ${sumCalls(calls)} calls${counts.length ? `  ${counts.join(', ')}` : ''}`);
    if (callText) this.out(`      calls: ${callText}`);
    if (error) this.out(`      ${error.split('\n').join('\n      ')}`);
  }

  private async safeCalls(): Promise<Record<string, number>> {
    try {
      return await this.calls();
    } catch {
      return {};
    }
  }

  summary(totalSeconds: number): string {
    const rows = this.records.map((r) =>
      [
        String(r.index).padStart(2),
        r.outcome.toUpperCase().padEnd(4),
        `${r.seconds.toFixed(1)} s`.padStart(8),
        String(sumCalls(r.calls)).padStart(6),
        String(r.figures.emitted ?? '').padStart(8),
        String(r.figures.compared ?? '').padStart(9),
        `  ${r.title}`,
      ].join(' '),
    );
    const passed = this.records.filter((r) => r.outcome === 'pass').length;
    const skipped = this.records.filter((r) => r.outcome === 'skip').length;
    const failed = this.records.filter((r) => r.outcome === 'fail').length;
    return [
      ' #  out       time  calls  emitted  compared    step',
      ...rows,
      `e2e took ${totalSeconds.toFixed(1)} s`,
      // Alone on the last line, in the plain form CI logs are read for.
      `e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`,
    ].join('\n');
  }
}

export function sumCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((t, n) => t + n, 0);
}
