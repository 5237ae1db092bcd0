/**
 * The lab's summary per topology, phase and node: what the applications moved and what the kernel counted
 * (measured by the lab), the kernel's ground truth for each device, what the reconciler made of the capture, and
 * the checks between them (./checks.ts). Detection stays apart from presentation: `summarise` builds data,
 * `renderSummaryText` renders it.
 */
import type { InterfaceClass } from '../lambda/core/interface-rules';
import type { NodePeriodResult, NodeStatus, ReconcileReport } from '../lambda/core/model';
import { explainGap } from '../lambda/report/explain';
import { findingWords } from '../lambda/report/finding-words';
import type { PhasePeriod } from './capture';
import { nodeInterfaces } from './capture';
import { nodeExporterNaive } from '../lambda/sources/promql/naive-sum';
import { type ChainFigures, type CheckResult, checkNode, formatRatio, type KernelFigures, type PodCounters, ratioOf } from './checks';
import { SCRAPE_INTERVAL_SECONDS } from './prometheus';
import type { KernelDevice } from './ground-truth';
import type { LabRun, TopologyRun } from './lab';
import type { PhaseMeasurement } from './phases';

export interface InterfaceSummary {
  readonly name: string;
  /** The kernel's kind (`ip -d link`), `loopback`, or null for a plain device. */
  readonly kind: string | null;
  /** The class the kernel's facts give it (./ground-truth.ts). */
  readonly kernelClass: InterfaceClass;
  /** The class `netrecon rules` printed. */
  readonly interfaceClass: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface NodePhaseSummary {
  readonly node: string;
  readonly instanceId: string;
  readonly nodeName: string;
  /** Kernel counter deltas in the node's namespace, every interface including `lo`. */
  readonly interfaces: readonly InterfaceSummary[];
  /** The eth0 deltas of the pods on this node, read in their namespaces. */
  readonly pods: readonly PodCounters[];
  /** From the reconciler; null when it has no figure for the period. */
  readonly naiveTotalBytes: number | null;
  readonly correctedTotalBytes: number | null;
  /** podRxBytes + podTxBytes: everything the pods' host veths carried. */
  readonly podBytes: number | null;
  readonly doubleCountedBytes: number | null;
  readonly hostOnlyBytes: number | null;
  readonly overlayBytes: number | null;
  readonly bridgeBytes: number | null;
  readonly ec2InBytes: number | null;
  readonly ec2OutBytes: number | null;
  readonly containerInsightsTotalBytes: number | null;
  /** naive / corrected as the report prints it (3 decimals, `-` when corrected is 0). */
  readonly naiveOverCorrected: string;
  /** The same figures from the kernel's counters and ground truth. */
  readonly kernel: KernelFigures;
  /** ENI bytes beyond the overlay devices' bytes: the VXLAN headers, when the phase's traffic was tunnelled. */
  readonly encapsulationOverheadBytes: number | null;
  readonly status: NodeStatus | null;
  readonly findings: readonly string[];
  readonly checks: readonly CheckResult[];
  /** The whole chain, when Prometheus ran: the PromQL window, what the source read per device, the figures. */
  readonly chain?: ChainFigures & {
    readonly windowStart: string;
    readonly windowSeconds: number;
    readonly interfaces: ReadonlyArray<{ readonly name: string; readonly rxBytes: number; readonly txBytes: number }>;
  };
}

export interface PhaseSummary {
  readonly phase: string;
  readonly topology: string;
  readonly title: string;
  readonly path: string;
  /** Start of the synthetic period holding this phase in the capture. */
  readonly periodStart: string;
  /** Body bytes the client applications received. */
  readonly appBytes: number;
  readonly transferSeconds: number;
  readonly countersSettled: boolean;
  readonly nodes: readonly NodePhaseSummary[];
  /** Every check of every node held. */
  readonly ok: boolean;
}

export interface TopologySummary {
  readonly topology: string;
  readonly title: string;
  readonly notes: readonly string[];
  readonly nodes: ReadonlyArray<{ readonly node: string; readonly instanceId: string; readonly nodeName: string; readonly netns: string; readonly devices: readonly KernelDevice[] }>;
  readonly phases: readonly PhaseSummary[];
  readonly ok: boolean;
}

export interface LabSummary {
  readonly runId: string;
  readonly mib: number;
  readonly capturePath: string;
  readonly replayCommand: string;
  /** The HTML report beside the capture, or null when the reconciler failed. */
  readonly htmlReportPath: string | null;
  readonly wallSeconds: number;
  readonly timings: { readonly setupSeconds: number; readonly phasesSeconds: number; readonly teardownSeconds: number; readonly reconcileSeconds: number };
  readonly topologies: readonly TopologySummary[];
  /** Whether prometheus-node-exporter ran in the nodes (its check is then in `checks`), or why not. */
  readonly nodeExporter: { readonly ran: boolean; readonly reason: string | null };
  /** Whether Prometheus scraped the node_exporters (the chain checks are then in `checks`), or why not; the PromQL capture and its replay. */
  readonly prometheus: {
    readonly ran: boolean;
    readonly reason: string | null;
    readonly scrapeIntervalSeconds: number;
    readonly capturePath: string | null;
    readonly replayCommand: string | null;
    readonly queries: number;
    readonly samples: number;
  };
  /** Checks over every topology, phase and node; `failed` names each failed one. */
  readonly checks: { readonly passed: number; readonly failed: readonly string[] };
  /** No phase, check, reconciliation or teardown failed. */
  readonly ok: boolean;
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
  /** The classes `netrecon rules` printed for every device name of the run. */
  readonly rulesClasses: ReadonlyMap<string, string>;
  /** Why node_exporter did not run, or null when it did. */
  readonly nodeExporterMissing: string | null;
  /** Why Prometheus did not run, or null when it did. */
  readonly prometheusMissing?: string | null;
  /** The reconciler's report of the capture whose per-interface series came through Prometheus, and its path. */
  readonly promqlReport?: ReconcileReport | null;
  readonly promqlCapturePath?: string | null;
  readonly reconcileMs: number;
  readonly wallMs: number;
}

const sumOrNull = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

function chainInput(m: PhaseMeasurement, node: { instanceId: string; netns: string }, periodStart: string, input: SummaryInput) {
  const result = input.promqlReport?.nodePeriods.find((r) => r.instanceId === node.instanceId && Date.parse(r.periodStart) === Date.parse(periodStart));
  const naive = input.promqlReport && result ? nodeExporterNaive({ ...input.promqlReport, nodePeriods: [result] }) : null;
  return {
    result,
    naiveBytes: naive?.naiveBytes ?? null,
    edgeDeltas: m.chain?.edgeDeltas.find((e) => e.netns === node.netns)?.interfaces ?? [],
    skipped: m.chain?.read?.skipped ?? ['the PromQL source did not read this phase'],
  };
}

function summariseNode(t: TopologyRun, m: PhaseMeasurement, nodeKey: string, result: NodePeriodResult | undefined, periodStart: string, input: SummaryInput): NodePhaseSummary {
  const node = t.topology.nodes.find((n) => n.key === nodeKey)!;
  const devices = t.groundTruth.get(nodeKey) ?? [];
  const interfaces = nodeInterfaces(m, node.netns);
  const pods = t.topology.namespaces
    .filter((n) => n.kind === 'pod' && n.node === node.netns)
    .map((n) => {
      const eth0 = nodeInterfaces(m, n.netns).find((i) => i.name === 'eth0');
      return { label: n.label, rxBytes: eth0?.rxBytes ?? 0, txBytes: eth0?.txBytes ?? 0 };
    });
  const plan = t.topology.phases.find((p) => p.id === m.id)!;
  const { checks, kernel, chain } = checkNode({
    devices,
    interfaces,
    pods,
    rulesClasses: input.rulesClasses,
    result,
    crossings: plan.crossings.filter((c) => c.node === nodeKey),
    bytesPerTransfer: m.appBytes / plan.transfers.length,
    ...(m.nodeExporter ? { nodeExporter: m.nodeExporter.find((e) => e.netns === node.netns)?.interfaces ?? [] } : {}),
    ...(m.chain ? { promql: chainInput(m, node, periodStart, input) } : {}),
  });
  const overlayKernelBytes = interfaces
    .filter((i) => devices.find((d) => d.name === i.name)?.kernelClass === 'overlay')
    .reduce((a, i) => a + i.rxBytes + i.txBytes, 0);
  return {
    node: nodeKey,
    instanceId: node.instanceId,
    nodeName: node.nodeName,
    interfaces: interfaces.map((i) => {
      const d = devices.find((x) => x.name === i.name);
      return { name: i.name, kind: d?.kind ?? null, kernelClass: d?.kernelClass ?? 'unknown', interfaceClass: input.rulesClasses.get(i.name) ?? 'unknown', rxBytes: i.rxBytes, txBytes: i.txBytes };
    }),
    pods,
    naiveTotalBytes: result?.naiveTotalBytes ?? null,
    correctedTotalBytes: result?.correctedTotalBytes ?? null,
    podBytes: result ? sumOrNull(result.podRxBytes, result.podTxBytes) : null,
    doubleCountedBytes: result?.doubleCountedBytes ?? null,
    hostOnlyBytes: result?.hostOnlyBytes ?? null,
    overlayBytes: result?.overlayBytes ?? null,
    bridgeBytes: result?.bridgeBytes ?? null,
    ec2InBytes: result?.ec2InBytes ?? null,
    ec2OutBytes: result?.ec2OutBytes ?? null,
    containerInsightsTotalBytes: result?.containerInsightsTotalBytes ?? null,
    naiveOverCorrected: formatRatio(ratioOf(result?.naiveTotalBytes ?? null, result?.correctedTotalBytes ?? null)),
    kernel,
    encapsulationOverheadBytes: overlayKernelBytes > 0 ? kernel.uplinkBytes - overlayKernelBytes : null,
    status: result?.status ?? null,
    findings: result?.findings.map((f) => `${f.status}: ${findingWords(f)}`) ?? [],
    checks,
    ...(chain && m.chain
      ? {
          chain: {
            windowStart: new Date(m.chain.windowStartSeconds * 1000).toISOString(),
            windowSeconds: m.chain.windowEndSeconds - m.chain.windowStartSeconds,
            interfaces: m.chain.read?.nodes.find((n) => n.netns === node.netns)?.interfaces ?? [],
            ...chain,
          },
        }
      : {}),
  };
}

export function summarise(input: SummaryInput): LabSummary {
  const topologies = input.run.topologies.map((t): TopologySummary => {
    const phases = t.measurements.map((m): PhaseSummary => {
      const periodStart = input.periods.find((p) => p.phaseId === m.id)?.periodStart ?? '';
      const nodes = t.topology.nodes.map((node) => {
        const result = input.report?.nodePeriods.find((r) => r.instanceId === node.instanceId && Date.parse(r.periodStart) === Date.parse(periodStart));
        return summariseNode(t, m, node.key, result, periodStart, input);
      });
      return {
        phase: m.id,
        topology: m.topology,
        title: m.title,
        path: m.path,
        periodStart,
        appBytes: m.appBytes,
        transferSeconds: m.transferMs / 1000,
        countersSettled: m.countersSettled,
        nodes,
        ok: nodes.every((n) => n.checks.every((c) => c.ok)),
      };
    });
    return {
      topology: t.topology.id,
      title: t.topology.title,
      notes: t.topology.notes,
      nodes: t.topology.nodes.map((n) => ({ node: n.key, instanceId: n.instanceId, nodeName: n.nodeName, netns: n.netns, devices: t.groundTruth.get(n.key) ?? [] })),
      phases,
      ok: phases.every((p) => p.ok),
    };
  });
  const all = topologies.flatMap((t) => t.phases.flatMap((p) => p.nodes.flatMap((n) => n.checks.map((c) => ({ where: `${t.topology} phase ${p.phase} ${n.node} ${c.check}`, c })))));
  const failed = all.filter((x) => !x.c.ok).map((x) => `${x.where}: ${x.c.detail}`);
  const t = input.run.timings;
  return {
    runId: input.run.runId,
    mib: input.mib,
    capturePath: input.capturePath,
    replayCommand: `node bin/netrecon.mjs reconcile --from ${input.capturePath}`,
    htmlReportPath: input.htmlReportPath ?? null,
    wallSeconds: input.wallMs / 1000,
    timings: { setupSeconds: t.setupMs / 1000, phasesSeconds: t.phasesMs / 1000, teardownSeconds: t.teardownMs / 1000, reconcileSeconds: input.reconcileMs / 1000 },
    topologies,
    nodeExporter: { ran: input.nodeExporterMissing === null, reason: input.nodeExporterMissing },
    prometheus: {
      ran: input.run.measurements.some((m) => m.chain),
      reason: input.prometheusMissing ?? null,
      scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS,
      capturePath: input.promqlCapturePath ?? null,
      replayCommand: input.promqlCapturePath ? `node bin/netrecon.mjs reconcile --from ${input.promqlCapturePath}` : null,
      queries: input.run.measurements.reduce((a, m) => a + (m.chain?.read?.queries ?? 0), 0),
      samples: input.run.measurements.reduce((a, m) => a + (m.chain?.read?.samples ?? 0), 0),
    },
    checks: { passed: all.length - failed.length, failed },
    ok: failed.length === 0 && input.run.failures.length === 0 && input.run.teardownFailures.length === 0 && input.reconcileError === null,
    failures: input.run.failures,
    teardownFailures: input.run.teardownFailures,
    reconcile: input.report ? { summary: input.report.summary, skipped: input.report.skipped, explanation: explainGap(input.report) } : null,
    reconcileError: input.reconcileError,
  };
}

const bytes = (n: number | null): string => (n === null ? '-' : n.toLocaleString('en-US'));

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c <= 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export function renderSummaryText(summary: LabSummary): string {
  const out: string[] = [`netrecon lab ${summary.runId}: ${summary.mib} MiB per transfer, ${summary.wallSeconds.toFixed(1)} s wall time`, ''];
  for (const t of summary.topologies) {
    out.push(`== ${t.topology}: ${t.title}`);
    for (const note of t.notes) out.push(`   (${note})`);
    out.push('');
    for (const p of t.phases) {
      out.push(`Phase ${p.phase}: ${p.title}  (period ${p.periodStart})`);
      out.push(`  path: ${p.path}`);
      out.push(`  applications received ${bytes(p.appBytes)} bytes in ${p.transferSeconds.toFixed(2)} s${p.countersSettled ? '' : '  (counters had not settled)'}`);
      for (const n of p.nodes) {
        out.push(`  ${n.node} (${n.nodeName}):`);
        const rows = [['    interface', 'kind', 'kernel', 'netrecon', 'rx bytes', 'tx bytes'], ...n.interfaces.map((i) => [`    ${i.name}`, i.kind ?? '-', i.kernelClass, i.interfaceClass, bytes(i.rxBytes), bytes(i.txBytes)])];
        out.push(table(rows));
        out.push(
          `    naive ${bytes(n.naiveTotalBytes)}  corrected ${bytes(n.correctedTotalBytes)}  pod ${bytes(n.podBytes)}  double-counted ${bytes(n.doubleCountedBytes)}  ` +
            `naive/corrected ${n.naiveOverCorrected}${n.encapsulationOverheadBytes !== null ? `  encapsulation ${bytes(n.encapsulationOverheadBytes)}` : ''}  status ${n.status ?? '-'}`,
        );
        if (n.chain) {
          out.push(
            `    through Prometheus (${n.chain.windowSeconds} s from ${n.chain.windowStart}): corrected ${bytes(n.chain.correctedBytes)}  node_exporter naive ${bytes(n.chain.naiveBytes)}  ` +
              `naive/corrected ${n.chain.naiveOverCorrected} (kernel ${n.chain.kernelNaiveOverUplinks})`,
          );
        }
        for (const c of n.checks) out.push(`    ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
        for (const f of n.findings) out.push(`    - ${f}`);
      }
      out.push('');
    }
  }
  out.push(
    `Checks: ${summary.checks.passed} passed, ${summary.checks.failed.length} failed${summary.nodeExporter.ran ? '' : ` (node_exporter not run: ${summary.nodeExporter.reason})`}` +
      `${summary.prometheus.ran ? `; Prometheus scraped every ${summary.prometheus.scrapeIntervalSeconds} s, ${summary.prometheus.queries} PromQL queries, ${summary.prometheus.samples} samples` : ` (Prometheus not run: ${summary.prometheus.reason ?? 'node_exporter did not run'})`}`,
  );
  for (const f of summary.checks.failed) out.push(`  FAILED ${f}`);
  for (const f of summary.failures) out.push(`Phase ${f.id} FAILED: ${f.error}`);
  for (const f of summary.teardownFailures) out.push(`Teardown FAILED: ${f}`);
  if (summary.reconcileError) out.push(`Reconciler FAILED: ${summary.reconcileError}`);
  out.push(`Capture: ${summary.capturePath}  (EC2 and Container Insights series in it are simulated from the kernel counters)`);
  out.push(`Replay:  ${summary.replayCommand}`);
  if (summary.htmlReportPath) out.push(`Report:  ${summary.htmlReportPath}  (open it in a browser)`);
  if (summary.prometheus.replayCommand) out.push(`Chain:   ${summary.prometheus.replayCommand}  (per-interface series read through Prometheus and netrecon's PromQL source)`);
  return out.join('\n');
}
