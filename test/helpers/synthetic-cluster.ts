/**
 * A SYNTHETIC EKS cluster for the benchmark and the SDK-level tests: nodes with VPC CNI-style interfaces
 * (`eth0`, `eth1`, pod veths `eni` + 11 hex) whose per-minute byte counts are generated from the node's seed and
 * the minute, consistent across the three views the way docs/domain.md describes: a pod's download is counted on
 * `eth0` RX and again on its veth TX; EC2 sees the physical interfaces only; Container Insights sums every
 * interface but `lo`, as a Bytes/Second rate. Nothing here is measured; it only has to be self-consistent.
 */
import { vpcCniHostVethName } from '../../lambda/core/vpc-cni-veth-name';

export interface SynthNode {
  readonly instanceId: string;
  readonly nodeName: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly launchSeconds: number;
  readonly endSeconds?: number;
  readonly interfaces: readonly string[];
  readonly sources: { readonly ec2: boolean; readonly ci: boolean; readonly agent: boolean };
  readonly seed: number;
  /** DescribeInstances no longer lists it (terminated more than about an hour ago), though its series remain. */
  readonly unlisted?: boolean;
}

export interface ClusterSpec {
  readonly cluster: string;
  readonly nodes: number;
  /** Interfaces per node: eth0, eth1, then pod veths. Default 4. */
  readonly interfacesPerNode?: number;
  /** Nodes of another cluster in the same account (must never be read). Default 0. */
  readonly otherClusterNodes?: number;
  /** Epoch seconds when the nodes were launched. */
  readonly launchSeconds: number;
  /** Node indexes that lack a source. */
  readonly withoutAgent?: readonly number[];
  readonly withoutEc2?: readonly number[];
  readonly withoutContainerInsights?: readonly number[];
}

const veth = (node: number, pod: number): string => vpcCniHostVethName('default', `pod-${node}-${pod}`);

export function makeCluster(spec: ClusterSpec): SynthNode[] {
  const perNode = spec.interfacesPerNode ?? 4;
  const make = (cluster: string, i: number, offset: number): SynthNode => {
    const n = offset + i;
    const interfaces = ['eth0', 'eth1', ...Array.from({ length: Math.max(0, perNode - 2) }, (_, p) => veth(n, p))].slice(0, perNode);
    return {
      instanceId: `i-${n.toString(16).padStart(17, '0')}`,
      nodeName: `ip-10-${(n >> 16) & 255}-${(n >> 8) & 255}-${n & 255}.eu-west-1.compute.internal`,
      tags: { 'eks:cluster-name': cluster, [`kubernetes.io/cluster/${cluster}`]: 'owned' },
      launchSeconds: spec.launchSeconds,
      interfaces,
      sources: {
        ec2: !spec.withoutEc2?.includes(i),
        ci: !spec.withoutContainerInsights?.includes(i),
        agent: !spec.withoutAgent?.includes(i),
      },
      seed: n,
    };
  };
  const nodes = Array.from({ length: spec.nodes }, (_, i) => make(spec.cluster, i, 0));
  const others = Array.from({ length: spec.otherClusterNodes ?? 0 }, (_, i) => make(`${spec.cluster}-other`, i, 1_000_000));
  return [...nodes, ...others];
}

const running = (n: SynthNode, t: number): boolean => t >= n.launchSeconds && (n.endSeconds === undefined || t < n.endSeconds);
const pods = (n: SynthNode): number => n.interfaces.filter((i) => i.startsWith('eni')).length;

/** Bytes per minute a node's pods download / upload, and the host's own traffic. */
function minuteTraffic(n: SynthNode, t: number) {
  const p = Math.max(1, pods(n));
  const wobble = (n.seed * 7919 + Math.floor(t / 60) * 104_729) % 1000;
  return { podDown: p * (10_000_000 + wobble * 1000), podUp: p * 200_000, hostRx: 3_000_000, hostTx: 1_000_000 };
}

/** One interface's bytes in the minute starting at t (the agent's 60 s delta), or null when it did not publish. */
export function agentBytes(n: SynthNode, iface: string, t: number): { rxBytes: number; txBytes: number } | null {
  if (!n.sources.agent || !running(n, t) || !n.interfaces.includes(iface)) return null;
  return interfaceBytes(n, iface, t);
}

function interfaceBytes(n: SynthNode, iface: string, t: number): { rxBytes: number; txBytes: number } {
  const m = minuteTraffic(n, t);
  const p = Math.max(1, pods(n));
  const withPods = pods(n) > 0;
  if (iface === 'eth0') return { rxBytes: (withPods ? m.podDown : 0) + m.hostRx, txBytes: (withPods ? m.podUp : 0) + m.hostTx };
  if (iface === 'eth1') return { rxBytes: 1000, txBytes: 500 };
  // Host-side veth: what the pod receives leaves the host on it (TX), what it sends arrives (RX).
  return { rxBytes: m.podUp / p, txBytes: m.podDown / p };
}

function minuteSums(n: SynthNode, t: number) {
  let physRx = 0;
  let physTx = 0;
  let all = 0;
  for (const iface of n.interfaces) {
    const b = interfaceBytes(n, iface, t);
    if (iface.startsWith('eth')) {
      physRx += b.rxBytes;
      physTx += b.txBytes;
    }
    all += b.rxBytes + b.txBytes;
  }
  return { physRx, physTx, all };
}

/** EC2 NetworkIn/Out over [t, t + seconds): the physical interfaces only. */
export function ec2Bytes(n: SynthNode, t: number, seconds: number): { inBytes: number; outBytes: number } | null {
  if (!n.sources.ec2 || !running(n, t)) return null;
  let inBytes = 0;
  let outBytes = 0;
  for (let m = t; m < t + seconds; m += 60) {
    const s = minuteSums(n, m);
    inBytes += s.physRx;
    outBytes += s.physTx;
  }
  return { inBytes, outBytes };
}

/** Container Insights node_network_total_bytes for the minute at t: every interface but lo, rx + tx, per second. */
export function containerInsightsRate(n: SynthNode, t: number): number | null {
  if (!n.sources.ci || !running(n, t)) return null;
  return minuteSums(n, t).all / 60;
}
