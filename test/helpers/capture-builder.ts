/** Builds small synthetic captures for tests: one call per series, values per sample. */
import type { Capture, CaptureNode, CaptureSeries } from '../../lambda/capture/capture';

export const T0 = Date.parse('2024-01-01T00:00:00Z') / 1000;
export const iso = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString();
/** ISO times of `count` samples `stepSeconds` apart from T0 + offsetSeconds. */
export const stamps = (count: number, stepSeconds = 60, offsetSeconds = 0): string[] =>
  Array.from({ length: count }, (_, i) => iso(T0 + offsetSeconds + i * stepSeconds));

export function node(instanceId: string, extra: Partial<CaptureNode> = {}): CaptureNode {
  return { instanceId, nodeName: `${instanceId}.node.internal`, launchTime: iso(T0 - 3600), ...extra };
}

export function agent(instanceId: string, iface: string, direction: 'rx' | 'tx', values: number[], timestamps = stamps(values.length)): CaptureSeries {
  return {
    source: 'agent',
    direction,
    namespace: 'CWAgent',
    metricName: direction === 'rx' ? 'net_bytes_recv' : 'net_bytes_sent',
    dimensions: { InstanceId: instanceId, interface: iface },
    stat: 'Sum',
    periodSeconds: 60,
    unit: 'Bytes',
    timestamps,
    values,
  };
}

/** Both directions of one interface with a constant value per minute. */
export function iface(instanceId: string, name: string, rxPerMinute: number, txPerMinute: number, minutes = 10): CaptureSeries[] {
  return [
    agent(instanceId, name, 'rx', Array(minutes).fill(rxPerMinute)),
    agent(instanceId, name, 'tx', Array(minutes).fill(txPerMinute)),
  ];
}

export function ec2(instanceId: string, direction: 'in' | 'out', values: number[], periodSeconds = 300): CaptureSeries {
  return {
    source: 'ec2',
    direction,
    namespace: 'AWS/EC2',
    metricName: direction === 'in' ? 'NetworkIn' : 'NetworkOut',
    dimensions: { InstanceId: instanceId },
    stat: 'Sum',
    periodSeconds,
    unit: 'Bytes',
    timestamps: stamps(values.length, periodSeconds),
    values,
  };
}

export function containerInsights(instanceId: string, bytesPerSecond: number[], periodSeconds = 60): CaptureSeries {
  return {
    source: 'containerInsights',
    direction: 'total',
    namespace: 'ContainerInsights',
    metricName: 'node_network_total_bytes',
    dimensions: { ClusterName: 'test', InstanceId: instanceId, NodeName: `${instanceId}.node.internal` },
    stat: 'Average',
    periodSeconds,
    unit: 'Bytes/Second',
    timestamps: stamps(bytesPerSecond.length, periodSeconds),
    values: bytesPerSecond,
  };
}

export function capture(nodes: CaptureNode[], series: CaptureSeries[], minutes = 10): Capture {
  return {
    format: 'netrecon.capture',
    version: 1,
    cluster: 'test',
    periodSeconds: 300,
    window: { start: iso(T0), end: iso(T0 + minutes * 60) },
    nodes,
    series,
  };
}
