/**
 * Turns the lab's measured phases into a capture (lambda/capture/capture.ts), one synthetic period per phase and
 * one inventory node per lab node. Pure: the clock comes in as `startedAtMs`.
 *
 * - Agent series are the per-interface counter deltas of each node exactly as the CloudWatch agent's `net` plugin
 *   would publish them (`net_bytes_recv`/`net_bytes_sent`, dimensions InstanceId + interface, Sum, Bytes), `lo`
 *   left out as the agent does by default. These are real kernel figures.
 * - EC2 and Container Insights series are derived from the same deltas, marked `simulated: true`:
 *   `NetworkIn`/`NetworkOut` = rx/tx of the node's ENIs as the kernel's ground truth knows them (./ground-truth.ts,
 *   not the interface rules); `node_network_total_bytes` = rx + tx of every interface cAdvisor keeps (not `lo`,
 *   `veth`, `docker`, `nerdctl`…), as a Bytes/Second average over the period.
 * - A node runs only in its topology's periods (launchTime and endTime), so the reconciler reports each node in
 *   the phases that were measured on it and nowhere else.
 */
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture, type CaptureNode, type CaptureSeries, DEFAULT_AGENT_DIMENSIONS, INSTANCE_ID_DIMENSION } from '../lambda/capture/capture';
import { containerInsightsCounts } from '../lambda/core/interface-rules';
import type { InterfaceDelta } from './counters';
import type { PhaseMeasurement } from './phases';

export const LAB_PERIOD_SECONDS = 300;
export const LAB_CLUSTER = 'netrecon-lab';
export const LAB_GENERATOR = 'netrecon lab';
/** The agent's `net` plugin skips loopback unless `resources` names it. */
export const AGENT_EXCLUDED_INTERFACES: readonly string[] = ['lo'];

export interface LabCaptureNode {
  readonly instanceId: string;
  readonly nodeName: string;
  readonly netns: string;
  /** The node's ENIs, from the kernel's ground truth. */
  readonly uplinks: readonly string[];
}

export interface LabCaptureInput {
  readonly runId: string;
  /** Wall-clock start of the run; the synthetic periods end at this time floored to the period, so none lies in the future. */
  readonly startedAtMs: number;
  /** When the capture is written. */
  readonly capturedAtMs: number;
  readonly mib: number;
  /** In run order; each with the nodes it was measured on. */
  readonly phases: ReadonlyArray<{ readonly measurement: PhaseMeasurement; readonly nodes: readonly LabCaptureNode[] }>;
  readonly periodSeconds?: number;
  /**
   * Where the per-interface (agent) series come from: the kernel's deltas (default), or what netrecon's PromQL
   * source read from Prometheus over each phase's window (docs/lab.md, "The whole chain"). EC2 and Container
   * Insights stay simulated from the kernel's deltas either way.
   */
  readonly agentFrom?: 'kernel' | 'promql';
}

export interface PhasePeriod {
  readonly phaseId: string;
  /** ISO 8601 start of the synthetic period that holds this phase's deltas. */
  readonly periodStart: string;
}

export interface LabCapture {
  readonly capture: Capture;
  readonly periods: readonly PhasePeriod[];
}

const NO_TRAFFIC: Pick<InterfaceDelta, 'rxBytes' | 'txBytes'> = { rxBytes: 0, txBytes: 0 };

/** A node's interface deltas in a phase. */
export function nodeInterfaces(phase: PhaseMeasurement, netns: string): readonly InterfaceDelta[] {
  return phase.namespaces.find((n) => n.netns === netns)?.interfaces ?? [];
}

export function buildLabCapture(input: LabCaptureInput): LabCapture {
  const periodSeconds = input.periodSeconds ?? LAB_PERIOD_SECONDS;
  const periodMs = periodSeconds * 1000;
  const firstStartMs = (Math.floor(input.startedAtMs / periodMs) - input.phases.length) * periodMs;
  const startOf = (i: number): string => new Date(firstStartMs + i * periodMs).toISOString();
  const periods = input.phases.map((p, i) => ({ phaseId: p.measurement.id, periodStart: startOf(i) }));

  const series: CaptureSeries[] = [];
  const nodes: CaptureNode[] = [];
  const seen = new Map<string, LabCaptureNode>();
  for (const p of input.phases) for (const n of p.nodes) if (!seen.has(n.instanceId)) seen.set(n.instanceId, n);

  for (const node of seen.values()) {
    const indices = input.phases.flatMap((p, i) => (p.nodes.some((n) => n.instanceId === node.instanceId) ? [i] : []));
    const timestamps = indices.map(startOf);
    const deltas = indices.map((i) => nodeInterfaces(input.phases[i]!.measurement, node.netns));
    const delta = (k: number, name: string) => deltas[k]!.find((d) => d.name === name) ?? NO_TRAFFIC;
    const names = [...new Set(deltas.flatMap((d) => d.map((i) => i.name)))].sort();
    const agentDeltas = input.agentFrom === 'promql' ? indices.map((i) => input.phases[i]!.measurement.chain?.read?.nodes.find((n) => n.netns === node.netns)?.interfaces ?? []) : deltas;
    const agentDelta = (k: number, name: string) => agentDeltas[k]!.find((d) => d.name === name) ?? NO_TRAFFIC;
    const agentNames = [...new Set(agentDeltas.flatMap((d) => d.map((i) => i.name)))].sort();
    const sum = (k: number, among: readonly string[], pick: (d: Pick<InterfaceDelta, 'rxBytes' | 'txBytes'>) => number) =>
      among.reduce((total, name) => total + pick(delta(k, name)), 0);
    // Fields in the order a reader of the file expects: what the series is, then its numbers.
    const add = (head: Omit<CaptureSeries, 'periodSeconds' | 'timestamps' | 'values' | 'statusCode' | 'simulated'>, values: number[], simulated?: true) =>
      series.push({ ...head, periodSeconds, timestamps, values, statusCode: 'Complete', ...(simulated ? { simulated } : {}) });

    for (const name of agentNames.filter((n) => !AGENT_EXCLUDED_INTERFACES.includes(n))) {
      const dimensions = { [DEFAULT_AGENT_DIMENSIONS.instanceId]: node.instanceId, [DEFAULT_AGENT_DIMENSIONS.interface]: name };
      for (const [direction, metricName] of [['rx', 'net_bytes_recv'], ['tx', 'net_bytes_sent']] as const) {
        add(
          { id: `agent_${node.instanceId}_${name}_${direction}`, source: 'agent', direction, namespace: 'CWAgent', metricName, dimensions, stat: 'Sum', unit: 'Bytes' },
          indices.map((_, k) => (direction === 'rx' ? agentDelta(k, name).rxBytes : agentDelta(k, name).txBytes)),
        );
      }
    }
    const ec2Dimensions = { [INSTANCE_ID_DIMENSION]: node.instanceId };
    for (const [direction, metricName] of [['in', 'NetworkIn'], ['out', 'NetworkOut']] as const) {
      add(
        { id: `ec2_${node.instanceId}_${metricName}`, source: 'ec2', direction, namespace: 'AWS/EC2', metricName, dimensions: ec2Dimensions, stat: 'Sum', unit: 'Bytes' },
        indices.map((_, k) => sum(k, node.uplinks, (d) => (direction === 'in' ? d.rxBytes : d.txBytes))),
        true,
      );
    }
    add(
      {
        id: `ci_${node.instanceId}_node_network_total_bytes`,
        source: 'containerInsights',
        direction: 'total',
        namespace: 'ContainerInsights',
        metricName: 'node_network_total_bytes',
        dimensions: { ClusterName: LAB_CLUSTER, [INSTANCE_ID_DIMENSION]: node.instanceId, NodeName: node.nodeName },
        stat: 'Average',
        unit: 'Bytes/Second',
      },
      // A rate averaged over the period: bytes / periodSeconds (the reconciler multiplies it back).
      indices.map((_, k) => sum(k, names.filter((n) => containerInsightsCounts(n)), (d) => d.rxBytes + d.txBytes) / periodSeconds),
      true,
    );
    nodes.push({
      instanceId: node.instanceId,
      nodeName: node.nodeName,
      instanceType: 'netrecon-lab',
      launchTime: startOf(indices[0]!),
      endTime: startOf(indices[indices.length - 1]! + 1),
      state: 'running',
    });
  }

  const endMs = firstStartMs + input.phases.length * periodMs;
  const phaseList = periods.map((p) => `phase ${p.phaseId} at ${p.periodStart}`).join(', ');
  const capture: Capture = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    description:
      `netrecon namespace lab run ${input.runId}: ${input.mib} MiB moved per transfer on simulated EKS nodes (VPC CNI, security groups for pods, Calico, Cilium, Flannel topologies). ` +
      (input.agentFrom === 'promql'
        ? `Agent series (net_bytes_recv/net_bytes_sent per interface, lo excluded) are what netrecon's PromQL source read from a real Prometheus scraping prometheus-node-exporter in each node's network namespace every second, over each phase's window (whole seconds). `
        : `Agent series (CWAgent net_bytes_recv/net_bytes_sent, lo excluded) are real Linux kernel counter deltas of each node's network namespace (/proc/net/dev). `) +
      `EC2 (NetworkIn/NetworkOut = the node's ENIs) and Container Insights (node_network_total_bytes = rx+tx of interfaces cAdvisor keeps, as Bytes/Second over the period) are SIMULATED: derived from the same counters, marked simulated. ` +
      `Periods are synthetic, one per phase, ${periodSeconds} s apart (${phaseList}), ending when the run started; the real phases took seconds each. Each node runs only in its topology's periods.`,
    generator: LAB_GENERATOR,
    cluster: LAB_CLUSTER,
    capturedAt: new Date(input.capturedAtMs).toISOString(),
    periodSeconds,
    window: { start: new Date(firstStartMs).toISOString(), end: new Date(endMs).toISOString() },
    agentDimensions: DEFAULT_AGENT_DIMENSIONS,
    nodes,
    series,
  };
  return { capture, periods };
}
