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

/**
 * The series of one VPC CNI node with every interface class, two 5-minute periods of 1-minute agent samples
 * (bytes per minute): eth0 rx 1000 tx 500 (physical); eni0123456789a rx 200 tx 800 (VPC CNI pod veth);
 * veth1234 rx 3 tx 3 (bridge-CNI pod veth, which cAdvisor ignores); vxlan.calico rx 10 tx 10 (overlay); cni0 rx 5
 * tx 5 (bridge); weird0 rx 1 tx 1 (unknown); lo rx 7 tx 7 (loopback). EC2 in 5200, out 2450 a period; Container
 * Insights 42.5 B/s every minute. The hand-derived figures are in test/core/reconcile.test.ts.
 */
export function richNodeSeries(instanceId: string): CaptureSeries[] {
  return [
    ...iface(instanceId, 'eth0', 1000, 500),
    ...iface(instanceId, 'eni0123456789a', 200, 800),
    ...iface(instanceId, 'veth1234', 3, 3),
    ...iface(instanceId, 'vxlan.calico', 10, 10),
    ...iface(instanceId, 'cni0', 5, 5),
    ...iface(instanceId, 'weird0', 1, 1),
    ...iface(instanceId, 'lo', 7, 7),
    ec2(instanceId, 'in', [5200, 5200]),
    ec2(instanceId, 'out', [2450, 2450]),
    containerInsights(instanceId, Array(10).fill(42.5)),
  ];
}
