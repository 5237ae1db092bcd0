/** The summary's verdict: a run whose checks all hold is ok; one failed check makes it not ok (and the lab exit 1). */
import { describe, expect, it } from 'vitest';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { buildLabCapture } from '../../lab/capture';
import type { KernelDevice } from '../../lab/ground-truth';
import type { LabRun } from '../../lab/lab';
import { renderSummaryText, summarise } from '../../lab/summary';
import type { BuiltTopology } from '../../lab/topology';

const d = (name: string, rxBytes: number, txBytes: number) => ({ name, rxBytes, txBytes, rxPackets: 0, txPackets: 0 });
const dev = (name: string, kind: string | null, kernelClass: KernelDevice['kernelClass']): KernelDevice => ({ name, kind, hardware: false, peerNetns: null, parent: null, kernelClass, why: '' });

const topology: BuiltTopology = {
  id: 'vpc-cni',
  title: 'VPC CNI',
  namespaces: [
    { netns: 'nr-1-abcd-vpc-net', kind: 'vpc', label: 'VPC' },
    { netns: 'nr-1-abcd-vpc-n1', kind: 'node', label: 'node' },
    { netns: 'nr-1-abcd-vpc-pa', kind: 'pod', label: 'pod A', node: 'nr-1-abcd-vpc-n1' },
  ],
  nodes: [{ key: 'n1', netns: 'nr-1-abcd-vpc-n1', primaryIp: '198.18.0.2', instanceId: 'i-0123456789abcdef0', nodeName: 'ip-198-18-0-2.vpc-cni.netrecon-lab.internal' }],
  servers: [],
  phases: [{ id: 'a', topology: 'vpc-cni', title: 'pod download', path: '', transfers: [{ clientNetns: 'nr-1-abcd-vpc-pa', serverUrl: 'http://198.18.0.1:8080' }], crossings: [{ node: 'n1', device: 'eth0', direction: 'rx' }] }],
  notes: [],
};
const measurement = {
  id: 'a' as const,
  topology: 'vpc-cni' as const,
  title: 'pod download',
  path: '',
  appBytes: 8_388_608,
  transferMs: 30,
  countersSettled: true,
  namespaces: [
    { netns: 'nr-1-abcd-vpc-n1', interfaces: [d('eth0', 8_399_292, 5_865), d('enie348bef9edc', 5_865, 8_399_292), d('lo', 0, 0)] },
    { netns: 'nr-1-abcd-vpc-pa', interfaces: [d('eth0', 8_399_292, 5_865), d('lo', 0, 0)] },
  ],
};
const devices = [dev('eth0', 'veth', 'physical'), dev('enie348bef9edc', 'veth', 'podVeth'), dev('lo', 'loopback', 'loopback')];
const run: LabRun = {
  runId: 'nr-1-abcd',
  startedAtMs: Date.parse('2025-03-01T10:07:42Z'),
  topologies: [{ topology, groundTruth: new Map([['n1', devices]]), measurements: [measurement] }],
  measurements: [measurement],
  failures: [],
  timings: { setupMs: 1, phasesMs: 1, teardownMs: 1 },
  teardownFailures: [],
};
const { capture, periods } = buildLabCapture({
  runId: run.runId,
  startedAtMs: run.startedAtMs,
  capturedAtMs: run.startedAtMs,
  mib: 8,
  phases: [{ measurement, nodes: [{ ...topology.nodes[0]!, uplinks: ['eth0'] }] }],
});
const report = reconcile(capture, makeReconcileConfig({ periodSeconds: 300 }));
const summaryWith = (rulesClasses: Map<string, string>) =>
  summarise({ run, mib: 8, capturePath: '/tmp/x.capture.json', periods, report, reconcileError: null, rulesClasses, nodeExporterMissing: 'not installed', reconcileMs: 1, wallMs: 1 });

describe('the lab summary', () => {
  it('is ok when every check holds on the reconciler’s own report of the capture', () => {
    const summary = summaryWith(new Map(devices.map((x) => [x.name, x.kernelClass])));
    expect(summary.checks).toEqual({ passed: 5, failed: [] });
    expect(summary.ok).toBe(true);
    expect(summary.topologies[0]?.phases[0]?.nodes[0]?.naiveOverCorrected).toBe('2.000');
    expect(renderSummaryText(summary)).toMatch(/Checks: 5 passed, 0 failed \(node_exporter not run: not installed\)/);
  });

  it('is not ok, and names the check, when netrecon rules classes one device differently from the kernel', () => {
    const summary = summaryWith(new Map([['eth0', 'physical'], ['enie348bef9edc', 'bridge'], ['lo', 'loopback']]));
    expect(summary.ok).toBe(false);
    expect(summary.checks.failed).toEqual([expect.stringMatching(/^vpc-cni phase a n1 classes: enie348bef9edc: kernel podVeth .*netrecon rules bridge, reconciler podVeth/)]);
    expect(renderSummaryText(summary)).toMatch(/FAIL classes/);
  });
});
