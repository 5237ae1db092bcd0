/**
 * Turns the lab's measured phases into a capture (lambda/capture/capture.ts), one synthetic period per phase.
 * Pure: the clock comes in as `startedAtMs`.
 *
 * - Agent series are the per-interface counter deltas exactly as the CloudWatch agent's `net` plugin would
 *   publish them (`net_bytes_recv`/`net_bytes_sent`, dimensions InstanceId + interface, Sum, Bytes), `lo`
 *   left out as the agent does by default. These are real kernel figures.
 * - EC2 and Container Insights series are derived from the same deltas, marked `simulated: true`:
 *   `NetworkIn`/`NetworkOut` = rx/tx of the physical interfaces; `node_network_total_bytes` = rx + tx of every
 *   interface cAdvisor keeps (not `lo`, `veth`, `docker`, `nerdctl`…), as a Bytes/Second average over the period.
 */
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture, type CaptureSeries, DEFAULT_AGENT_DIMENSIONS, INSTANCE_ID_DIMENSION } from '../lambda/capture/capture';
import { buildRules, classifyInterface, containerInsightsCounts } from '../lambda/core/interface-rules';
import type { PhaseMeasurement } from './phases';

export const LAB_PERIOD_SECONDS = 300;
export const LAB_CLUSTER = 'netrecon-lab';
export const LAB_GENERATOR = 'netrecon lab';
/** The agent's `net` plugin skips loopback unless `resources` names it. */
export const AGENT_EXCLUDED_INTERFACES: readonly string[] = ['lo'];

export interface LabCaptureInput {
  readonly runId: string;
  readonly instanceId: string;
  readonly nodeName: string;
  /** Wall-clock start of the run; the synthetic periods end at this time floored to the period, so none lies in the future. */
  readonly startedAtMs: number;
  /** When the capture is written. */
  readonly capturedAtMs: number;
  readonly mib: number;
  readonly phases: readonly PhaseMeasurement[];
  readonly periodSeconds?: number;
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

export function buildLabCapture(input: LabCaptureInput): LabCapture {
  const periodSeconds = input.periodSeconds ?? LAB_PERIOD_SECONDS;
  const periodMs = periodSeconds * 1000;
  const firstStartMs = (Math.floor(input.startedAtMs / periodMs) - input.phases.length) * periodMs;
  const timestamps = input.phases.map((_, i) => new Date(firstStartMs + i * periodMs).toISOString());
  const periods = input.phases.map((phase, i) => ({ phaseId: phase.id, periodStart: timestamps[i]! }));

  const names = [...new Set(input.phases.flatMap((p) => p.interfaces.map((i) => i.name)))].sort();
  const delta = (phase: PhaseMeasurement, name: string) => phase.interfaces.find((i) => i.name === name) ?? { rxBytes: 0, txBytes: 0 };
  const rules = buildRules();
  const physical = names.filter((name) => classifyInterface(name, rules).interfaceClass === 'physical');
  const ciCounted = names.filter((name) => containerInsightsCounts(name));
  const sum = (phase: PhaseMeasurement, among: readonly string[], pick: (d: { rxBytes: number; txBytes: number }) => number) =>
    among.reduce((total, name) => total + pick(delta(phase, name)), 0);

  const series: CaptureSeries[] = [];
  // Fields in the order a reader of the file expects: what the series is, then its numbers.
  const add = (head: Omit<CaptureSeries, 'periodSeconds' | 'timestamps' | 'values' | 'statusCode' | 'simulated'>, values: number[], simulated?: true) =>
    series.push({ ...head, periodSeconds, timestamps, values, statusCode: 'Complete', ...(simulated ? { simulated } : {}) });

  for (const name of names.filter((n) => !AGENT_EXCLUDED_INTERFACES.includes(n))) {
    const dimensions = { [DEFAULT_AGENT_DIMENSIONS.instanceId]: input.instanceId, [DEFAULT_AGENT_DIMENSIONS.interface]: name };
    for (const [direction, metricName] of [['rx', 'net_bytes_recv'], ['tx', 'net_bytes_sent']] as const) {
      add(
        { id: `agent_${name}_${direction}`, source: 'agent', direction, namespace: 'CWAgent', metricName, dimensions, stat: 'Sum', unit: 'Bytes' },
        input.phases.map((p) => (direction === 'rx' ? delta(p, name).rxBytes : delta(p, name).txBytes)),
      );
    }
  }

  const ec2Dimensions = { [INSTANCE_ID_DIMENSION]: input.instanceId };
  for (const [direction, metricName] of [['in', 'NetworkIn'], ['out', 'NetworkOut']] as const) {
    add(
      { id: `ec2_${metricName}`, source: 'ec2', direction, namespace: 'AWS/EC2', metricName, dimensions: ec2Dimensions, stat: 'Sum', unit: 'Bytes' },
      input.phases.map((p) => sum(p, physical, (d) => (direction === 'in' ? d.rxBytes : d.txBytes))),
      true,
    );
  }

  add(
    {
      id: 'ci_node_network_total_bytes',
      source: 'containerInsights',
      direction: 'total',
      namespace: 'ContainerInsights',
      metricName: 'node_network_total_bytes',
      dimensions: { ClusterName: LAB_CLUSTER, [INSTANCE_ID_DIMENSION]: input.instanceId, NodeName: input.nodeName },
      stat: 'Average',
      unit: 'Bytes/Second',
    },
    // A rate averaged over the period: bytes / periodSeconds (the reconciler multiplies it back).
    input.phases.map((p) => sum(p, ciCounted, (d) => d.rxBytes + d.txBytes) / periodSeconds),
    true,
  );

  const endMs = firstStartMs + input.phases.length * periodMs;
  const phaseList = periods.map((p) => `phase ${p.phaseId} at ${p.periodStart}`).join(', ');
  const capture: Capture = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    description:
      `netrecon namespace lab run ${input.runId}: ${input.mib} MiB moved per phase on a simulated VPC CNI node. ` +
      `Agent series (CWAgent net_bytes_recv/net_bytes_sent, lo excluded) are real Linux kernel counter deltas of the node's network namespace (/proc/net/dev). ` +
      `EC2 (NetworkIn/NetworkOut = physical interfaces) and Container Insights (node_network_total_bytes = rx+tx of interfaces cAdvisor keeps, as Bytes/Second over the period) are SIMULATED: derived from the same counters, marked simulated. ` +
      `Periods are synthetic, one per phase, ${periodSeconds} s apart (${phaseList}), ending when the run started; the real phases took seconds each.`,
    generator: LAB_GENERATOR,
    cluster: LAB_CLUSTER,
    capturedAt: new Date(input.capturedAtMs).toISOString(),
    periodSeconds,
    window: { start: new Date(firstStartMs).toISOString(), end: new Date(endMs).toISOString() },
    agentDimensions: DEFAULT_AGENT_DIMENSIONS,
    nodes: [{ instanceId: input.instanceId, nodeName: input.nodeName, instanceType: 'netrecon-lab', launchTime: new Date(firstStartMs).toISOString(), state: 'running' }],
    series,
  };
  return { capture, periods };
}
