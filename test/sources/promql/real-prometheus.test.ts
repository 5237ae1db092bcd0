/**
 * The PromQL source against a REAL Prometheus (Debian's 2.42, loaded with promtool from the hand-built scenarios
 * of scenarios.ts): netrecon's figures equal the hand-derived ones, to the byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture, type CaptureSeries } from '../../../lambda/capture/capture';
import { makeReconcileConfig } from '../../../lambda/core/config';
import type { NodePeriodResult } from '../../../lambda/core/model';
import { reconcile } from '../../../lambda/core/reconcile';
import { isoOf } from '../../../lambda/core/units';
import { PromqlHttpReader } from '../../../lambda/sources/promql/http-reader';
import { readPromql, type PromqlRead } from '../../../lambda/sources/promql/read-source';
import { promqlSettings, type PromqlSourceSettings } from '../../../lambda/sources/promql/settings';
import { promqlCaptureSeries } from '../../../lambda/sources/promql/to-capture';
import { prometheusMissing, startPrometheus, type RunningPrometheus } from '../../helpers/prometheus';
import { NODES, P, T0, VETH, WINDOW, scenarioSamples } from './scenarios';

const missing = prometheusMissing();

/** EC2's view of each node per period: what its ENI moved (hand-derived, as in the scenarios). */
const PHYSICAL: Record<string, [rx: number, tx: number][]> = {
  [NODES.vpcCni.instanceId]: [
    [10_000_000, 200_000],
    [10_000_000, 200_000],
  ],
  [NODES.reset.instanceId]: [
    [9_400_000, 100_000],
    [10_000_000, 100_000],
  ],
  [NODES.missingScrape.instanceId]: [
    [20_000_000, 1_000_000],
    [20_000_000, 1_000_000],
  ],
  [NODES.noPods.instanceId]: [
    [3_000_000, 3_000_000],
    [3_000_000, 3_000_000],
  ],
  [NODES.podChurn.instanceId]: [
    [5_000_000, 5_000_000],
    [5_000_000, 5_000_000],
  ],
  [NODES.calico.instanceId]: [
    [8_000_000, 1_000_000],
    [8_000_000, 1_000_000],
  ],
};

function ec2Series(): CaptureSeries[] {
  return Object.entries(PHYSICAL).flatMap(([instanceId, periods]) =>
    (['in', 'out'] as const).map((direction, d) => ({
      source: 'ec2' as const,
      direction,
      namespace: 'AWS/EC2',
      metricName: direction === 'in' ? 'NetworkIn' : 'NetworkOut',
      dimensions: { InstanceId: instanceId },
      stat: 'Sum',
      periodSeconds: P,
      unit: 'Bytes',
      timestamps: periods.map((_, i) => isoOf(T0 + i * P)),
      values: periods.map((p) => p[d]!),
    })),
  );
}

const inventory = Object.values(NODES).map((n) => ({ ...n, launchTime: isoOf(T0 - 86_400) }));

function captureWith(read: PromqlRead): Capture {
  return {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    cluster: 'scenarios',
    periodSeconds: P,
    window: { start: isoOf(WINDOW.startSeconds), end: isoOf(WINDOW.endSeconds) },
    nodes: inventory,
    series: [...ec2Series(), ...promqlCaptureSeries(read.devices, P)],
  };
}

describe.runIf(missing === null)('the PromQL source on a real Prometheus 2.42', () => {
  let prom: RunningPrometheus;
  beforeAll(async () => {
    prom = await startPrometheus(scenarioSamples());
  }, 60_000);
  afterAll(async () => prom?.stop());

  const read = (overrides: Partial<PromqlSourceSettings> = {}) => {
    const settings = { ...promqlSettings({ kind: 'prometheus', url: prom.url }), ...overrides };
    const reader = new PromqlHttpReader({ baseUrl: settings.url, timeoutMs: 10_000 });
    return readPromql({ cluster: 'scenarios', nodes: inventory, windowStartSeconds: WINDOW.startSeconds, windowEndSeconds: WINDOW.endSeconds, periodSeconds: P, settings, reader });
  };
  const at = (nps: readonly NodePeriodResult[], node: { instanceId: string }, period: number) => nps.find((np) => np.instanceId === node.instanceId && np.periodStart === isoOf(T0 + period * P))!;
  const iface = (np: NodePeriodResult, name: string) => np.interfaces.find((i) => i.name === name);

  let report: ReturnType<typeof reconcile>;
  let promqlRead: PromqlRead;
  beforeAll(async () => {
    promqlRead = await read();
    report = reconcile(captureWith(promqlRead), { ...makeReconcileConfig({ sourceProfile: 'full', periodSeconds: P }), containerInsightsExpected: false });
  }, 60_000);

  it('reads every device of every node, and nothing is skipped', () => {

    expect(promqlRead.skipped).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.summary.nodePeriods).toBe(12);
  });

  it('a VPC CNI node: eth0 and the pod veth to the byte, the veth named after its pod', () => {
    for (const p of [0, 1]) {
      const np = at(report.nodePeriods, NODES.vpcCni, p);
      expect(np.status).toBe('ok');
      expect([np.physicalRxBytes, np.physicalTxBytes]).toEqual([10_000_000, 200_000]);
      expect([np.podRxBytes, np.podTxBytes]).toEqual([9_500_000, 180_000]);
      expect(iface(np, VETH.web)).toMatchObject({ interfaceClass: 'podVeth', rxBytes: 180_000, txBytes: 9_500_000 });
      expect(iface(np, 'lo')).toMatchObject({ interfaceClass: 'loopback', rxBytes: 5_000, txBytes: 5_000 });
    }
  });

  it('a counter reset counts the new value from 0: 9 scrapes of 1,000,000 and 400,000 after the reboot, never negative, never doubled', () => {
    const p0 = at(report.nodePeriods, NODES.reset, 0);
    expect(p0.physicalRxBytes).toBe(9_400_000);
    expect(p0.status).toBe('ok');
    expect(at(report.nodePeriods, NODES.reset, 1).physicalRxBytes).toBe(10_000_000);
    const eth0 = promqlRead.devices.find((d) => d.instanceId === NODES.reset.instanceId && d.device === 'eth0' && d.direction === 'rx')!;
    expect(eth0.periods.resets).toBe(1);
  });

  it('a missing scrape: the counter difference still gives the bytes, and the period is partial with 240 of 300 s covered', () => {
    const p0 = at(report.nodePeriods, NODES.missingScrape, 0);
    const p1 = at(report.nodePeriods, NODES.missingScrape, 1);
    expect(p0.status).toBe('ok');
    expect(p1.status).toBe('partialPeriod');
    expect(p1.findings).toContainEqual(expect.objectContaining({ code: 'sourceCoverageShort', measure: 'agent', coveredSeconds: 240, periodSeconds: 300 }));
    expect([p1.physicalRxBytes, p1.physicalTxBytes]).toEqual([20_000_000, 1_000_000]);
  });

  it('a node without pods: no pod traffic, ENI only', () => {
    const np = at(report.nodePeriods, NODES.noPods, 1);
    expect(np.status).toBe('ok');
    expect([np.physicalRxBytes, np.physicalTxBytes, np.podRxBytes, np.podTxBytes]).toEqual([3_000_000, 3_000_000, 0, 0]);
    expect(promqlRead.pods.filter((p) => p.instanceId === NODES.noPods.instanceId)).toEqual([]);
  });

  it('pod churn: a deleted pod\'s veth counts up to its last scrape, a new one from 0 at its first', () => {
    const p0 = at(report.nodePeriods, NODES.podChurn, 0);
    const p1 = at(report.nodePeriods, NODES.podChurn, 1);
    expect(iface(p0, VETH.old)).toMatchObject({ rxBytes: 10_000, txBytes: 2_000_000 });
    expect(iface(p0, VETH.new)).toBeUndefined();
    expect(iface(p1, VETH.old)).toMatchObject({ rxBytes: 2_000, txBytes: 400_000 });
    expect(iface(p1, VETH.new)).toMatchObject({ rxBytes: 700 + 5 * 1_000, txBytes: 70_000 + 5 * 100_000 });
    expect([p1.podRxBytes, p1.podTxBytes]).toEqual([400_000 + 570_000, 2_000 + 5_700]);
    expect(p1.status).toBe('ok');
  });

  it('a Calico node: the cali… veth is pod traffic and vxlan.calico overlay', () => {
    const np = at(report.nodePeriods, NODES.calico, 0);
    expect(np.status).toBe('ok');
    expect([np.physicalRxBytes, np.physicalTxBytes, np.podRxBytes, np.podTxBytes, np.overlayBytes]).toEqual([8_000_000, 1_000_000, 7_000_000, 900_000, 1_000_000]);
  });

  it("cAdvisor's per-pod bytes, read in the pod, match its host veth (VPC CNI names it from the pod)", () => {
    const web = promqlRead.pods.filter((p) => p.pod === 'web');
    expect(web.map((p) => [p.direction, [...p.periods.bytes.values()]])).toEqual([
      ['rx', [9_500_000, 9_500_000]],
      ['tx', [180_000, 180_000]],
    ]);
    const fresh = promqlRead.pods.find((p) => p.pod === 'new' && p.direction === 'rx')!;
    expect([...fresh.periods.bytes]).toEqual([[T0 + P, 570_000]]);
  });

  it('an answer at the series limit is read again split, by nodes then by device, with the same figures', async () => {
    const split = await read({ seriesLimit: 4 });
    const key = (r: PromqlRead) =>
      r.devices
        .map((d) => `${d.instanceId} ${d.device} ${d.direction} ${[...d.periods.bytes].join(';')}`)
        .sort()
        .join('\n');
    expect(split.queries).toBeGreaterThan(promqlRead.queries);
    expect(key(split)).toBe(key(promqlRead));
  });

  it('a long window is read in several ranges and merged, with the same figures', async () => {
    const chunked = await read({ maxRangeSeconds: 120 });
    expect(chunked.queries).toBe(promqlRead.queries * 5);
    const total = (r: PromqlRead) => r.devices.reduce((a, d) => a + [...d.periods.bytes.values()].reduce((x, y) => x + y, 0), 0);
    expect(total(chunked)).toBe(total(promqlRead));
    expect(chunked.skipped).toEqual([]);
  });
});

describe.runIf(missing !== null)('the PromQL source on a real Prometheus', () => {
  if (process.env.CI) {
    it('cannot run without Prometheus in CI', () => {
      throw new Error(`the real-Prometheus tests did not run: ${missing}. CI must run them (.ci/run installs prometheus).`);
    });
  } else {
    console.warn(`SKIPPED the real-Prometheus tests: ${missing}`);
    it.skip(`needs Prometheus: ${missing}`, () => {});
  }
});

describe.runIf(missing === null)('temporality on a real Prometheus', () => {
  // One node whose counters are exported as deltas: each value is the bytes of the 30 s before it.
  const node = { instanceId: 'i-0000000000000001d', nodeName: 'ip-10-0-1-1.eu-west-1.compute.internal' };
  const times = Array.from({ length: 21 }, (_, k) => T0 + 30 * (k + 1) - 30);
  const samples = times.flatMap((t, k) =>
    (['node_network_receive_bytes_total', 'node_network_transmit_bytes_total'] as const).map((name) => ({
      name,
      labels: { instance: `${node.nodeName}:9100`, device: 'eth0' },
      value: name.includes('receive') ? 1_000 + (k % 3) * 500 : 10,
      timeSeconds: t,
    })),
  );
  let prom: RunningPrometheus;
  beforeAll(async () => {
    prom = await startPrometheus(samples);
  }, 60_000);
  afterAll(async () => prom?.stop());
  const readAs = (temporality: 'cumulative' | 'delta') => {
    const settings = { ...promqlSettings({ kind: 'prometheus', url: prom.url }), temporality, pods: false };
    return readPromql({ cluster: 'c', nodes: [{ ...node, launchTime: isoOf(T0 - 86_400) }], windowStartSeconds: T0, windowEndSeconds: T0 + 2 * P, periodSeconds: P, settings, reader: new PromqlHttpReader({ baseUrl: prom.url, timeoutMs: 10_000 }) });
  };

  it('delta: the values of (a, a + P] summed, the sample at a belonging to the period before', async () => {
    const r = await readAs('delta');
    const rx = r.devices.find((d) => d.direction === 'rx')!;
    // Samples at T0 + 30 .. T0 + 300 are k = 1..10: values 1,500 2,000 1,000 1,500 ... (k % 3).
    const want = (ks: number[]) => ks.reduce((a, k) => a + 1_000 + (k % 3) * 500, 0);
    expect([...rx.periods.bytes]).toEqual([
      [T0, want([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])],
      [T0 + P, want([11, 12, 13, 14, 15, 16, 17, 18, 19, 20])],
    ]);
  });

  it('read as cumulative, a delta series that keeps going down is refused, never counted', async () => {
    const r = await readAs('cumulative');
    expect(r.devices.filter((d) => d.direction === 'rx')).toEqual([]);
    expect(r.skipped).toContainEqual(expect.objectContaining({ reason: expect.stringMatching(/not a cumulative counter \(delta temporality\?\)/) }));
  });
});
