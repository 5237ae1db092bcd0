/**
 * The lab's four checks of netrecon against the kernel, per phase and node (docs/lab.md, "The checks"), and the
 * path check that the phase's bytes went where the topology says. Pure: the kernel's figures, the ground truth,
 * the classes `netrecon rules` printed and the reconciler's node-period in, results out.
 */
import { containerInsightsCounts, type InterfaceClass } from '../lambda/core/interface-rules';
import type { NodePeriodResult } from '../lambda/core/model';
import type { InterfaceDelta } from './counters';
import type { KernelDevice } from './ground-truth';
import type { Crossing } from './topology';

export const CHECK_IDS = ['classes', 'corrected', 'pods', 'ratio', 'path', 'nodeExporter', 'promqlCorrected', 'promqlNaive'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface CheckResult {
  readonly check: CheckId;
  readonly ok: boolean;
  /** What was compared, with the figures, in words. */
  readonly detail: string;
}

/**
 * How far pod bytes may be from the pods' own eth0 counters. Zero: a veth's receive counter is its peer's transmit
 * counter (the kernel's veth driver reads the peer's for it), so a pod's eth0 and its host veth count the same
 * frames, ACKs and ARP included, and the two settled reads of a phase are taken when no counter moves.
 */
export const POD_ALLOWANCE_BYTES = 0;

/** The naive/corrected ratio as the lab's report prints it. */
export const formatRatio = (ratio: number | null): string => (ratio === null ? '-' : ratio.toFixed(3));
export const ratioOf = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b);

export interface PodCounters {
  readonly label: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface NodeCheckInput {
  readonly devices: readonly KernelDevice[];
  /** The node's kernel deltas in the phase. */
  readonly interfaces: readonly InterfaceDelta[];
  /** The eth0 deltas of the pods on this node, read in their own namespaces. */
  readonly pods: readonly PodCounters[];
  /** The class `netrecon rules` printed for each name. */
  readonly rulesClasses: ReadonlyMap<string, string>;
  /** The reconciler's node-period, or undefined when it has none. */
  readonly result: NodePeriodResult | undefined;
  /** The phase's crossings on this node, and the bytes each transfer moved. */
  readonly crossings: readonly Crossing[];
  readonly bytesPerTransfer: number;
  /** What node_exporter says each device moved, when it ran. */
  readonly nodeExporter?: ReadonlyArray<{ readonly name: string; readonly rxBytes: number; readonly txBytes: number }>;
  /** The whole chain, when Prometheus ran: the reconciler's node-period of the PromQL capture and what bounds its error. */
  readonly promql?: PromqlCheckInput;
}

export interface PromqlCheckInput {
  /** The reconciler's node-period when its per-interface series are what netrecon's PromQL source read. */
  readonly result: NodePeriodResult | undefined;
  /** node_exporter's naive sum over that read (every device but lo), as netrecon's naive-sum.ts computes it. */
  readonly naiveBytes: number | null;
  /** What each device moved between the phase's settled reads and the reads bracketing its edge samples. */
  readonly edgeDeltas: readonly InterfaceDelta[];
  /** What the PromQL source skipped; a clean read skips nothing. */
  readonly skipped: readonly string[];
}

/** The whole chain's figures beside the kernel's. */
export interface ChainFigures {
  readonly correctedBytes: number | null;
  /** node_exporter's naive sum read through Prometheus, and the kernel's (every device but lo). */
  readonly naiveBytes: number | null;
  readonly kernelNaiveBytes: number;
  readonly naiveOverCorrected: string;
  readonly kernelNaiveOverUplinks: string;
  /** How far the chain may be from the kernel: the ENIs' (corrected) and every device's but lo (naive) edge bytes. */
  readonly allowanceBytes: { readonly corrected: number; readonly naive: number };
}

/** The kernel-side figures the checks compare with netrecon's. */
export interface KernelFigures {
  /** rx + tx of the ENIs the ground truth names. */
  readonly uplinkBytes: number;
  /** rx + tx of every interface cAdvisor keeps (Container Insights' sum), from the kernel's counters. */
  readonly naiveBytes: number;
  /** rx + tx of the pods' own eth0s. */
  readonly podEth0Bytes: number;
  readonly ratio: number | null;
}

const total = (d: Pick<InterfaceDelta, 'rxBytes' | 'txBytes'> | undefined): number => (d ? d.rxBytes + d.txBytes : 0);
const fmt = (n: number | null | undefined): string => (n === null || n === undefined ? 'none' : n.toLocaleString('en-US'));

export function kernelFigures(input: Pick<NodeCheckInput, 'devices' | 'interfaces' | 'pods'>): KernelFigures {
  const uplinks = new Set(input.devices.filter((d) => d.kernelClass === 'physical').map((d) => d.name));
  const uplinkBytes = input.interfaces.filter((i) => uplinks.has(i.name)).reduce((a, i) => a + total(i), 0);
  const naiveBytes = input.interfaces.filter((i) => containerInsightsCounts(i.name)).reduce((a, i) => a + total(i), 0);
  const podEth0Bytes = input.pods.reduce((a, p) => a + total(p), 0);
  return { uplinkBytes, naiveBytes, podEth0Bytes, ratio: ratioOf(naiveBytes, uplinkBytes) };
}

export function checkNode(input: NodeCheckInput): { checks: CheckResult[]; kernel: KernelFigures; chain?: ChainFigures } {
  const kernel = kernelFigures(input);
  const r = input.result;
  const checks: CheckResult[] = [];

  // (1) Every device's class from `netrecon rules`, and the one the reconciler used, is the kernel's; none unknown.
  const reported = new Map<string, InterfaceClass>((r?.interfaces ?? []).map((i) => [i.name, i.interfaceClass]));
  const wrong = input.devices.flatMap((d) => {
    const rules = input.rulesClasses.get(d.name) ?? 'not printed';
    const used = reported.get(d.name);
    const bad = d.kernelClass === 'unknown' || rules !== d.kernelClass || (used !== undefined && used !== d.kernelClass);
    return bad ? [`${d.name}: kernel ${d.kernelClass} (${d.why}), netrecon rules ${rules}${used !== undefined && used !== rules ? `, reconciler ${used}` : ''}`] : [];
  });
  checks.push({
    check: 'classes',
    ok: wrong.length === 0 && input.devices.length > 0,
    detail: wrong.length === 0 ? `${input.devices.length} devices, each classed as the kernel says` : wrong.join('; '),
  });

  // (2) Corrected is what crossed the ENIs.
  const corrected = r?.correctedTotalBytes ?? null;
  checks.push({
    check: 'corrected',
    ok: corrected === kernel.uplinkBytes,
    detail: `corrected ${fmt(corrected)}, ENIs' kernel rx+tx ${fmt(kernel.uplinkBytes)}`,
  });

  // (3) Pod bytes are the pods' own eth0 counters.
  const podBytes = r && r.podRxBytes !== null && r.podTxBytes !== null ? r.podRxBytes + r.podTxBytes : null;
  checks.push({
    check: 'pods',
    ok: podBytes !== null && Math.abs(podBytes - kernel.podEth0Bytes) <= POD_ALLOWANCE_BYTES,
    detail: `pod ${fmt(podBytes)}, pods' eth0 rx+tx ${fmt(kernel.podEth0Bytes)} (${input.pods.map((p) => p.label).join(', ') || 'no pod on this node'})`,
  });

  // (4) The ratio the report prints is the kernel's.
  const reportRatio = ratioOf(r?.naiveTotalBytes ?? null, corrected);
  const sameRatio =
    (reportRatio === null && kernel.ratio === null) ||
    (reportRatio !== null && kernel.ratio !== null && Math.abs(reportRatio - kernel.ratio) <= 1e-9 * kernel.ratio && formatRatio(reportRatio) === formatRatio(kernel.ratio));
  checks.push({
    check: 'ratio',
    ok: sameRatio,
    detail: `naive/corrected ${formatRatio(reportRatio)} (${fmt(r?.naiveTotalBytes)} / ${fmt(corrected)}), kernel ${formatRatio(kernel.ratio)} (${fmt(kernel.naiveBytes)} / ${fmt(kernel.uplinkBytes)})`,
  });

  // The bytes went where the topology says: each crossing carried at least one transfer's bytes.
  const short = input.crossings.flatMap((c) => {
    const d = input.interfaces.find((i) => i.name === c.device);
    const bytes = d ? (c.direction === 'rx' ? d.rxBytes : d.txBytes) : 0;
    return bytes >= input.bytesPerTransfer ? [] : [`${c.device} ${c.direction} ${fmt(bytes)}`];
  });
  if (input.crossings.length > 0) {
    checks.push({
      check: 'path',
      ok: short.length === 0,
      detail: short.length === 0 ? `${input.crossings.length} crossings, each at least ${fmt(input.bytesPerTransfer)} bytes` : `below ${fmt(input.bytesPerTransfer)}: ${short.join(', ')}`,
    });
  }

  // node_exporter (its netdev collector leaves `lo` out by default) moved exactly as the kernel's counters did.
  if (input.nodeExporter) {
    const exported = new Map(input.nodeExporter.map((e) => [e.name, e]));
    const differ = input.interfaces.flatMap((i) => {
      if (i.name === 'lo') return [];
      const e = exported.get(i.name);
      return e && e.rxBytes === i.rxBytes && e.txBytes === i.txBytes ? [] : [`${i.name}: kernel ${fmt(i.rxBytes)}/${fmt(i.txBytes)}, node_exporter ${e ? `${fmt(e.rxBytes)}/${fmt(e.txBytes)}` : 'absent'}`];
    });
    const extra = [...exported.keys()].filter((name) => !input.interfaces.some((i) => i.name === name));
    checks.push({
      check: 'nodeExporter',
      ok: differ.length === 0 && extra.length === 0,
      detail: differ.length === 0 && extra.length === 0 ? `node_exporter rx/tx deltas equal the kernel's on ${exported.size} devices` : [...differ, ...extra.map((n) => `${n}: only node_exporter has it`)].join('; '),
    });
  }
  const chain = input.promql ? checkChain(input, kernel, input.promql, checks) : undefined;
  return { checks, kernel, ...(chain ? { chain } : {}) };
}

/**
 * The whole chain: corrected read through Prometheus and netrecon's PromQL source equals the ENIs' kernel bytes,
 * and node_exporter's naive sum over the same read shows the kernel's ratio, each within what moved at the
 * window's edges (docs/lab.md, "The whole chain").
 */
function checkChain(input: NodeCheckInput, kernel: KernelFigures, p: PromqlCheckInput, checks: CheckResult[]): ChainFigures {
  const uplinks = new Set(input.devices.filter((d) => d.kernelClass === 'physical').map((d) => d.name));
  const edge = (keep: (name: string) => boolean) => p.edgeDeltas.filter((d) => keep(d.name)).reduce((a, d) => a + total(d), 0);
  const allowance = { corrected: edge((n) => uplinks.has(n)), naive: edge((n) => n !== 'lo') };
  const kernelNaiveBytes = input.interfaces.filter((i) => i.name !== 'lo').reduce((a, i) => a + total(i), 0);
  const corrected = p.result?.correctedTotalBytes ?? null;
  const skipped = p.skipped.length > 0 ? `; the PromQL source skipped: ${p.skipped.join('; ')}` : '';
  checks.push({
    check: 'promqlCorrected',
    ok: p.skipped.length === 0 && corrected !== null && Math.abs(corrected - kernel.uplinkBytes) <= allowance.corrected,
    detail: `corrected through Prometheus ${fmt(corrected)}, ENIs' kernel rx+tx ${fmt(kernel.uplinkBytes)}, allowed ±${fmt(allowance.corrected)} (the ENIs' bytes at the window's edges)${skipped}`,
  });
  const ratio = ratioOf(p.naiveBytes, corrected);
  const kernelRatio = ratioOf(kernelNaiveBytes, kernel.uplinkBytes);
  const sameRatio = (ratio === null && kernelRatio === null) || (ratio !== null && kernelRatio !== null && formatRatio(ratio) === formatRatio(kernelRatio));
  checks.push({
    check: 'promqlNaive',
    ok: p.skipped.length === 0 && p.naiveBytes !== null && Math.abs(p.naiveBytes - kernelNaiveBytes) <= allowance.naive && sameRatio,
    detail:
      `node_exporter's naive sum through Prometheus ${fmt(p.naiveBytes)}, kernel (every device but lo) ${fmt(kernelNaiveBytes)}, allowed ±${fmt(allowance.naive)}; ` +
      `naive/corrected ${formatRatio(ratio)}, kernel ${formatRatio(kernelRatio)}${skipped}`,
  });
  return { correctedBytes: corrected, naiveBytes: p.naiveBytes, kernelNaiveBytes, naiveOverCorrected: formatRatio(ratio), kernelNaiveOverUplinks: formatRatio(kernelRatio), allowanceBytes: allowance };
}
