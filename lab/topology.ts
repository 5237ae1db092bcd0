/**
 * What a built topology is, and the pieces every CNI's node is made of: the VPC (a namespace with a bridge, the
 * server's address and a static neighbour and FDB entry per ENI), ENIs (veths whose other end is in the VPC
 * namespace), routed pods (the VPC CNI's, Calico's and Cilium's wiring), bridged pods (Flannel's) and a VXLAN
 * mesh between nodes. The CNIs themselves are in ./topologies.ts; docs/lab.md draws each one.
 *
 * Every neighbour entry a CNI can make static is static, so the counters carry the transfer and as little ARP as
 * possible; the kernel's own counting is never touched.
 */
import { ADDRESSES, labInstanceId, labNodeName, type NetnsRole, type RunNames, type TopologyTag } from './names';
import { addNamespace, ip, ipBatch, labMac, linkAddress, makeRouter, setSysctls } from './netns';
import type { LabResources } from './resources';

export const TOPOLOGY_IDS = ['vpc-cni', 'sgp', 'calico', 'cilium', 'flannel'] as const;
export type TopologyId = (typeof TOPOLOGY_IDS)[number];

/** What a namespace stands for: the ground truth (./ground-truth.ts) classifies a veth by where its other end is. */
export type NamespaceKind = 'vpc' | 'node' | 'pod' | 'hostEndpoint';

export interface LabNamespace {
  readonly netns: string;
  readonly kind: NamespaceKind;
  /** `node 1`, `pod A`, `VPC and server`, `Cilium health endpoint of node 1`. */
  readonly label: string;
  /** For a pod or host endpoint: the key of the node it runs on. */
  readonly node?: string;
}

export interface LabNode {
  /** `n1`, `n2`. */
  readonly key: string;
  readonly netns: string;
  readonly primaryIp: string;
  readonly instanceId: string;
  readonly nodeName: string;
}

/** One device a phase's bytes must cross, and in which direction, as the node's kernel counts it. */
export interface Crossing {
  readonly node: string;
  readonly device: string;
  readonly direction: 'rx' | 'tx';
}

export interface Transfer {
  readonly clientNetns: string;
  readonly serverUrl: string;
}

export interface PhasePlan {
  readonly id: string;
  readonly topology: TopologyId;
  readonly title: string;
  /** What the bytes cross, in words, for the report. */
  readonly path: string;
  /** Downloads run at the same time; each moves the phase's byte count. */
  readonly transfers: readonly Transfer[];
  readonly crossings: readonly Crossing[];
}

export interface LabServer {
  readonly netns: string;
  readonly ip: string;
}

export interface BuiltTopology {
  readonly id: TopologyId;
  readonly title: string;
  readonly namespaces: readonly LabNamespace[];
  readonly nodes: readonly LabNode[];
  readonly servers: readonly LabServer[];
  readonly phases: readonly PhasePlan[];
  /** Where the lab's build differs from the CNI's, in words (also in docs/lab.md). */
  readonly notes: readonly string[];
}

export interface BuildContext {
  readonly names: RunNames;
  readonly tag: TopologyTag;
  readonly topology: TopologyId;
  readonly resources: LabResources;
  readonly signal?: AbortSignal | undefined;
}

export const url = (host: string): string => `http://${host}:${ADDRESSES.httpPort}`;

/** Creates the topology's namespaces (all first, so links can be made between any two) and says what each is. */
export async function addNamespaces(
  ctx: BuildContext,
  spec: ReadonlyArray<{ role: NetnsRole; kind: NamespaceKind; label: string; node?: string }>,
): Promise<Record<string, LabNamespace>> {
  const out: Record<string, LabNamespace> = {};
  for (const s of spec) {
    const netns = ctx.names.netns(ctx.tag, s.role);
    out[s.role] = { netns, kind: s.kind, label: s.label, ...(s.node ? { node: ctx.names.netns(ctx.tag, s.node as NetnsRole) } : {}) };
  }
  // In parallel: each is registered for teardown before it is made, whichever finishes first.
  await Promise.all(Object.values(out).map((n) => addNamespace(n.netns, ctx.resources, ctx.signal)));
  return out;
}

export function labNode(ctx: BuildContext, key: string, netns: string, primaryIp: string): LabNode {
  return { key, netns, primaryIp, instanceId: labInstanceId(netns), nodeName: labNodeName(primaryIp, ctx.topology) };
}

/**
 * The VPC: one L2 segment (bridge `vpc0`, 198.18.0.0/24) that every ENI's other end joins, the server's address
 * (a host outside the cluster) and the VPC router's part: routes for VPC-routable pod addresses.
 */
export async function buildVpc(netns: string, signal?: AbortSignal): Promise<{ bridgeMac: string }> {
  // A fixed MAC: a bridge otherwise takes its lowest port's, and changes it as ENIs join.
  const bridgeMac = labMac(0x0a, 0, 0, 0, 1);
  await ipBatch(netns, [
    ['link', 'add', 'vpc0', 'address', bridgeMac, 'mtu', String(ADDRESSES.mtu), 'type', 'bridge'],
    ['addr', 'add', `${ADDRESSES.serverIp}/${ADDRESSES.subnetPrefixLength}`, 'dev', 'vpc0'],
    ['link', 'set', 'vpc0', 'up'],
  ], signal);
  await setSysctls(netns, { 'net.ipv4.ip_forward': '1' }, false, signal);
  return { bridgeMac };
}

/**
 * An ENI: a veth whose other end (`port`) is a port of the VPC's bridge. The VPC knows every ENI's MAC (it never
 * ARPs for an ENI), so the VPC side gets a permanent neighbour entry and a static FDB entry: no flooding onto
 * another ENI. Returns the ENI's MAC.
 */
export async function attachEni(vpcNetns: string, nodeNetns: string, eni: string, port: string, address: string, signal?: AbortSignal): Promise<string> {
  const mtu = String(ADDRESSES.mtu);
  await ipBatch(nodeNetns, [
    ['link', 'add', eni, 'mtu', mtu, 'type', 'veth', 'peer', 'name', port, 'mtu', mtu, 'netns', vpcNetns],
    ['addr', 'add', `${address}/${ADDRESSES.subnetPrefixLength}`, 'dev', eni],
    ['link', 'set', eni, 'up'],
  ], signal);
  const mac = await linkAddress(nodeNetns, eni, signal);
  await ipBatch(vpcNetns, [['link', 'set', port, 'master', 'vpc0'], ['link', 'set', port, 'up']], signal);
  await vpcKnows(vpcNetns, port, address, mac, signal);
  return mac;
}

/** The VPC delivers `address` to `mac` behind `port` without ARP or flooding (an ENI's or a branch ENI's). */
export async function vpcKnows(vpcNetns: string, port: string, address: string, mac: string, signal?: AbortSignal): Promise<void> {
  await ipBatch(vpcNetns, [['neigh', 'replace', address, 'lladdr', mac, 'dev', 'vpc0', 'nud', 'permanent']], signal);
  await ipBatch(vpcNetns, [['fdb', 'replace', mac, 'dev', port, 'master', 'static']], signal, 'bridge');
}

export interface RoutedPodOptions {
  readonly mtu: number;
  /** The pod's default gateway: 169.254.1.1 (VPC CNI, Calico) or the node's `cilium_host` address. */
  readonly gatewayIp: string;
  /** The host veth's MAC, when the CNI fixes it (Calico: ee:ee:ee:ee:ee:ee). */
  readonly hostMac?: string;
  /** The node's route to the pod goes in this table (security groups for pods); main otherwise. */
  readonly table?: string;
}

/**
 * A routed pod (VPC CNI, Calico, Cilium): a veth, `eth0` in the pod with a /32 address, a link route to the
 * gateway and a default route via it, and a permanent neighbour entry for the gateway pointing at the host veth's
 * MAC, so the pod never ARPs for it (the VPC CNI's own choice; Calico and Cilium answer that ARP themselves, by
 * proxy ARP or eBPF, with the same MAC). The node routes the /32 through the host veth.
 */
export async function addRoutedPod(nodeNetns: string, podNetns: string, podIp: string, hostVeth: string, options: RoutedPodOptions, signal?: AbortSignal): Promise<void> {
  const mtu = String(options.mtu);
  await ipBatch(nodeNetns, [
    ['link', 'add', hostVeth, 'mtu', mtu, ...(options.hostMac ? ['address', options.hostMac] : []), 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', mtu, 'netns', podNetns],
    ['link', 'set', hostVeth, 'up'],
    ['route', 'add', `${podIp}/32`, 'dev', hostVeth, 'scope', 'link', ...(options.table ? ['table', options.table] : [])],
  ], signal);
  const hostMac = options.hostMac ?? (await linkAddress(nodeNetns, hostVeth, signal));
  await ipBatch(podNetns, [
    ['addr', 'add', `${podIp}/32`, 'dev', 'eth0'],
    ['link', 'set', 'eth0', 'up'],
    ['route', 'add', options.gatewayIp, 'dev', 'eth0', 'scope', 'link'],
    ['route', 'add', 'default', 'via', options.gatewayIp, 'dev', 'eth0'],
    ['neigh', 'add', options.gatewayIp, 'lladdr', hostMac, 'dev', 'eth0', 'nud', 'permanent'],
  ], signal);
}

/** A bridged pod (Flannel's bridge plugin): the host veth is a port of the node's bridge; the pod ARPs for its gateway, the bridge's address. */
export async function addBridgedPod(nodeNetns: string, podNetns: string, podCidrAddress: string, hostVeth: string, bridge: string, gatewayIp: string, mtu: number, signal?: AbortSignal): Promise<void> {
  await ipBatch(nodeNetns, [
    ['link', 'add', hostVeth, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', String(mtu), 'netns', podNetns],
    ['link', 'set', hostVeth, 'master', bridge],
    ['link', 'set', hostVeth, 'up'],
  ], signal);
  await ipBatch(podNetns, [['addr', 'add', podCidrAddress, 'dev', 'eth0'], ['link', 'set', 'eth0', 'up'], ['route', 'add', 'default', 'via', gatewayIp, 'dev', 'eth0']], signal);
}

export interface VtepSpec {
  readonly netns: string;
  /** The node's eth0 address: the tunnel's outer source and destination. */
  readonly underlayIp: string;
  readonly vtepMac: string;
  /** An address on the tunnel device itself (Calico, Flannel), or none (Cilium's has none). */
  readonly vtepIp: string | null;
  /** The node's pod block, routed to it by the other nodes. */
  readonly podCidr: string;
  /** The next hop the other nodes route the block via (onlink through the tunnel). */
  readonly viaIp: string;
  /** Source address for the node's own traffic into the tunnel, when the tunnel device has none. */
  readonly srcIp?: string;
}

/**
 * A VXLAN device on every node and, on each, a route to every other node's pod block through it, with the
 * permanent neighbour and FDB entries the CNI's agent programs (no learning, no multicast): the way Calico's
 * Felix and Flannel's VXLAN backend set up their devices.
 */
export async function addVxlanMesh(nodes: readonly VtepSpec[], device: string, vni: number, udpPort: number, signal?: AbortSignal): Promise<void> {
  for (const n of nodes) {
    await ipBatch(n.netns, [
      ['link', 'add', device, 'address', n.vtepMac, 'mtu', String(ADDRESSES.overlayMtu), 'type', 'vxlan', 'id', String(vni), 'local', n.underlayIp, 'dev', 'eth0', 'dstport', String(udpPort), 'nolearning'],
      ...(n.vtepIp ? [['addr', 'add', `${n.vtepIp}/32`, 'dev', device]] : []),
      ['link', 'set', device, 'up'],
    ], signal);
  }
  for (const n of nodes) {
    const others = nodes.filter((o) => o !== n);
    await ipBatch(n.netns, others.flatMap((o) => [
      ['route', 'add', o.podCidr, 'via', o.viaIp, 'dev', device, 'onlink', ...(n.srcIp ? ['src', n.srcIp] : [])],
      ['neigh', 'add', o.viaIp, 'lladdr', o.vtepMac, 'dev', device, 'nud', 'permanent'],
    ]), signal);
    await ipBatch(n.netns, others.map((o) => ['fdb', 'append', o.vtepMac, 'dev', device, 'dst', o.underlayIp, 'self', 'permanent']), signal, 'bridge');
  }
}

export { ip, makeRouter };
