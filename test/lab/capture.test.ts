import { describe, expect, it } from 'vitest';
import type { CaptureSeries } from '../../lambda/capture/capture';
import { validateCapture } from '../../lambda/capture/validate';
import { buildLabCapture, type LabCaptureNode } from '../../lab/capture';
import type { PhaseMeasurement } from '../../lab/phases';

const iface = (name: string, rxBytes: number, txBytes: number) => ({ name, rxBytes, txBytes, rxPackets: 1, txPackets: 1 });

const vpcNode: LabCaptureNode = { instanceId: 'i-0123456789abcdef0', nodeName: 'ip-198-18-0-2.vpc-cni.netrecon-lab.internal', netns: 'nr-1-abcd-vpc-n1', uplinks: ['eth0', 'eth1'] };
const flannel1: LabCaptureNode = { instanceId: 'i-0aaaaaaaaaaaaaaa1', nodeName: 'ip-198-18-0-2.flannel.netrecon-lab.internal', netns: 'nr-1-abcd-fla-n1', uplinks: ['eth0'] };

const phase = (id: PhaseMeasurement['id'], topology: PhaseMeasurement['topology'], namespaces: PhaseMeasurement['namespaces']): PhaseMeasurement => ({
  id, topology, title: '', path: '', appBytes: 8_388_608, transferMs: 30, countersSettled: true, namespaces,
});

const phases = [
  {
    measurement: phase('a', 'vpc-cni', [
      { netns: vpcNode.netns, interfaces: [iface('eth0', 8_399_292, 5_865), iface('eth1', 42, 0), iface('eni9ccc2008419', 5_865, 8_399_292), iface('lo', 700, 700), iface('veth1', 11, 13)] },
      { netns: 'nr-1-abcd-vpc-pa', interfaces: [iface('eth0', 8_399_292, 5_865)] },
    ]),
    nodes: [vpcNode],
  },
  {
    measurement: phase('c', 'vpc-cni', [{ netns: vpcNode.netns, interfaces: [iface('eth0', 0, 0), iface('eth1', 0, 0), iface('eni9ccc2008419', 8_398_392, 6_364), iface('lo', 0, 0), iface('veth1', 0, 0)] }]),
    nodes: [vpcNode],
  },
  {
    measurement: phase('j', 'flannel', [{ netns: flannel1.netns, interfaces: [iface('eth0', 20_783, 8_430_000), iface('cni0', 8_420_000, 11_879), iface('flannel.1', 9_359, 8_421_000), iface('veth81f6c6db', 8_424_000, 11_879)] }]),
    nodes: [flannel1],
  },
];

const { capture, periods } = buildLabCapture({
  runId: 'nr-1-abcd',
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
const of = (node: LabCaptureNode) => (s: CaptureSeries) => (s.dimensions.InstanceId ?? '') === node.instanceId;

describe('the lab capture', () => {
  it('puts each phase in its own synthetic 300 s period, the last one ending at the run start floored to the period', () => {
    expect(periods).toEqual([
      { phaseId: 'a', periodStart: '2025-03-01T09:50:00.000Z' },
      { phaseId: 'c', periodStart: '2025-03-01T09:55:00.000Z' },
      { phaseId: 'j', periodStart: '2025-03-01T10:00:00.000Z' },
    ]);
    expect(capture.periodSeconds).toBe(300);
    expect(capture.window).toEqual({ start: '2025-03-01T09:50:00.000Z', end: '2025-03-01T10:05:00.000Z' });
  });

  it("runs each node only in its topology's periods", () => {
    expect(capture.nodes).toMatchObject([
      { instanceId: vpcNode.instanceId, launchTime: '2025-03-01T09:50:00.000Z', endTime: '2025-03-01T10:00:00.000Z' },
      { instanceId: flannel1.instanceId, launchTime: '2025-03-01T10:00:00.000Z', endTime: '2025-03-01T10:05:00.000Z' },
    ]);
    const cni0 = find((s) => of(flannel1)(s) && s.source === 'agent' && s.dimensions.interface === 'cni0' && s.direction === 'rx');
    expect(cni0.timestamps).toEqual(['2025-03-01T10:00:00.000Z']);
  });

  it('publishes the agent series as per-interface deltas of the node only (not its pods), Sum in Bytes, without lo, as the CloudWatch agent does', () => {
    const agent = capture.series.filter((s) => s.source === 'agent' && of(vpcNode)(s));
    expect(new Set(agent.map((s) => s.dimensions.interface))).toEqual(new Set(['eth0', 'eth1', 'eni9ccc2008419', 'veth1']));
    const ethRx = find((s) => of(vpcNode)(s) && s.source === 'agent' && s.dimensions.interface === 'eth0' && s.direction === 'rx');
    expect(ethRx).toMatchObject({ namespace: 'CWAgent', metricName: 'net_bytes_recv', stat: 'Sum', unit: 'Bytes', periodSeconds: 300 });
    expect(ethRx.dimensions).toEqual({ InstanceId: vpcNode.instanceId, interface: 'eth0' });
    expect(ethRx.values).toEqual([8_399_292, 0]);
    expect(ethRx.timestamps).toEqual(periods.slice(0, 2).map((p) => p.periodStart));
    expect(ethRx.simulated).toBeUndefined();
  });

  it("derives EC2 NetworkIn/NetworkOut from the node's ENIs (both of them), marked simulated", () => {
    const ec2In = find((s) => of(vpcNode)(s) && s.source === 'ec2' && s.direction === 'in');
    const ec2Out = find((s) => of(vpcNode)(s) && s.source === 'ec2' && s.direction === 'out');
    expect(ec2In).toMatchObject({ namespace: 'AWS/EC2', metricName: 'NetworkIn', stat: 'Sum', unit: 'Bytes', simulated: true, values: [8_399_292 + 42, 0] });
    expect(ec2Out).toMatchObject({ metricName: 'NetworkOut', simulated: true, values: [5_865, 0] });
    expect(ec2In.dimensions).toEqual({ InstanceId: vpcNode.instanceId });
  });

  it('derives Container Insights as a Bytes/Second average over every interface cAdvisor keeps (eni, cni0, flannel.1 yes; lo and veth no), marked simulated', () => {
    const ci = find((s) => of(vpcNode)(s) && s.source === 'containerInsights');
    expect(ci).toMatchObject({ namespace: 'ContainerInsights', metricName: 'node_network_total_bytes', stat: 'Average', unit: 'Bytes/Second', direction: 'total', simulated: true });
    expect(ci.dimensions).toEqual({ ClusterName: 'netrecon-lab', InstanceId: vpcNode.instanceId, NodeName: vpcNode.nodeName });
    expect(ci.values[0]! * 300).toBeCloseTo(8_399_292 + 5_865 + 42 + 5_865 + 8_399_292, 6);
    const flannelCi = find((s) => of(flannel1)(s) && s.source === 'containerInsights');
    expect(flannelCi.values[0]! * 300).toBeCloseTo(20_783 + 8_430_000 + 8_420_000 + 11_879 + 9_359 + 8_421_000, 6);
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

describe('the capture of the whole chain', () => {
  // What netrecon's PromQL source read for phase a: eth1's ARP frame fell outside the window, lo is not exported.
  const read = { nodes: [{ netns: vpcNode.netns, interfaces: [iface('eth0', 8_399_000, 5_800), iface('eni9ccc2008419', 5_800, 8_399_000)] }], skipped: [], queries: 2, samples: 10 };
  const endEdge = { boundarySeconds: 2, from: new Map(), to: new Map() };
  const withChain = phases.map((p) => (p.measurement.id === 'a' ? { ...p, measurement: { ...p.measurement, chain: { windowStartSeconds: 1, windowEndSeconds: 2, edgeDeltas: [], endEdge, read } } } : p));
  const promql = buildLabCapture({ runId: 'nr-1-abcd', startedAtMs: Date.parse('2025-03-01T10:07:42.123Z'), capturedAtMs: 0, mib: 8, phases: withChain, agentFrom: 'promql' }).capture;
  const series = (pred: (s: CaptureSeries) => boolean) => promql.series.filter(pred);

  it('takes its per-interface series from what the PromQL source read, and EC2 and Container Insights from the kernel as before', () => {
    expect(validateCapture(JSON.parse(JSON.stringify(promql)), 'lab').skipped).toEqual([]);
    const rx = (name: string) => series((s) => s.source === 'agent' && s.direction === 'rx' && s.dimensions.InstanceId === vpcNode.instanceId && s.dimensions.interface === name)[0];
    expect(rx('eth0')?.values[0]).toBe(8_399_000);
    expect(rx('eni9ccc2008419')?.values[0]).toBe(5_800);
    expect(rx('eth1')).toBeUndefined();
    // EC2 (simulated) is the kernel's ENIs, eth1's 42 bytes included: the capture compares the chain with it.
    const ec2In = series((s) => s.source === 'ec2' && s.metricName === 'NetworkIn' && s.dimensions.InstanceId === vpcNode.instanceId)[0];
    expect(ec2In?.values[0]).toBe(8_399_292 + 42);
    expect(ec2In?.simulated).toBe(true);
    expect(promql.description).toMatch(/PromQL source read from a real Prometheus/);
  });
});
