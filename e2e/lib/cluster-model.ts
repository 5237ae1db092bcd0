/**
 * The synthetic EKS cluster the e2e suite seeds into the emulator: which nodes exist, which interfaces each
 * has, and how many bytes cross each interface in every minute. Everything is a deterministic function of the
 * node index, the pod index and the minute index within the seeded window, so the expected values
 * (expected.ts) are the same on every run; only the timestamps follow the clock.
 *
 * Every interface carries its role *by construction* (the model put the pod behind that veth), so the test
 * never needs netrecon's classifier to know what a name means.
 */
import { vpcCniHostVethName } from '../../lambda/core/vpc-cni-veth-name';

export const CLUSTER = 'netrecon-e2e';
/** Tagged like a cluster too, with traffic a thousand times larger: if any of it leaks into the answer, the sums show it. */
export const OTHER_CLUSTER = 'netrecon-e2e-other';
export const PERIOD_SECONDS = 300;
export const MINUTE_SECONDS = 60;

/** What an interface carries, known because the model built it (not read from a name). */
export type InterfaceRole = 'eni' | 'podVeth' | 'loopback' | 'hostInternal';

export interface ModelInterface {
  readonly name: string;
  readonly role: InterfaceRole;
  /** Bytes received / sent on this interface in each minute of the window (index = minute). */
  readonly rxBytesPerMinute: readonly number[];
  readonly txBytesPerMinute: readonly number[];
  /** False when the node's CloudWatch agent does not publish this interface (its `resources` list leaves it out). */
  readonly reportedByAgent: boolean;
}

export interface ModelNode {
  /** Stable key (`n07`), also the instance's `Name` tag; the instance id is only known after RunInstances. */
  readonly key: string;
  readonly index: number;
  readonly cluster: string;
  /** AL2 names ENIs eth0/eth1, AL2023 ens5/ens6. */
  readonly os: 'al2' | 'al2023';
  readonly hasAgent: boolean;
  readonly hasContainerInsights: boolean;
  readonly interfaces: readonly ModelInterface[];
  /** AWS/EC2 NetworkIn / NetworkOut per minute (detailed monitoring), counted at the ENIs plus frame overhead. */
  readonly ec2InBytesPerMinute: readonly number[];
  readonly ec2OutBytesPerMinute: readonly number[];
  /** ContainerInsights node_network_total_bytes samples, one a minute, in Bytes/Second. */
  readonly containerInsightsBytesPerSecond: readonly number[];
}

export interface ClusterModel {
  readonly cluster: string;
  readonly otherCluster: string;
  readonly periodSeconds: number;
  /** Epoch seconds of the first seeded minute, aligned to the period. */
  readonly startEpochSeconds: number;
  readonly periods: number;
  readonly minutes: number;
  readonly nodes: readonly ModelNode[];
}

export const NODES_IN_CLUSTER = 24;
export const NODES_IN_OTHER_CLUSTER = 3;
/** The node whose CloudWatch agent publishes nothing, and the node Container Insights does not cover. */
export const NODE_WITHOUT_AGENT = 22;
export const NODE_WITHOUT_CONTAINER_INSIGHTS = 23;
/** The node with an interface Container Insights counts but the agent does not report (a known residual). */
export const NODE_WITH_RESIDUAL = 7;
export const RESIDUAL_BYTES_PER_MINUTE = 120_000;
/** Ethernet framing the ENI counters see beyond the kernel counters, per minute (keeps EC2 near, not equal to, corrected). */
export const EC2_IN_OVERHEAD_BYTES_PER_MINUTE = 1_000;
export const EC2_OUT_OVERHEAD_BYTES_PER_MINUTE = 500;

function perMinute(minutes: number, f: (minute: number) => number): number[] {
  return Array.from({ length: minutes }, (_, k) => f(k));
}

function sumAt(series: readonly (readonly number[])[], minute: number): number {
  return series.reduce((total, s) => total + (s[minute] ?? 0), 0);
}

function buildNode(index: number, cluster: string, minutes: number): ModelNode {
  // The other cluster's traffic is 1,000 times larger, so a leak cannot hide in rounding.
  const scale = cluster === CLUSTER ? 1 : 1_000;
  const os = index % 2 === 0 ? 'al2' : 'al2023';
  const [primary, secondary] = os === 'al2' ? ['eth0', 'eth1'] : ['ens5', 'ens6'];
  const pods = 2 + (index % 3);

  // Per pod: what it receives from / sends to outside the node. Pods with an even index use the primary ENI.
  const podIn = (j: number) => perMinute(minutes, (k) => scale * (1_000_000 * (1 + (index % 7)) + 10_000 * j + 1_000 * k));
  const podOut = (j: number) => perMinute(minutes, (k) => scale * (200_000 * (1 + j) + 100 * index + 10 * k));
  // Same-node pod-to-pod traffic (pod 0 sends to pod 1) on every fourth node: two veths, no ENI, no EC2.
  const sameNode = perMinute(minutes, (k) => (index % 4 === 0 ? scale * (5_000_000 + 1_000 * k) : 0));

  const vethFor = (j: number): ModelInterface => ({
    // Named as the VPC CNI names the host side: `eni` + the first 11 hex digits of sha1("namespace.pod").
    name: vpcCniHostVethName('default', `${cluster}-n${index}-pod${j}`),
    role: 'podVeth',
    // Host-side veth TX is what the pod receives; RX is what it sends.
    txBytesPerMinute: perMinute(minutes, (k) => podIn(j)[k]! + (j === 1 ? sameNode[k]! : 0)),
    rxBytesPerMinute: perMinute(minutes, (k) => podOut(j)[k]! + (j === 0 ? sameNode[k]! : 0)),
    reportedByAgent: true,
  });
  const vethIndexes = Array.from({ length: pods }, (_, j) => j);
  const onPrimary = vethIndexes.filter((j) => j % 2 === 0);
  const onSecondary = vethIndexes.filter((j) => j % 2 === 1);

  const interfaces: ModelInterface[] = [
    {
      name: primary!,
      role: 'eni',
      rxBytesPerMinute: perMinute(minutes, (k) => scale * (50_000 + 1_000 * index + k) + sumAt(onPrimary.map(podIn), k)),
      txBytesPerMinute: perMinute(minutes, (k) => scale * (30_000 + 500 * index + k) + sumAt(onPrimary.map(podOut), k)),
      reportedByAgent: true,
    },
    {
      // The source article's eth1 moved 2,492 bytes in and 1,130 out: a quiet secondary ENI, plus its pods.
      name: secondary!,
      role: 'eni',
      rxBytesPerMinute: perMinute(minutes, (k) => scale * 2_492 + sumAt(onSecondary.map(podIn), k)),
      txBytesPerMinute: perMinute(minutes, (k) => scale * 1_130 + sumAt(onSecondary.map(podOut), k)),
      reportedByAgent: true,
    },
    ...vethIndexes.map(vethFor),
  ];
  if (index % 5 === 0) {
    // An agent configured with `resources: ["*"]` plus loopback: lo must count nowhere.
    const lo = perMinute(minutes, () => scale * 25_689);
    interfaces.push({ name: 'lo', role: 'loopback', rxBytesPerMinute: lo, txBytesPerMinute: lo, reportedByAgent: true });
  }
  if (index === NODE_WITH_RESIDUAL) {
    const dns = perMinute(minutes, () => RESIDUAL_BYTES_PER_MINUTE / 2);
    interfaces.push({ name: 'nodelocaldns', role: 'hostInternal', rxBytesPerMinute: dns, txBytesPerMinute: dns, reportedByAgent: false });
  }

  const enis = interfaces.filter((i) => i.role === 'eni');
  const ec2InBytesPerMinute = perMinute(minutes, (k) => sumAt(enis.map((i) => i.rxBytesPerMinute), k) + EC2_IN_OVERHEAD_BYTES_PER_MINUTE);
  const ec2OutBytesPerMinute = perMinute(minutes, (k) => sumAt(enis.map((i) => i.txBytesPerMinute), k) + EC2_OUT_OVERHEAD_BYTES_PER_MINUTE);
  // What cAdvisor sums: every interface whose name does not start with lo, veth, docker or nerdctl (none of ours but lo).
  const counted = interfaces.filter((i) => i.role !== 'loopback');
  const containerInsightsBytesPerSecond = perMinute(
    minutes,
    (k) => counted.reduce((t, i) => t + i.rxBytesPerMinute[k]! + i.txBytesPerMinute[k]!, 0) / MINUTE_SECONDS,
  );

  return {
    key: `${cluster === CLUSTER ? 'n' : 'x'}${String(index).padStart(2, '0')}`,
    index,
    cluster,
    os,
    hasAgent: index !== NODE_WITHOUT_AGENT,
    hasContainerInsights: index !== NODE_WITHOUT_CONTAINER_INSIGHTS,
    interfaces,
    ec2InBytesPerMinute,
    ec2OutBytesPerMinute,
    containerInsightsBytesPerSecond,
  };
}

/** The cluster for `periods` whole periods starting at `startEpochSeconds` (aligned to the period). */
export function buildClusterModel(options: { startEpochSeconds: number; periods: number }): ClusterModel {
  const { startEpochSeconds, periods } = options;
  if (startEpochSeconds % PERIOD_SECONDS !== 0) {
    throw new Error(`startEpochSeconds ${startEpochSeconds} is not aligned to ${PERIOD_SECONDS} s periods`);
  }
  const minutes = (periods * PERIOD_SECONDS) / MINUTE_SECONDS;
  const nodes = [
    ...Array.from({ length: NODES_IN_CLUSTER }, (_, i) => buildNode(i, CLUSTER, minutes)),
    ...Array.from({ length: NODES_IN_OTHER_CLUSTER }, (_, i) => buildNode(i, OTHER_CLUSTER, minutes)),
  ];
  return { cluster: CLUSTER, otherCluster: OTHER_CLUSTER, periodSeconds: PERIOD_SECONDS, startEpochSeconds, periods, minutes, nodes };
}

/**
 * The seeded window for a run starting now: `periods` whole periods that all closed at least `lagSeconds`
 * before `nowEpochSeconds`, so netrecon (default lag 600 s) treats every one of them as closed.
 */
export function seededWindow(nowEpochSeconds: number, periods: number, lagSeconds: number): { startEpochSeconds: number; endEpochSeconds: number } {
  const endEpochSeconds = Math.floor((nowEpochSeconds - lagSeconds) / PERIOD_SECONDS) * PERIOD_SECONDS;
  return { startEpochSeconds: endEpochSeconds - periods * PERIOD_SECONDS, endEpochSeconds };
}
