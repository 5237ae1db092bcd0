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
/** Kubernetes namespace the lab's pods pretend to live in; it feeds the VPC CNI veth-name hash. */
export const LAB_K8S_NAMESPACE = 'default';

export const ROLES = ['srv', 'node', 'pa', 'pb'] as const;
/** The name used to check, before a run, that this machine lets us create namespaces at all. */
export const PROBE_ROLE = 'probe';
export type Role = (typeof ROLES)[number];

const NETNS_PATTERN = new RegExp(`^${LAB_NETNS_PREFIX}(\\d+)-([0-9a-f]{4})-(${[...ROLES, PROBE_ROLE].join('|')})$`);

/** The address plan. The server stands for a host outside the cluster; the /32 pod addresses are routed to the node as the VPC routes an ENI's secondary IPs. */
export const ADDRESSES = {
  serverIp: '198.18.0.1',
  nodeIp: '198.18.0.2',
  /** The link between the server and the node's `eth0`. */
  uplinkPrefixLength: 24,
  /** Routed from the server to the node (the VPC route table's part). */
  podCidr: '198.18.1.0/24',
  podAIp: '198.18.1.11',
  podBIp: '198.18.1.12',
  /** The VPC CNI's dummy next hop: each pod's default route goes via it, with a static neighbour entry. */
  podGatewayIp: '169.254.1.1',
  httpPort: 8080,
  /** The VPC CNI's default MTU for ENIs and pod veths (jumbo frames). */
  mtu: 9001,
} as const;

export interface RunNames {
  readonly runId: string;
  readonly netns: Readonly<Record<Role, string>>;
}

export function makeRunNames(pid: number = process.pid, tag: string = randomBytes(2).toString('hex')): RunNames {
  if (!/^[0-9a-f]{4}$/.test(tag)) throw new Error(`run tag must be 4 hex digits: ${JSON.stringify(tag)}`);
  const runId = `${LAB_NETNS_PREFIX}${pid}-${tag}`;
  const netns = Object.fromEntries(ROLES.map((role) => [role, `${runId}-${role}`])) as Record<Role, string>;
  return { runId, netns };
}

/** What a lab namespace name says about the run that made it, or null for any other namespace. */
export function parseLabNetns(name: string): { pid: number; runId: string; role: Role | typeof PROBE_ROLE } | null {
  const match = NETNS_PATTERN.exec(name);
  if (!match) return null;
  return { pid: Number(match[1]), runId: `${LAB_NETNS_PREFIX}${match[1]}-${match[2]}`, role: match[3] as Role | typeof PROBE_ROLE };
}

/** A synthetic, stable-per-run EC2-style instance id (`i-0` + 16 hex), so captures of different runs never merge. */
export function labInstanceId(runId: string): string {
  return `i-0${createHash('sha1').update(runId).digest('hex').slice(0, 16)}`;
}

/** The node's `PrivateDnsName`-style name, as EKS names nodes after their primary address. */
export function labNodeName(): string {
  return `ip-${ADDRESSES.nodeIp.replaceAll('.', '-')}.netrecon-lab.internal`;
}
