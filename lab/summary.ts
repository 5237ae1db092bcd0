/**
 * The lab's per-phase summary: what the application moved and what the kernel counted (measured by the lab),
 * next to what the reconciler made of the capture (naive, corrected, pod, double-counted). Detection stays
 * apart from presentation: `summarise` builds data, `renderSummaryText` renders it.
 */
import { buildRules, classifyInterface, type InterfaceClass } from '../lambda/core/interface-rules';
import type { NodePeriodResult, NodeStatus, ReconcileReport } from '../lambda/core/model';
import { explainGap } from '../lambda/report/explain';
import { findingWords } from '../lambda/report/finding-words';
import type { PhasePeriod } from './capture';
import type { LabRun } from './lab';

export interface InterfaceSummary {
  readonly name: string;
  readonly interfaceClass: InterfaceClass;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface PhaseSummary {
  readonly phase: string;
  readonly title: string;
  readonly path: string;
  /** Start of the synthetic period holding this phase in the capture. */
  readonly periodStart: string;
  /** Body bytes the client application received. */
  readonly appBytes: number;
  readonly transferSeconds: number;
  readonly countersSettled: boolean;
  /** Kernel counter deltas in the node's namespace, every interface including `lo`. */
  readonly interfaces: readonly InterfaceSummary[];
  /** From the reconciler; null when it has no figure for the period. */
  readonly naiveTotalBytes: number | null;
  readonly correctedTotalBytes: number | null;
  /** podRxBytes + podTxBytes: everything the pods' host veths carried. */
  readonly podBytes: number | null;
  readonly doubleCountedBytes: number | null;
  readonly hostOnlyBytes: number | null;
  readonly ec2InBytes: number | null;
  readonly ec2OutBytes: number | null;
  readonly containerInsightsTotalBytes: number | null;
  readonly status: NodeStatus | null;
  readonly findings: readonly string[];
}

export interface LabSummary {
  readonly runId: string;
  readonly mib: number;
  readonly capturePath: string;
  readonly replayCommand: string;
  /** The HTML report beside the capture, or null when the reconciler failed. */
  readonly htmlReportPath: string | null;
  readonly instanceId: string;
  readonly hostVeths: LabRun['hostVeths'];
  readonly wallSeconds: number;
  readonly timings: { readonly setupSeconds: number; readonly phasesSeconds: number; readonly teardownSeconds: number; readonly reconcileSeconds: number };
  readonly phases: readonly PhaseSummary[];
  readonly failures: LabRun['failures'];
  readonly teardownFailures: readonly string[];
  /** The reconciler's run summary, what it skipped, and its one-sentence explanation of the gap. */
  readonly reconcile: { readonly summary: ReconcileReport['summary']; readonly skipped: ReconcileReport['skipped']; readonly explanation: string } | null;
  readonly reconcileError: string | null;
}

export interface SummaryInput {
  readonly run: LabRun;
  readonly mib: number;
  readonly capturePath: string;
  readonly htmlReportPath?: string | null;
  readonly periods: readonly PhasePeriod[];
  readonly report: ReconcileReport | null;
  readonly reconcileError: string | null;
  readonly reconcileMs: number;
  readonly wallMs: number;
}

const sumOrNull = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

export function summarise(input: SummaryInput): LabSummary {
  const rules = buildRules();
  const phases = input.run.measurements.map((m): PhaseSummary => {
    const periodStart = input.periods.find((p) => p.phaseId === m.id)?.periodStart ?? '';
    const result: NodePeriodResult | undefined = input.report?.nodePeriods.find(
      (r) => r.instanceId === input.run.instanceId && Date.parse(r.periodStart) === Date.parse(periodStart),
    );
    return {
      phase: m.id,
      title: m.title,
      path: m.path,
      periodStart,
      appBytes: m.appBytes,
      transferSeconds: m.transferMs / 1000,
      countersSettled: m.countersSettled,
      interfaces: m.interfaces.map((i) => ({ name: i.name, interfaceClass: classifyInterface(i.name, rules).interfaceClass, rxBytes: i.rxBytes, txBytes: i.txBytes })),
      naiveTotalBytes: result?.naiveTotalBytes ?? null,
      correctedTotalBytes: result?.correctedTotalBytes ?? null,
      podBytes: result ? sumOrNull(result.podRxBytes, result.podTxBytes) : null,
      doubleCountedBytes: result?.doubleCountedBytes ?? null,
      hostOnlyBytes: result?.hostOnlyBytes ?? null,
      ec2InBytes: result?.ec2InBytes ?? null,
      ec2OutBytes: result?.ec2OutBytes ?? null,
      containerInsightsTotalBytes: result?.containerInsightsTotalBytes ?? null,
      status: result?.status ?? null,
      findings: result?.findings.map((f) => `${f.status}: ${findingWords(f)}`) ?? [],
    };
  });
  const t = input.run.timings;
  return {
    runId: input.run.runId,
    mib: input.mib,
    capturePath: input.capturePath,
    replayCommand: `node bin/netrecon.mjs reconcile --from ${input.capturePath}`,
    htmlReportPath: input.htmlReportPath ?? null,
    instanceId: input.run.instanceId,
    hostVeths: input.run.hostVeths,
    wallSeconds: input.wallMs / 1000,
    timings: { setupSeconds: t.setupMs / 1000, phasesSeconds: t.phasesMs / 1000, teardownSeconds: t.teardownMs / 1000, reconcileSeconds: input.reconcileMs / 1000 },
    phases,
    failures: input.run.failures,
    teardownFailures: input.run.teardownFailures,
    reconcile: input.report ? { summary: input.report.summary, skipped: input.report.skipped, explanation: explainGap(input.report) } : null,
    reconcileError: input.reconcileError,
  };
}

const bytes = (n: number | null): string => (n === null ? '-' : n.toLocaleString('en-US'));
const ratio = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? '-' : (a / b).toFixed(3));

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export function renderSummaryText(summary: LabSummary): string {
  const out: string[] = [`netrecon lab ${summary.runId}: ${summary.mib} MiB per phase, ${summary.wallSeconds.toFixed(1)} s wall time`, ''];
  for (const p of summary.phases) {
    out.push(`Phase ${p.phase}: ${p.title}  [${p.path}]  (period ${p.periodStart})`);
    out.push(`  application received ${bytes(p.appBytes)} bytes in ${p.transferSeconds.toFixed(2)} s${p.countersSettled ? '' : '  (counters had not settled)'}`);
    const rows = [['  interface', 'class', 'rx bytes', 'tx bytes'], ...p.interfaces.map((i) => [`  ${i.name}`, i.interfaceClass, bytes(i.rxBytes), bytes(i.txBytes)])];
    out.push(table(rows));
    out.push(
      `  naive ${bytes(p.naiveTotalBytes)}  corrected ${bytes(p.correctedTotalBytes)}  pod ${bytes(p.podBytes)}  ` +
        `double-counted ${bytes(p.doubleCountedBytes)}  naive/corrected ${ratio(p.naiveTotalBytes, p.correctedTotalBytes)}  ` +
        `pod/app ${ratio(p.podBytes, p.appBytes)}  status ${p.status ?? '-'}`,
    );
    for (const f of p.findings) out.push(`  - ${f}`);
    out.push('');
  }
  for (const f of summary.failures) out.push(`Phase ${f.id} FAILED: ${f.error}`);
  for (const f of summary.teardownFailures) out.push(`Teardown FAILED: ${f}`);
  if (summary.reconcileError) out.push(`Reconciler FAILED: ${summary.reconcileError}`);
  out.push(`Capture: ${summary.capturePath}  (EC2 and Container Insights series in it are simulated from the kernel counters)`);
  out.push(`Replay:  ${summary.replayCommand}`);
  if (summary.htmlReportPath) out.push(`Report:  ${summary.htmlReportPath}  (open it in a browser)`);
  return out.join('\n');
}
