import { describe, expect, it } from 'vitest';
import type { CaptureSeries } from '../../lambda/capture/capture';
import { validateCapture } from '../../lambda/capture/validate';
import { buildLabCapture } from '../../lab/capture';
import type { PhaseMeasurement } from '../../lab/phases';

const iface = (name: string, rxBytes: number, txBytes: number) => ({ name, rxBytes, txBytes, rxPackets: 1, txPackets: 1 });

const phases: PhaseMeasurement[] = [
  {
    id: 'a',
    title: 'pod download',
    path: '',
    appBytes: 8_388_608,
    transferMs: 30,
    countersSettled: true,
    interfaces: [iface('eth0', 8_399_292, 5_865), iface('eni9ccc2008419', 5_865, 8_399_292), iface('lo', 700, 700), iface('veth1', 11, 13)],
  },
  {
    id: 'c',
    title: 'pod to pod',
    path: '',
    appBytes: 8_388_608,
    transferMs: 20,
    countersSettled: true,
    interfaces: [iface('eth0', 0, 0), iface('eni9ccc2008419', 8_398_392, 6_364), iface('lo', 0, 0), iface('veth1', 0, 0)],
  },
];

const { capture, periods } = buildLabCapture({
  runId: 'nr-1-abcd',
  instanceId: 'i-0123456789abcdef0',
  nodeName: 'ip-198-18-0-2.netrecon-lab.internal',
  startedAtMs: Date.parse('2025-03-01T10:07:42.123Z'),
  capturedAtMs: Date.parse('2025-03-01T10:07:45Z'),
  mib: 8,
  phases,
});

const find = (pred: (s: CaptureSeries) => boolean): CaptureSeries => {
  const matches = capture.series.filter(pred);
  expect(matches).toHaveLength(1);
  return matches[0]!;
};

describe('the lab capture', () => {
  it('puts each phase in its own synthetic 300 s period, the last one ending at the run start floored to the period', () => {
    expect(periods).toEqual([
      { phaseId: 'a', periodStart: '2025-03-01T09:55:00.000Z' },
      { phaseId: 'c', periodStart: '2025-03-01T10:00:00.000Z' },
    ]);
    expect(capture.periodSeconds).toBe(300);
    expect(capture.window).toEqual({ start: '2025-03-01T09:55:00.000Z', end: '2025-03-01T10:05:00.000Z' });
    expect(capture.nodes[0]?.launchTime).toBe('2025-03-01T09:55:00.000Z');
  });

  it('publishes the agent series as per-interface deltas, Sum in Bytes, without lo, as the CloudWatch agent does', () => {
    const agent = capture.series.filter((s) => s.source === 'agent');
    expect(new Set(agent.map((s) => s.dimensions.interface))).toEqual(new Set(['eth0', 'eni9ccc2008419', 'veth1']));
    const ethRx = find((s) => s.source === 'agent' && s.dimensions.interface === 'eth0' && s.direction === 'rx');
    expect(ethRx).toMatchObject({ namespace: 'CWAgent', metricName: 'net_bytes_recv', stat: 'Sum', unit: 'Bytes', periodSeconds: 300 });
    expect(ethRx.dimensions).toEqual({ InstanceId: 'i-0123456789abcdef0', interface: 'eth0' });
    expect(ethRx.values).toEqual([8_399_292, 0]);
    expect(ethRx.timestamps).toEqual(periods.map((p) => p.periodStart));
    expect(ethRx.simulated).toBeUndefined();
    const podTx = find((s) => s.source === 'agent' && s.dimensions.interface === 'eni9ccc2008419' && s.direction === 'tx');
    expect(podTx.metricName).toBe('net_bytes_sent');
    expect(podTx.values).toEqual([8_399_292, 6_364]);
  });

  it('derives EC2 NetworkIn/NetworkOut from the physical interfaces only, marked simulated', () => {
    const ec2In = find((s) => s.source === 'ec2' && s.direction === 'in');
    const ec2Out = find((s) => s.source === 'ec2' && s.direction === 'out');
    expect(ec2In).toMatchObject({ namespace: 'AWS/EC2', metricName: 'NetworkIn', stat: 'Sum', unit: 'Bytes', simulated: true, values: [8_399_292, 0] });
    expect(ec2Out).toMatchObject({ metricName: 'NetworkOut', simulated: true, values: [5_865, 0] });
    expect(ec2In.dimensions).toEqual({ InstanceId: 'i-0123456789abcdef0' });
  });

  it('derives Container Insights as a Bytes/Second average over every interface cAdvisor keeps (eni yes, lo and veth no), marked simulated', () => {
    const ci = find((s) => s.source === 'containerInsights');
    expect(ci).toMatchObject({ namespace: 'ContainerInsights', metricName: 'node_network_total_bytes', stat: 'Average', unit: 'Bytes/Second', direction: 'total', simulated: true });
    expect(ci.dimensions).toEqual({ ClusterName: 'netrecon-lab', InstanceId: 'i-0123456789abcdef0', NodeName: 'ip-198-18-0-2.netrecon-lab.internal' });
    expect(ci.values[0]! * 300).toBeCloseTo(8_399_292 + 5_865 + 5_865 + 8_399_292, 6);
    expect(ci.values[1]! * 300).toBeCloseTo(8_398_392 + 6_364, 6);
  });

  it('says in its description that the EC2 and Container Insights series are simulated', () => {
    expect(capture.description).toMatch(/SIMULATED/);
    expect(capture.description).toMatch(/real Linux kernel counter deltas/);
    expect(capture.generator).toBe('netrecon lab');
  });

  it('is a valid capture: the validator keeps every node and series', () => {
    const { skipped } = validateCapture(JSON.parse(JSON.stringify(capture)), 'lab');
    expect(skipped).toEqual([]);
  });
});
