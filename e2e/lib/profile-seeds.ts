/**
 * The small clusters of issue 11's e2e steps, one per source profile (agentless, enis, full, mixed) and one per
 * misconfiguration `netrecon doctor` must find, seeded into the emulator in one batch. Every byte value is chosen
 * by hand below; in minute k of the timeline each counter moves its value + GROWTH_BYTES_PER_MINUTE·k and each
 * Container Insights rate its value + k, so a period read one minute off, or a Sum read as an Average, shows.
 *
 * Every interface carries its role by construction (the seed put the pod behind that veth), so the expected
 * figures (profile-expected.ts) never need netrecon's classifier.
 */
import type { CloudWatchClient, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { vpcCniHostVethName } from '../../lambda/core/vpc-cni-veth-name';
import { DEFAULT_SOURCE_SETTINGS as SOURCE } from '../../lambda/plan/sources';
import type { SourceProfile } from '../../lambda/core/source-profile';
import { MINUTE_SECONDS, PERIOD_SECONDS } from './cluster-model';
import { EKS_NODE_IMAGE, putDatums, type Datum } from './seed';

export const GROWTH_BYTES_PER_MINUTE = 100;
/** Container Insights' `node_number_of_running_pods`, the series doctor reads to know a node runs pods. */
export const RUNNING_PODS_METRIC = 'node_number_of_running_pods';
/**
 * A stale agent's datapoints lie this many minutes before now, never later (doctor: none in the last 15 minutes).
 * moto quirk: ListMetrics ignores RecentlyActive and lists a series whatever its age. Inside 3 hours CloudWatch
 * lists it too under RecentlyActive=PT3H, so this window keeps moto's answer the same as CloudWatch's.
 */
export const STALE_MINUTES_AGO = { newest: 35, oldest: 55 } as const;

export type InterfaceRole = 'eni' | 'podVeth' | 'loopback';
/** How an agent's series are dimensioned: as discovery reads them, or one of the misconfigurations. */
export type AgentDimensions = 'instanceAndInterface' | 'hostAndInterface' | 'instanceInterfaceHostAsg';

export interface SeedInterface {
  readonly name: string;
  readonly role: InterfaceRole;
  /** Bytes received / sent in minute 0; minute k adds GROWTH_BYTES_PER_MINUTE·k to each. */
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface SeedNodeSpec {
  /** Stable key within its cluster, e.g. `a0`. */
  readonly key: string;
  /** EC2 NetworkIn / NetworkOut in minute 0 (detailed monitoring, one datapoint a minute). */
  readonly ec2InBytes: number;
  readonly ec2OutBytes: number;
  /** Container Insights node_network_total_bytes (Bytes/Second) in minute 0, and the node's running pods; absent: no Container Insights. */
  readonly containerInsights?: { readonly bytesPerSecond: number; readonly runningPods: number };
  /** The CloudWatch agent's net plugin; absent: no agent. */
  readonly agent?: { readonly interfaces: readonly SeedInterface[]; readonly dimensions: AgentDimensions; readonly stale: boolean };
}

export interface SeedClusterSpec {
  readonly name: string;
  /** Which tag the nodes carry: both (EKS managed node groups), or only `kubernetes.io/cluster/NAME`. */
  readonly tags: 'both' | 'kubernetesOnly';
  readonly nodes: readonly SeedNodeSpec[];
}

export interface SeededSpecNode {
  readonly spec: SeedNodeSpec;
  readonly instanceId: string;
  /** PrivateDnsName: Container Insights' NodeName and the agent's `host`. */
  readonly nodeName: string;
}

export interface SeededSpecCluster {
  readonly spec: SeedClusterSpec;
  readonly nodes: readonly SeededSpecNode[];
}

/** The shared timeline: minute k is at startEpochSeconds + 60·k; the last minute closed before seeding. */
export interface Timeline {
  readonly startEpochSeconds: number;
  readonly minutes: number;
  /** The whole periods `reconcile` reads: [start, start + periods·300). */
  readonly reconcilePeriods: number;
}

const eni = (name: string, rxBytes: number, txBytes: number): SeedInterface => ({ name, role: 'eni', rxBytes, txBytes });
const lo = (bytes: number): SeedInterface => ({ name: 'lo', role: 'loopback', rxBytes: bytes, txBytes: bytes });
/** The host side of a pod's veth, named as the VPC CNI names it; rx is what the pod sent, tx what it received. */
const veth = (cluster: string, pod: string, rxBytes: number, txBytes: number): SeedInterface => ({
  name: vpcCniHostVethName('default', `${cluster}-${pod}`),
  role: 'podVeth',
  rxBytes,
  txBytes,
});
const agent = (interfaces: SeedInterface[], dimensions: AgentDimensions = 'instanceAndInterface', stale = false) => ({ interfaces, dimensions, stale });

/** The source profile clusters: the profile each is reconciled with is its name's suffix. */
export const PROFILE_CLUSTERS: Readonly<Record<SourceProfile, SeedClusterSpec>> = {
  agentless: {
    name: 'pe-agentless',
    tags: 'both',
    nodes: [
      { key: 'a0', ec2InBytes: 3_000_000, ec2OutBytes: 1_000_000, containerInsights: { bytesPerSecond: 100_000, runningPods: 3 } },
      {
        // Has an ENI agent whose counters disagree with EC2 on purpose: agentless must not read it.
        key: 'a1',
        ec2InBytes: 2_000_000,
        ec2OutBytes: 500_000,
        containerInsights: { bytesPerSecond: 60_000, runningPods: 2 },
        agent: agent([eni('eth0', 1_500_000, 400_000)]),
      },
    ],
  },
  enis: {
    name: 'pe-enis',
    tags: 'both',
    nodes: [
      {
        // EC2 = the ENIs + 1,000 / 500 bytes of framing in minute 0: ok.
        key: 'e0',
        ec2InBytes: 2_301_000,
        ec2OutBytes: 900_500,
        containerInsights: { bytesPerSecond: 80_000, runningPods: 4 },
        agent: agent([eni('eth0', 2_000_000, 800_000), eni('eth1', 300_000, 100_000)]),
      },
      {
        // EC2 ≈ 1.5 × the ENIs: ec2Mismatch, which enis can tell and agentless cannot.
        key: 'e1',
        ec2InBytes: 2_400_000,
        ec2OutBytes: 900_000,
        containerInsights: { bytesPerSecond: 50_000, runningPods: 2 },
        agent: agent([eni('ens5', 1_500_000, 600_000), eni('ens6', 10_000, 5_000)]),
      },
    ],
  },
  full: {
    name: 'pe-full',
    tags: 'both',
    nodes: [
      {
        key: 'f0',
        ec2InBytes: 1_603_492,
        ec2OutBytes: 701_630,
        containerInsights: { bytesPerSecond: 75_000, runningPods: 2 },
        agent: agent([
          eni('eth0', 1_600_000, 700_000),
          eni('eth1', 2_492, 1_130),
          veth('pe-full', 'f0-pod0', 400_000, 1_000_000),
          veth('pe-full', 'f0-pod1', 200_000, 500_000),
          lo(25_689),
        ]),
      },
      {
        key: 'f1',
        ec2InBytes: 903_000,
        ec2OutBytes: 301_500,
        containerInsights: { bytesPerSecond: 36_000, runningPods: 1 },
        agent: agent([eni('ens5', 900_000, 300_000), eni('ens6', 2_000, 1_000), veth('pe-full', 'f1-pod0', 250_000, 700_000), lo(25_689)]),
      },
    ],
  },
  mixed: {
    name: 'pe-mixed',
    tags: 'both',
    nodes: [
      {
        // Every interface: reconciled as full.
        key: 'm0',
        ec2InBytes: 1_203_492,
        ec2OutBytes: 501_630,
        containerInsights: { bytesPerSecond: 47_000, runningPods: 1 },
        agent: agent([eni('eth0', 1_200_000, 500_000), eni('eth1', 2_492, 1_130), veth('pe-mixed', 'm0-pod0', 300_000, 800_000), lo(25_689)]),
      },
      {
        // The ENIs only: reconciled as enis.
        key: 'm1',
        ec2InBytes: 704_000,
        ec2OutBytes: 252_000,
        containerInsights: { bytesPerSecond: 30_000, runningPods: 2 },
        agent: agent([eni('ens5', 700_000, 250_000), eni('ens6', 3_000, 1_500)]),
      },
      // No agent: reconciled as agentless, on the EC2 basis.
      { key: 'm2', ec2InBytes: 1_100_000, ec2OutBytes: 400_000, containerInsights: { bytesPerSecond: 40_000, runningPods: 2 } },
    ],
  },
};

/** A node with everything right: EC2, Container Insights with pods, and a full agent dimensioned as discovery reads it. */
function healthyNode(cluster: string, key: string): SeedNodeSpec {
  return {
    key,
    ec2InBytes: 1_403_492,
    ec2OutBytes: 601_630,
    containerInsights: { bytesPerSecond: 55_000, runningPods: 2 },
    agent: agent([
      eni('eth0', 1_400_000, 600_000),
      eni('eth1', 2_492, 1_130),
      veth(cluster, `${key}-pod0`, 300_000, 700_000),
      veth(cluster, `${key}-pod1`, 100_000, 300_000),
      lo(25_689),
    ]),
  };
}

const healthyInterfaces = (cluster: string, key: string) => healthyNode(cluster, key).agent!.interfaces as SeedInterface[];

/** A contract-A check code and the misconfiguration that must raise it. */
export type MisconfigCase = 'agentNoInstanceId' | 'agentExtraDimensions' | 'agentPodNetns' | 'nodesOtherTag' | 'agentStale' | 'containerInsightsMissing';

/**
 * One cluster per misconfiguration. Node `b` is healthy wherever it can be, so a check that names it is wrong;
 * node `a` carries the fault (both nodes where the fault is the cluster's: the tag convention, no Container Insights).
 */
export const MISCONFIG_CLUSTERS: Readonly<Record<MisconfigCase, SeedClusterSpec>> = {
  agentNoInstanceId: {
    name: 'dr-no-instance-id',
    tags: 'both',
    nodes: [
      { ...healthyNode('dr-no-instance-id', 'a'), agent: agent(healthyInterfaces('dr-no-instance-id', 'a'), 'hostAndInterface') },
      healthyNode('dr-no-instance-id', 'b'),
    ],
  },
  agentExtraDimensions: {
    name: 'dr-extra-dims',
    tags: 'both',
    nodes: [
      { ...healthyNode('dr-extra-dims', 'a'), agent: agent(healthyInterfaces('dr-extra-dims', 'a'), 'instanceInterfaceHostAsg') },
      healthyNode('dr-extra-dims', 'b'),
    ],
  },
  agentPodNetns: {
    name: 'dr-pod-netns',
    tags: 'both',
    nodes: [
      {
        // The agent (resources ["*"]) runs in a pod's network namespace: it sees that pod's lo and eth0 (a few KB),
        // no veth and no second ENI, on a node that runs 5 pods. moto quirk: RunInstances attaches one ENI to every
        // instance, so the ENI count cannot show that eth0 alone is too few; lo without a veth shows it.
        ...healthyNode('dr-pod-netns', 'a'),
        containerInsights: { bytesPerSecond: 55_000, runningPods: 5 },
        agent: agent([eni('eth0', 4_000, 3_000), lo(1_200)]),
      },
      healthyNode('dr-pod-netns', 'b'),
    ],
  },
  nodesOtherTag: {
    name: 'dr-other-tag',
    tags: 'kubernetesOnly',
    nodes: [healthyNode('dr-other-tag', 'a'), healthyNode('dr-other-tag', 'b')],
  },
  agentStale: {
    name: 'dr-stale-agent',
    tags: 'both',
    nodes: [
      { ...healthyNode('dr-stale-agent', 'a'), agent: agent(healthyInterfaces('dr-stale-agent', 'a'), 'instanceAndInterface', true) },
      healthyNode('dr-stale-agent', 'b'),
    ],
  },
  containerInsightsMissing: {
    name: 'dr-no-ci',
    tags: 'both',
    nodes: ['a', 'b'].map((key) => {
      const { containerInsights: _none, ...rest } = healthyNode('dr-no-ci', key);
      return rest;
    }),
  },
};

export const ALL_SEED_CLUSTERS: readonly SeedClusterSpec[] = [...Object.values(PROFILE_CLUSTERS), ...Object.values(MISCONFIG_CLUSTERS)];

/** The timeline for a seed made now: `reconcilePeriods` whole periods closed at least `lagSeconds` ago, then every minute up to the last closed one. */
export function timelineFor(nowEpochSeconds: number, reconcilePeriods: number, lagSeconds: number): Timeline {
  const endEpochSeconds = Math.floor((nowEpochSeconds - lagSeconds) / PERIOD_SECONDS) * PERIOD_SECONDS;
  const startEpochSeconds = endEpochSeconds - reconcilePeriods * PERIOD_SECONDS;
  const lastClosedMinute = Math.floor(nowEpochSeconds / MINUTE_SECONDS) * MINUTE_SECONDS - MINUTE_SECONDS;
  return { startEpochSeconds, minutes: (lastClosedMinute - startEpochSeconds) / MINUTE_SECONDS + 1, reconcilePeriods };
}

/** A counter's bytes in minute k. */
export const bytesAt = (minute0: number, k: number): number => minute0 + GROWTH_BYTES_PER_MINUTE * k;
/** A Container Insights rate (Bytes/Second) in minute k. */
export const rateAt = (minute0: number, k: number): number => minute0 + k;

function tagsOf(cluster: SeedClusterSpec) {
  const kubernetes = { Key: `kubernetes.io/cluster/${cluster.name}`, Value: 'owned' };
  return cluster.tags === 'both' ? [{ Key: 'eks:cluster-name', Value: cluster.name }, kubernetes] : [kubernetes];
}

/** One RunInstances per cluster (its nodes share their tags), detailed monitoring on: one EC2 datapoint a minute. */
async function launchCluster(ec2: EC2Client, cluster: SeedClusterSpec): Promise<SeededSpecCluster> {
  const answer = await ec2.send(
    new RunInstancesCommand({
      ImageId: EKS_NODE_IMAGE,
      InstanceType: 'm5.large',
      MinCount: cluster.nodes.length,
      MaxCount: cluster.nodes.length,
      Monitoring: { Enabled: true },
      TagSpecifications: [{ ResourceType: 'instance', Tags: tagsOf(cluster) }],
    }),
  );
  const instances = answer.Instances ?? [];
  if (instances.length !== cluster.nodes.length || instances.some((i) => !i.InstanceId || !i.PrivateDnsName)) {
    throw new Error(`RunInstances for ${cluster.name} returned ${instances.length} instances of ${cluster.nodes.length}, or one without id or PrivateDnsName`);
  }
  return { spec: cluster, nodes: cluster.nodes.map((spec, i) => ({ spec, instanceId: instances[i]!.InstanceId!, nodeName: instances[i]!.PrivateDnsName! })) };
}

function agentDimensions(kind: AgentDimensions, node: SeededSpecNode, iface: string): Record<string, string> {
  const byInterface = { [SOURCE.agentInterfaceDimension]: iface };
  if (kind === 'hostAndInterface') return { host: node.nodeName, ...byInterface };
  const base = { [SOURCE.agentInstanceDimension]: node.instanceId, ...byInterface };
  return kind === 'instanceInterfaceHostAsg' ? { ...base, host: node.nodeName, AutoScalingGroupName: `eks-ng-${node.spec.key}-4ac6` } : base;
}

function datumsOf(cluster: SeededSpecCluster, timeline: Timeline, nowEpochSeconds: number): { datums: Datum[]; series: number } {
  const out: Datum[] = [];
  let series = 0;
  const minuteAt = (k: number) => new Date((timeline.startEpochSeconds + k * MINUTE_SECONDS) * 1000);
  const add = (namespace: string, name: string, dims: Record<string, string>, unit: StandardUnit, valueAt: (k: number) => number, at = minuteAt, minutes = timeline.minutes) => {
    series += 1;
    const Dimensions = Object.entries(dims).map(([Name, Value]) => ({ Name, Value }));
    for (let k = 0; k < minutes; k += 1) out.push({ namespace, MetricName: name, Dimensions, Unit: unit, Value: valueAt(k), Timestamp: at(k) });
  };
  // The stale agent's minutes: STALE_MINUTES_AGO.oldest .. newest minutes before the last whole minute, none later.
  const staleMinutes = STALE_MINUTES_AGO.oldest - STALE_MINUTES_AGO.newest + 1;
  const staleAt = (k: number) => new Date((Math.floor(nowEpochSeconds / MINUTE_SECONDS) - STALE_MINUTES_AGO.oldest + k) * MINUTE_SECONDS * 1000);

  for (const node of cluster.nodes) {
    const { spec, instanceId, nodeName } = node;
    add(SOURCE.ec2Namespace, SOURCE.ec2InMetric, { InstanceId: instanceId }, 'Bytes', (k) => bytesAt(spec.ec2InBytes, k));
    add(SOURCE.ec2Namespace, SOURCE.ec2OutMetric, { InstanceId: instanceId }, 'Bytes', (k) => bytesAt(spec.ec2OutBytes, k));
    if (spec.containerInsights) {
      const ci = spec.containerInsights;
      const dims = { ClusterName: cluster.spec.name, InstanceId: instanceId, NodeName: nodeName };
      add(SOURCE.containerInsightsNamespace, SOURCE.containerInsightsMetric, dims, 'Bytes/Second', (k) => rateAt(ci.bytesPerSecond, k));
      add(SOURCE.containerInsightsNamespace, RUNNING_PODS_METRIC, dims, 'Count', () => ci.runningPods);
    }
    if (spec.agent) {
      const { interfaces, dimensions, stale } = spec.agent;
      for (const iface of interfaces) {
        const dims = agentDimensions(dimensions, node, iface.name);
        const [at, minutes] = stale ? [staleAt, staleMinutes] : [minuteAt, timeline.minutes];
        add(SOURCE.agentNamespace, SOURCE.agentRxMetric, dims, 'Bytes', (k) => bytesAt(iface.rxBytes, k), at, minutes);
        add(SOURCE.agentNamespace, SOURCE.agentTxMetric, dims, 'Bytes', (k) => bytesAt(iface.txBytes, k), at, minutes);
      }
    }
  }
  return { datums: out, series };
}

export interface SpecSeedResult {
  readonly clusters: ReadonlyMap<string, SeededSpecCluster>;
  readonly datapoints: number;
  readonly series: number;
  readonly putCalls: number;
}

/** Launches every cluster's nodes, then puts every datapoint of every cluster in as few PutMetricData calls as the API allows. */
export async function seedSpecClusters(
  specs: readonly SeedClusterSpec[],
  timeline: Timeline,
  nowEpochSeconds: number,
  ec2: EC2Client,
  cloudwatch: CloudWatchClient,
): Promise<SpecSeedResult> {
  const seeded = await Promise.all(specs.map((s) => launchCluster(ec2, s)));
  let series = 0;
  const all: Datum[] = [];
  for (const cluster of seeded) {
    const d = datumsOf(cluster, timeline, nowEpochSeconds);
    series += d.series;
    all.push(...d.datums);
  }
  const putCalls = await putDatums(cloudwatch, all);
  return { clusters: new Map(seeded.map((c) => [c.spec.name, c])), datapoints: all.length, series, putCalls };
}
