/**
 * Names and addresses of one lab run. Namespace names carry the run's pid and a random tag so two runs (or two
 * engineers) never collide, and so a run killed with SIGKILL can be recognised and cleaned up later.
 *
 * Every address is in 198.18.0.0/15 (RFC 2544 benchmarking) and lives only inside the run's own namespaces:
 * none of them is connected to the host's namespace, so no packet can leave the lab.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Every lab namespace starts with this. */
export const LAB_NETNS_PREFIX = 'nr-';
/** Kubernetes namespace the lab's pods pretend to live in; it feeds the CNIs' veth-name hashes. */
export const LAB_K8S_NAMESPACE = 'default';

/** Short tags of the topologies (docs/lab.md), the first part of a namespace's role. */
export const TOPOLOGY_TAGS = ['vpc', 'sgp', 'cal', 'cil', 'fla'] as const;
export type TopologyTag = (typeof TOPOLOGY_TAGS)[number];
/** What a namespace is in its topology: `net` the VPC (and the server outside the cluster), `n1`/`n2` nodes, `pa`… pods, `h1`/`h2` Cilium health endpoints. */
export const NETNS_ROLES = ['net', 'n1', 'n2', 'pa', 'pb', 'pc', 'h1', 'h2'] as const;
export type NetnsRole = (typeof NETNS_ROLES)[number];
/** The name used to check, before a run, that this machine lets us create namespaces at all. */
export const PROBE_ROLE = 'probe';
/** Roles of the single-topology lab before issue 21, still recognised by --clean-stale. */
const LEGACY_ROLES = ['srv', 'node', 'pa', 'pb'];

const ROLE_PATTERN = `(?:${TOPOLOGY_TAGS.join('|')})-(?:${NETNS_ROLES.join('|')})|${[...LEGACY_ROLES, PROBE_ROLE].join('|')}`;
const NETNS_PATTERN = new RegExp(`^${LAB_NETNS_PREFIX}(\\d+)-([0-9a-f]{4})-(${ROLE_PATTERN})$`);

/**
 * The address plan. `198.18.0.0/24` is the VPC subnet every ENI sits in (the server, standing for a host outside
 * the cluster, is its `.1`); VPC CNI pods get VPC addresses in `198.18.1.0/24`; overlay CNIs' pods live in
 * `198.19.0.0/16`, which the VPC never routes.
 */
export const ADDRESSES = {
  serverIp: '198.18.0.1',
  subnetPrefixLength: 24,
  /** Node 1's primary ENI (eth0), node 1's second ENI (eth1), node 2's eth0. */
  node1Eth0Ip: '198.18.0.2',
  node1Eth1Ip: '198.18.0.3',
  node2Eth0Ip: '198.18.0.4',
  /** The VPC CNI's dummy next hop: each pod's default route goes via it, with a static neighbour entry. */
  podGatewayIp: '169.254.1.1',
  httpPort: 8080,
  /** The VPC CNI's default MTU for ENIs and pod veths (jumbo frames). */
  mtu: 9001,
  /** The MTU an overlay CNI gives its tunnel device and pods on a 9001 ENI: 50 bytes of VXLAN headers less. */
  overlayMtu: 8951,
} as const;

export interface RunNames {
  readonly runId: string;
  /** The namespace of one role in one topology. */
  readonly netns: (tag: TopologyTag, role: NetnsRole) => string;
}

export function makeRunNames(pid: number = process.pid, tag: string = randomBytes(2).toString('hex')): RunNames {
  if (!/^[0-9a-f]{4}$/.test(tag)) throw new Error(`run tag must be 4 hex digits: ${JSON.stringify(tag)}`);
  const runId = `${LAB_NETNS_PREFIX}${pid}-${tag}`;
  return { runId, netns: (topology, role) => `${runId}-${topology}-${role}` };
}

/** What a lab namespace name says about the run that made it, or null for any other namespace. */
export function parseLabNetns(name: string): { pid: number; runId: string; role: string } | null {
  const match = NETNS_PATTERN.exec(name);
  if (!match) return null;
  return { pid: Number(match[1]), runId: `${LAB_NETNS_PREFIX}${match[1]}-${match[2]}`, role: match[3]! };
}

/** A synthetic, stable-per-node EC2-style instance id (`i-0` + 16 hex), so captures of different runs and nodes never merge. */
export function labInstanceId(nodeKey: string): string {
  return `i-0${createHash('sha1').update(nodeKey).digest('hex').slice(0, 16)}`;
}

/** The node's `PrivateDnsName`-style name, as EKS names nodes after their primary address, with the topology in it. */
export function labNodeName(primaryIp: string, topology: string): string {
  return `ip-${primaryIp.replaceAll('.', '-')}.${topology}.netrecon-lab.internal`;
}
