/** The lab's checks must be able to fail: each is shown failing on the figures of a misclassification or a wrong sum. */
import { describe, expect, it } from 'vitest';
import type { NodePeriodResult } from '../../lambda/core/model';
import { checkNode, type NodeCheckInput } from '../../lab/checks';
import type { KernelDevice } from '../../lab/ground-truth';
import { parseNetdevMetrics } from '../../lab/node-exporter';
import { parseRulesOutput } from '../../lab/rules-cli';

const device = (name: string, kernelClass: KernelDevice['kernelClass']): KernelDevice => ({ name, kind: 'veth', hardware: false, peerNetns: null, parent: null, kernelClass, why: '' });
const d = (name: string, rxBytes: number, txBytes: number) => ({ name, rxBytes, txBytes, rxPackets: 0, txPackets: 0 });

// Cilium phase i, node 1: health-endpoint traffic through lxc_health, the tunnel and eth0; no pod.
const devices = [device('eth0', 'physical'), device('cilium_vxlan', 'overlay'), device('lxc_health', 'bridge'), device('lxcaaaa', 'podVeth')];
const interfaces = [d('eth0', 37_113, 16_824_202), d('cilium_vxlan', 16_697, 16_803_594), d('lxc_health', 16_808_144, 21_205), d('lxcaaaa', 0, 0)];
const result = (over: Partial<NodePeriodResult> = {}): NodePeriodResult =>
  ({
    correctedTotalBytes: 37_113 + 16_824_202,
    naiveTotalBytes: 37_113 + 16_824_202 + 16_697 + 16_803_594 + 16_808_144 + 21_205,
    podRxBytes: 0,
    podTxBytes: 0,
    interfaces: devices.map((x) => ({ name: x.name, interfaceClass: x.kernelClass, rxBytes: 0, txBytes: 0 })),
    ...over,
  }) as NodePeriodResult;
const input = (over: Partial<NodeCheckInput> = {}): NodeCheckInput => ({
  devices,
  interfaces,
  pods: [{ label: 'pod A', rxBytes: 0, txBytes: 0 }],
  rulesClasses: new Map(devices.map((x) => [x.name, x.kernelClass])),
  result: result(),
  crossings: [{ node: 'n1', device: 'lxc_health', direction: 'rx' }, { node: 'n1', device: 'eth0', direction: 'tx' }],
  bytesPerTransfer: 16_777_216,
  ...over,
});
const failed = (i: NodeCheckInput) => checkNode(i).checks.filter((c) => !c.ok).map((c) => c.check);

describe('the lab checks', () => {
  it('all hold when netrecon agrees with the kernel', () => {
    expect(failed(input())).toEqual([]);
    expect(checkNode(input()).kernel.ratio).toBeCloseTo((37_113 + 16_824_202 + 16_697 + 16_803_594 + 16_808_144 + 21_205) / (37_113 + 16_824_202), 12);
  });

  it('(1) fail when netrecon rules calls a device something the kernel says it is not, or calls it unknown', () => {
    expect(failed(input({ rulesClasses: new Map([...input().rulesClasses, ['lxc_health', 'podVeth']]) }))).toEqual(['classes']);
    expect(failed(input({ rulesClasses: new Map([...input().rulesClasses, ['cilium_vxlan', 'unknown']]) }))).toEqual(['classes']);
    expect(failed(input({ devices: [...devices.slice(0, 3), device('lxcaaaa', 'unknown')], rulesClasses: new Map([...input().rulesClasses, ['lxcaaaa', 'unknown']]) }))).toEqual(['classes']);
  });

  it('(2) and (4) fail when corrected is not what crossed the ENIs, e.g. an overlay counted as physical', () => {
    const withOverlay = 37_113 + 16_824_202 + 16_697 + 16_803_594;
    expect(failed(input({ result: result({ correctedTotalBytes: withOverlay }) }))).toEqual(['corrected', 'ratio']);
  });

  it("(3) fails when pod bytes are not the pods' eth0 counters, e.g. the health endpoint counted as a pod", () => {
    expect(failed(input({ result: result({ podRxBytes: 21_205, podTxBytes: 16_808_144 }) }))).toEqual(['pods']);
  });

  it('(4) fails when the naive sum differs from the kernel’s, and path fails when a crossing carried less than a transfer', () => {
    expect(failed(input({ result: result({ naiveTotalBytes: 1 }) }))).toEqual(['ratio']);
    expect(failed(input({ bytesPerTransfer: 17_000_000 }))).toEqual(['path']);
  });
});

describe("node_exporter's check", () => {
  const exported = interfaces.filter((i) => i.name !== 'lo').map(({ name, rxBytes, txBytes }) => ({ name, rxBytes, txBytes }));
  it("holds when node_exporter's deltas are the kernel's, and fails on a byte's difference or a missing device", () => {
    expect(failed(input({ nodeExporter: exported }))).toEqual([]);
    expect(failed(input({ nodeExporter: exported.map((e) => (e.name === 'eth0' ? { ...e, rxBytes: e.rxBytes + 1 } : e)) }))).toEqual(['nodeExporter']);
    expect(failed(input({ nodeExporter: exported.slice(1) }))).toEqual(['nodeExporter']);
  });

  it('reads the byte counters per device from the exposition format', () => {
    const text = [
      '# HELP node_network_receive_bytes_total Network device statistic receive_bytes.',
      'node_network_receive_bytes_total{device="eth0"} 1.6830775e+07',
      'node_network_receive_bytes_total{device="vlan.eth.1"} 42',
      'node_network_transmit_bytes_total{device="eth0"} 11392',
      'node_network_receive_packets_total{device="eth0"} 9',
    ].join('\n');
    expect(parseNetdevMetrics(text)).toEqual(new Map([['eth0', { rxBytes: 16_830_775, txBytes: 11_392 }], ['vlan.eth.1', { rxBytes: 42, txBytes: 0 }]]));
  });
});

describe('the whole chain checks', () => {
  const kernelNaive = interfaces.reduce((a, i) => a + i.rxBytes + i.txBytes, 0);
  const chain = (over: Partial<NonNullable<NodeCheckInput['promql']>> = {}): NodeCheckInput => input({ promql: { result: result(), naiveBytes: kernelNaive, edgeDeltas: [], skipped: [], ...over } });
  const chainFailed = (i: NodeCheckInput) => failed(i).filter((c) => c.startsWith('promql'));

  it('hold when what came through Prometheus is the kernel to the byte, and print the kernel ratio beside it', () => {
    expect(chainFailed(chain())).toEqual([]);
    expect(checkNode(chain()).chain).toMatchObject({ correctedBytes: 37_113 + 16_824_202, kernelNaiveBytes: kernelNaive, allowanceBytes: { corrected: 0, naive: 0 } });
  });

  it('fail when corrected is off by more than the ENIs moved at the edges, and hold within it', () => {
    const off = (by: number) => result({ correctedTotalBytes: 37_113 + 16_824_202 + by });
    expect(chainFailed(chain({ result: off(42) }))).toEqual(['promqlCorrected']);
    // One ARP frame on eth0 between a settled read and the edge's sample: 42 bytes allowed, lxc_health's do not count.
    const edgeDeltas = [d('eth0', 42, 0), d('lxc_health', 0, 1_000)];
    expect(chainFailed(chain({ result: off(42), edgeDeltas, naiveBytes: kernelNaive + 42 }))).toEqual([]);
    expect(chainFailed(chain({ result: off(43), edgeDeltas, naiveBytes: kernelNaive + 43 }))).toEqual(['promqlCorrected']);
  });

  it("fail when node_exporter's naive sum through Prometheus is not the kernel's (a window that lost a transfer), or nothing was read", () => {
    // The window closed before the phase's last bytes were scraped: naive and corrected both short, ratio kept.
    expect(chainFailed(chain({ result: result({ correctedTotalBytes: 0 }), naiveBytes: 0 }))).toEqual(['promqlCorrected', 'promqlNaive']);
    expect(chainFailed(chain({ naiveBytes: kernelNaive - 16_808_144 - 21_205 }))).toEqual(['promqlNaive']);
    expect(chainFailed(chain({ result: undefined, naiveBytes: null }))).toEqual(['promqlCorrected', 'promqlNaive']);
    expect(chainFailed(chain({ skipped: ['node_network_receive_bytes_total{instance="vpc-n1:9100",device="eth0"}: values[3] is NaN'] }))).toEqual(['promqlCorrected', 'promqlNaive']);
  });
});

describe('reading netrecon rules', () => {
  it('takes the class from each line and refuses output that misses a name', () => {
    const out = 'eth0             physical  counted by Container Insights  ^eth\\d+$ (ENI)\nveth1234         podVeth   ignored by Container Insights  ^veth (Flannel)\n';
    expect(parseRulesOutput(out, ['eth0', 'veth1234'])).toEqual(new Map([['eth0', 'physical'], ['veth1234', 'podVeth']]));
    expect(() => parseRulesOutput(out, ['eth0', 'cni0'])).toThrow(/no class for cni0/);
  });
});
