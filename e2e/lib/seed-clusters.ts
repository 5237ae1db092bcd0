/**
 * The hand-chosen clusters of issue 11's e2e steps: one per source profile (agentless, enis, full, mixed) and one
 * per misconfiguration `netrecon doctor` must find. Every byte value is written here, for minute 0; minute k adds
 * GROWTH_BYTES_PER_MINUTE·k to each counter and k to each Container Insights rate (profile-seeds.ts).
 * Every interface carries its role by construction (the seed put the pod behind that veth), so the expected
 * figures (profile-expected.ts) never need netrecon's classifier.
 */
import { vpcCniHostVethName } from '../../lambda/core/vpc-cni-veth-name';
import type { SourceProfile } from '../../lambda/core/source-profile';

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

/** A doctor check code and the misconfiguration that must raise it. */
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
