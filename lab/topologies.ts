/**
 * The five node topologies of the lab, each built as its CNI builds a node (docs/lab.md draws them), and their
 * phases. Phase ids are letters unique across the lab: a–d VPC CNI, e–f security groups for pods, g Calico,
 * h–i Cilium, j–k Flannel.
 */
import { createHash } from 'node:crypto';
import { vpcCniHostVethName } from '../lambda/core/vpc-cni-veth-name';
import { ADDRESSES, LAB_K8S_NAMESPACE, type TopologyTag } from './names';
import { ipBatch, labMac } from './netns';
import {
  addBridgedPod,
  addNamespaces,
  addRoutedPod,
  addVxlanMesh,
  attachEni,
  type BuildContext,
  type BuiltTopology,
  type LabNamespace,
  buildVpc,
  labNode,
  makeRouter,
  type TopologyId,
  url,
  vpcKnows,
} from './topology';

export const PHASE_TOPOLOGY = {
  a: 'vpc-cni',
  b: 'vpc-cni',
  c: 'vpc-cni',
  d: 'vpc-cni',
  e: 'sgp',
  f: 'sgp',
  g: 'calico',
  h: 'cilium',
  i: 'cilium',
  j: 'flannel',
  k: 'flannel',
} as const satisfies Record<string, TopologyId>;
export type PhaseId = keyof typeof PHASE_TOPOLOGY;
export const PHASE_IDS = Object.keys(PHASE_TOPOLOGY) as PhaseId[];

export const TOPOLOGY_TAG: Record<TopologyId, TopologyTag> = { 'vpc-cni': 'vpc', sgp: 'sgp', calico: 'cal', cilium: 'cil', flannel: 'fla' };

const hex = (algorithm: 'sha1' | 'sha256', text: string, n: number): string => createHash(algorithm).update(text).digest('hex').slice(0, n);
/** Calico's workload veth: `cali` + the first 11 hex digits of sha1("<namespace>.<pod>"). */
const calicoVeth = (pod: string): string => `cali${hex('sha1', `${LAB_K8S_NAMESPACE}.${pod}`, 11)}`;
/** Cilium's endpoint veth: `lxc` + 12 hex digits (Cilium hashes the endpoint id; the lab hashes the pod's name). */
const ciliumVeth = (pod: string): string => `lxc${hex('sha256', pod, 12)}`;
/** The bridge plugin's host veth (Flannel): `veth` + 8 random hex digits; the lab derives them from the pod's name. */
const bridgeVeth = (pod: string): string => `veth${hex('sha1', pod, 8)}`;

/** VPC CNI: pods on the primary ENI and one pod whose address belongs to a second ENI, `eth1`. */
async function buildVpcCni(ctx: BuildContext): Promise<BuiltTopology> {
  const ns = await addNamespaces(ctx, [
    { role: 'net', kind: 'vpc', label: 'VPC and server' },
    { role: 'n1', kind: 'node', label: 'node' },
    { role: 'pa', kind: 'pod', label: 'pod A (eth0)', node: 'n1' },
    { role: 'pb', kind: 'pod', label: 'pod B (eth0)', node: 'n1' },
    { role: 'pc', kind: 'pod', label: 'pod C (eth1)', node: 'n1' },
  ]);
  const [vpc, node, pa, pb, pc] = [ns.net!.netns, ns.n1!.netns, ns.pa!.netns, ns.pb!.netns, ns.pc!.netns];
  await buildVpc(vpc, ctx.signal);
  await attachEni(vpc, node, 'eth0', 'n1e0', ADDRESSES.node1Eth0Ip, ctx.signal);
  await attachEni(vpc, node, 'eth1', 'n1e1', ADDRESSES.node1Eth1Ip, ctx.signal);
  await makeRouter(node, ctx.signal);
  const ip = { pa: '198.18.1.11', pb: '198.18.1.12', pc: '198.18.1.13' };
  const veth = { pa: vpcCniHostVethName(LAB_K8S_NAMESPACE, pa), pb: vpcCniHostVethName(LAB_K8S_NAMESPACE, pb), pc: vpcCniHostVethName(LAB_K8S_NAMESPACE, pc) };
  const routed = { mtu: ADDRESSES.mtu, gatewayIp: ADDRESSES.podGatewayIp };
  await addRoutedPod(node, pa, ip.pa, veth.pa, routed, ctx.signal);
  await addRoutedPod(node, pb, ip.pb, veth.pb, routed, ctx.signal);
  await addRoutedPod(node, pc, ip.pc, veth.pc, routed, ctx.signal);
  // The VPC CNI's policy routing for a pod on a secondary ENI: its traffic leaves by eth1 (route table 2), traffic
  // to it is routed by the main table (amazon-vpc-cni-k8s, docs/cni-proposal.md, "Pod to external communications").
  await ipBatch(node, [
    ['route', 'add', 'default', 'via', ADDRESSES.serverIp, 'dev', 'eth0'],
    ['route', 'add', `198.18.0.0/${ADDRESSES.subnetPrefixLength}`, 'dev', 'eth1', 'scope', 'link', 'table', '2'],
    ['route', 'add', 'default', 'via', ADDRESSES.serverIp, 'dev', 'eth1', 'table', '2'],
    ['rule', 'add', 'to', ip.pc, 'lookup', 'main', 'prio', '512'],
    ['rule', 'add', 'from', ip.pc, 'lookup', '2', 'prio', '1536'],
  ], ctx.signal);
  // The VPC delivers each pod address to the ENI it is a secondary address of.
  await ipBatch(vpc, [
    ['route', 'add', `${ip.pa}/32`, 'via', ADDRESSES.node1Eth0Ip],
    ['route', 'add', `${ip.pb}/32`, 'via', ADDRESSES.node1Eth0Ip],
    ['route', 'add', `${ip.pc}/32`, 'via', ADDRESSES.node1Eth1Ip],
  ], ctx.signal);
  const n1 = labNode(ctx, 'n1', node, ADDRESSES.node1Eth0Ip);
  const server = url(ADDRESSES.serverIp);
  return {
    id: 'vpc-cni',
    title: 'VPC CNI: two ENIs, routed pods',
    namespaces: Object.values(ns),
    nodes: [n1],
    servers: [{ netns: vpc, ip: ADDRESSES.serverIp }, { netns: pa, ip: ip.pa }],
    phases: [
      {
        id: 'a', topology: 'vpc-cni', title: 'a pod downloads from a server outside the node',
        path: `server -> eth0 (rx) -> ${veth.pa} (tx) -> pod A`,
        transfers: [{ clientNetns: pa, serverUrl: server }],
        crossings: [{ node: 'n1', device: 'eth0', direction: 'rx' }, { node: 'n1', device: veth.pa, direction: 'tx' }],
      },
      {
        id: 'b', topology: 'vpc-cni', title: 'a host-network process on the node downloads from the server',
        path: 'server -> eth0 (rx) -> node process',
        transfers: [{ clientNetns: node, serverUrl: server }],
        crossings: [{ node: 'n1', device: 'eth0', direction: 'rx' }],
      },
      {
        id: 'c', topology: 'vpc-cni', title: 'pod-to-pod on the same node',
        path: `pod A -> ${veth.pa} (rx) -> ${veth.pb} (tx) -> pod B`,
        transfers: [{ clientNetns: pb, serverUrl: url(ip.pa) }],
        crossings: [{ node: 'n1', device: veth.pa, direction: 'rx' }, { node: 'n1', device: veth.pb, direction: 'tx' }],
      },
      {
        id: 'd', topology: 'vpc-cni', title: 'two pods download at once, one on each ENI',
        path: `server -> eth0 (rx) -> ${veth.pa} (tx) -> pod A; server -> eth1 (rx) -> ${veth.pc} (tx) -> pod C`,
        transfers: [{ clientNetns: pa, serverUrl: server }, { clientNetns: pc, serverUrl: server }],
        crossings: [
          { node: 'n1', device: 'eth0', direction: 'rx' }, { node: 'n1', device: veth.pa, direction: 'tx' },
          { node: 'n1', device: 'eth1', direction: 'rx' }, { node: 'n1', device: veth.pc, direction: 'tx' },
        ],
      },
    ],
    notes: ['ENIs are veths to the VPC namespace; the VPC knows their MACs (static neighbour and FDB entries).'],
  };
}

/**
 * The development and CI kernel is built without 802.1Q (CONFIG_VLAN_8021Q is not set: `ip link add … type vlan`
 * answers "Unknown device type"), so the lab makes `vlan.eth.N` a macvlan on every kernel, and its figures are the
 * same everywhere.
 */
export const SGP_SUB_DEVICE_NOTE =
  "vlan.eth.N is a macvlan on the trunk with the branch ENI's MAC, standing in for the VPC CNI's 802.1Q device (the lab's kernel has no 802.1Q): " +
  'a sub-device the trunk hands the branch ENI\'s frames to, as a VLAN device is, without the 4-byte tag per frame the trunk carries on a real node.';

/**
 * Security groups for pods: a trunk ENI (`eth1`), a sub-device `vlan.eth.N` per branch ENI on it and the branch
 * pod's host veth, with the VPC CNI's per-VLAN route table and `iif` rules (strict mode). Pod A's host veth is
 * named as in strict mode (`vlan…`), pod B's as in standard mode (`eni…`).
 */
async function buildSgp(ctx: BuildContext): Promise<BuiltTopology> {
  const ns = await addNamespaces(ctx, [
    { role: 'net', kind: 'vpc', label: 'VPC and server' },
    { role: 'n1', kind: 'node', label: 'node' },
    { role: 'pa', kind: 'pod', label: 'branch pod A (strict-mode veth name)', node: 'n1' },
    { role: 'pb', kind: 'pod', label: 'branch pod B (standard-mode veth name)', node: 'n1' },
  ]);
  const [vpc, node, pa, pb] = [ns.net!.netns, ns.n1!.netns, ns.pa!.netns, ns.pb!.netns];
  const { bridgeMac } = await buildVpc(vpc, ctx.signal);
  await attachEni(vpc, node, 'eth0', 'n1e0', ADDRESSES.node1Eth0Ip, ctx.signal);
  await attachEni(vpc, node, 'eth1', 'n1e1', ADDRESSES.node1Eth1Ip, ctx.signal);
  await makeRouter(node, ctx.signal);
  await ipBatch(node, [['route', 'add', 'default', 'via', ADDRESSES.serverIp, 'dev', 'eth0']], ctx.signal);
  const branches = [
    { pod: pa, vlanId: 1, ip: '198.18.1.21', mac: labMac(0x0b, 0, 0, 0, 1), veth: vpcCniHostVethName(LAB_K8S_NAMESPACE, pa, 'vlan') },
    { pod: pb, vlanId: 2, ip: '198.18.1.22', mac: labMac(0x0b, 0, 0, 0, 2), veth: vpcCniHostVethName(LAB_K8S_NAMESPACE, pb) },
  ];
  for (const b of branches) {
    const dev = `vlan.eth.${b.vlanId}`;
    const table = String(100 + b.vlanId);
    // The sub-device carries the branch ENI's MAC, so the trunk hands it the frames the VPC sends that ENI.
    // A macvlan, not an 802.1Q device: see SGP_SUB_DEVICE_NOTE.
    await ipBatch(node, [['link', 'add', 'link', 'eth1', 'name', dev, 'address', b.mac, 'mtu', String(ADDRESSES.mtu), 'type', 'macvlan', 'mode', 'bridge'], ['link', 'set', dev, 'up']], ctx.signal);
    await addRoutedPod(node, b.pod, b.ip, b.veth, { mtu: ADDRESSES.mtu, gatewayIp: ADDRESSES.podGatewayIp, table }, ctx.signal);
    await ipBatch(node, [
      ['neigh', 'add', ADDRESSES.serverIp, 'lladdr', bridgeMac, 'dev', dev, 'nud', 'permanent'],
      ['route', 'add', 'default', 'via', ADDRESSES.serverIp, 'dev', dev, 'onlink', 'table', table],
      ['rule', 'add', 'iif', b.veth, 'lookup', table, 'prio', '10'],
      ['rule', 'add', 'iif', dev, 'lookup', table, 'prio', '10'],
    ], ctx.signal);
    // The VPC sends a branch ENI's traffic down the trunk to the branch ENI's MAC.
    await ipBatch(vpc, [['route', 'add', `${b.ip}/32`, 'dev', 'vpc0', 'scope', 'link']], ctx.signal);
    await vpcKnows(vpc, 'n1e1', b.ip, b.mac, ctx.signal);
  }
  const [a, b] = branches as [(typeof branches)[0], (typeof branches)[0]];
  const server = url(ADDRESSES.serverIp);
  return {
    id: 'sgp',
    title: 'VPC CNI security groups for pods: trunk ENI, vlan.eth.N, branch pods',
    namespaces: Object.values(ns),
    nodes: [labNode(ctx, 'n1', node, ADDRESSES.node1Eth0Ip)],
    servers: [{ netns: vpc, ip: ADDRESSES.serverIp }],
    phases: [
      {
        id: 'e', topology: 'sgp', title: 'a branch pod (strict-mode veth vlan…) downloads from the server',
        path: `server -> trunk eth1 (rx) -> vlan.eth.1 (rx) -> ${a.veth} (tx) -> pod A`,
        transfers: [{ clientNetns: a.pod, serverUrl: server }],
        crossings: [{ node: 'n1', device: 'eth1', direction: 'rx' }, { node: 'n1', device: 'vlan.eth.1', direction: 'rx' }, { node: 'n1', device: a.veth, direction: 'tx' }],
      },
      {
        id: 'f', topology: 'sgp', title: 'a branch pod (standard-mode veth eni…) downloads from the server',
        path: `server -> trunk eth1 (rx) -> vlan.eth.2 (rx) -> ${b.veth} (tx) -> pod B`,
        transfers: [{ clientNetns: b.pod, serverUrl: server }],
        crossings: [{ node: 'n1', device: 'eth1', direction: 'rx' }, { node: 'n1', device: 'vlan.eth.2', direction: 'rx' }, { node: 'n1', device: b.veth, direction: 'tx' }],
      },
    ],
    notes: [SGP_SUB_DEVICE_NOTE],
  };
}

/** The VPC and two nodes with one ENI (`eth0`) each: where every overlay topology starts. */
async function addTwoNodes(ctx: BuildContext, others: Parameters<typeof addNamespaces>[1]): Promise<Record<string, LabNamespace>> {
  const ns = await addNamespaces(ctx, [
    { role: 'net', kind: 'vpc', label: 'VPC' },
    { role: 'n1', kind: 'node', label: 'node 1' },
    { role: 'n2', kind: 'node', label: 'node 2' },
    ...others,
  ]);
  await buildVpc(ns.net!.netns, ctx.signal);
  for (const [key, address] of [['n1', ADDRESSES.node1Eth0Ip], ['n2', ADDRESSES.node2Eth0Ip]] as const) {
    await attachEni(ns.net!.netns, ns[key]!.netns, 'eth0', `${key}e0`, address, ctx.signal);
    await makeRouter(ns[key]!.netns, ctx.signal);
  }
  return ns;
}

/** Calico with VXLAN: two nodes, `cali…` veths, `vxlan.calico` (VNI 4096, UDP 4789), pod blocks routed through it. */
async function buildCalico(ctx: BuildContext): Promise<BuiltTopology> {
  const ns = await addTwoNodes(ctx, [
    { role: 'pa', kind: 'pod', label: 'pod A on node 1', node: 'n1' },
    { role: 'pb', kind: 'pod', label: 'pod B on node 2', node: 'n2' },
  ]);
  const [n1, n2, pa, pb] = [ns.n1!.netns, ns.n2!.netns, ns.pa!.netns, ns.pb!.netns];
  await addVxlanMesh([
    { netns: n1, underlayIp: ADDRESSES.node1Eth0Ip, vtepMac: labMac(0x0c, 0, 0, 0, 1), vtepIp: '198.19.1.0', podCidr: '198.19.1.0/26', viaIp: '198.19.1.0' },
    { netns: n2, underlayIp: ADDRESSES.node2Eth0Ip, vtepMac: labMac(0x0c, 0, 0, 0, 2), vtepIp: '198.19.2.0', podCidr: '198.19.2.0/26', viaIp: '198.19.2.0' },
  ], 'vxlan.calico', 4096, 4789, ctx.signal);
  const veth = { pa: calicoVeth(pa), pb: calicoVeth(pb) };
  // Calico gives every host veth the MAC ee:ee:ee:ee:ee:ee and answers the pod's ARP for 169.254.1.1 with it.
  const routed = { mtu: ADDRESSES.overlayMtu, gatewayIp: ADDRESSES.podGatewayIp, hostMac: 'ee:ee:ee:ee:ee:ee' };
  await addRoutedPod(n1, pa, '198.19.1.2', veth.pa, routed, ctx.signal);
  await addRoutedPod(n2, pb, '198.19.2.2', veth.pb, routed, ctx.signal);
  return {
    id: 'calico',
    title: 'Calico VXLAN: two nodes, cali… veths, vxlan.calico',
    namespaces: Object.values(ns),
    nodes: [labNode(ctx, 'n1', n1, ADDRESSES.node1Eth0Ip), labNode(ctx, 'n2', n2, ADDRESSES.node2Eth0Ip)],
    servers: [{ netns: pa, ip: '198.19.1.2' }],
    phases: [
      {
        id: 'g', topology: 'calico', title: 'pod-to-pod across nodes through vxlan.calico',
        path: `pod A -> ${veth.pa} (rx) -> vxlan.calico (tx) -> eth0 (tx, encapsulated) | node 2: eth0 (rx) -> vxlan.calico (rx) -> ${veth.pb} (tx) -> pod B`,
        transfers: [{ clientNetns: pb, serverUrl: url('198.19.1.2') }],
        crossings: [
          { node: 'n1', device: veth.pa, direction: 'rx' }, { node: 'n1', device: 'vxlan.calico', direction: 'tx' }, { node: 'n1', device: 'eth0', direction: 'tx' },
          { node: 'n2', device: 'eth0', direction: 'rx' }, { node: 'n2', device: 'vxlan.calico', direction: 'rx' }, { node: 'n2', device: veth.pb, direction: 'tx' },
        ],
      },
    ],
    notes: ['Felix\'s routes, neighbour and FDB entries are written by the lab (no Felix, no BGP); the devices and the kernel path are Calico\'s.'],
  };
}

/**
 * Cilium-like: `lxc…` veths, the `cilium_host`/`cilium_net` veth pair, `cilium_vxlan` (UDP 8472) and the health
 * endpoint behind `lxc_health`, on two nodes. Cilium forwards with eBPF; the lab routes through the same devices
 * with the kernel's FIB (docs/lab.md says what that leaves out).
 */
async function buildCilium(ctx: BuildContext): Promise<BuiltTopology> {
  const ns = await addTwoNodes(ctx, [
    { role: 'pa', kind: 'pod', label: 'pod A on node 1', node: 'n1' },
    { role: 'pb', kind: 'pod', label: 'pod B on node 2', node: 'n2' },
    { role: 'h1', kind: 'hostEndpoint', label: 'Cilium health endpoint of node 1', node: 'n1' },
    { role: 'h2', kind: 'hostEndpoint', label: 'Cilium health endpoint of node 2', node: 'n2' },
  ]);
  const nodes = [
    { key: 'n1', netns: ns.n1!.netns, eth0: ADDRESSES.node1Eth0Ip, block: '198.19.11', pod: ns.pa!.netns, health: ns.h1!.netns, mac: labMac(0x0d, 0, 0, 0, 1) },
    { key: 'n2', netns: ns.n2!.netns, eth0: ADDRESSES.node2Eth0Ip, block: '198.19.12', pod: ns.pb!.netns, health: ns.h2!.netns, mac: labMac(0x0d, 0, 0, 0, 2) },
  ] as const;
  for (const n of nodes) {
    await ipBatch(n.netns, [
      ['link', 'add', 'cilium_host', 'mtu', String(ADDRESSES.mtu), 'type', 'veth', 'peer', 'name', 'cilium_net', 'mtu', String(ADDRESSES.mtu)],
      ['addr', 'add', `${n.block}.1/32`, 'dev', 'cilium_host'],
      ['link', 'set', 'cilium_host', 'up'],
      ['link', 'set', 'cilium_net', 'up'],
    ], ctx.signal);
  }
  await addVxlanMesh(
    nodes.map((n) => ({ netns: n.netns, underlayIp: n.eth0, vtepMac: n.mac, vtepIp: null, podCidr: `${n.block}.0/24`, viaIp: `${n.block}.1`, srcIp: `${n.block}.1` })),
    'cilium_vxlan', 2, 8472, ctx.signal,
  );
  const podVeth: Record<string, string> = {};
  for (const n of nodes) {
    podVeth[n.key] = ciliumVeth(n.pod);
    const routed = { mtu: ADDRESSES.overlayMtu, gatewayIp: `${n.block}.1` };
    await addRoutedPod(n.netns, n.pod, `${n.block}.2`, podVeth[n.key]!, routed, ctx.signal);
    await addRoutedPod(n.netns, n.health, `${n.block}.200`, 'lxc_health', routed, ctx.signal);
  }
  const [v1, v2] = [podVeth.n1!, podVeth.n2!];
  const tunnel = (src: string, dst: string) => [
    { node: 'n1', device: src, direction: 'rx' as const }, { node: 'n1', device: 'cilium_vxlan', direction: 'tx' as const }, { node: 'n1', device: 'eth0', direction: 'tx' as const },
    { node: 'n2', device: 'eth0', direction: 'rx' as const }, { node: 'n2', device: 'cilium_vxlan', direction: 'rx' as const }, { node: 'n2', device: dst, direction: 'tx' as const },
  ];
  return {
    id: 'cilium',
    title: 'Cilium-like: lxc… veths, cilium_host/cilium_net, cilium_vxlan, lxc_health',
    namespaces: Object.values(ns),
    nodes: nodes.map((n) => labNode(ctx, n.key, n.netns, n.eth0)),
    servers: [{ netns: ns.pa!.netns, ip: '198.19.11.2' }, { netns: ns.h1!.netns, ip: '198.19.11.200' }],
    phases: [
      {
        id: 'h', topology: 'cilium', title: 'pod-to-pod across nodes through cilium_vxlan',
        path: `pod A -> ${v1} (rx) -> cilium_vxlan (tx) -> eth0 (tx) | node 2: eth0 (rx) -> cilium_vxlan (rx) -> ${v2} (tx) -> pod B`,
        transfers: [{ clientNetns: ns.pb!.netns, serverUrl: url('198.19.11.2') }],
        crossings: tunnel(v1, v2),
      },
      {
        id: 'i', topology: 'cilium', title: 'health endpoint to health endpoint across nodes (cilium-health), no pod involved',
        path: 'health 1 -> lxc_health (rx) -> cilium_vxlan (tx) -> eth0 (tx) | node 2: eth0 (rx) -> cilium_vxlan (rx) -> lxc_health (tx) -> health 2',
        transfers: [{ clientNetns: ns.h2!.netns, serverUrl: url('198.19.11.200') }],
        crossings: tunnel('lxc_health', 'lxc_health'),
      },
    ],
    notes: [
      'Cilium forwards with eBPF programs on lxc…, cilium_host and cilium_vxlan; the lab routes with the kernel\'s FIB through the same devices. It leaves out bpf_redirect_peer (Cilium\'s BPF host routing), which hands a packet to the pod\'s eth0 without the host veth\'s transmit: there the host lxc… counts less than the pod\'s eth0.',
      'cilium_vxlan is a plain VXLAN device with static FDB entries; Cilium\'s is in collect-metadata mode, the tunnel endpoint chosen per packet by eBPF.',
    ],
  };
}

/** Flannel: the `cni0` bridge with `veth…` ports and `flannel.1` (VNI 1, UDP 8472) between two nodes. */
async function buildFlannel(ctx: BuildContext): Promise<BuiltTopology> {
  const ns = await addTwoNodes(ctx, [
    { role: 'pa', kind: 'pod', label: 'pod A on node 1', node: 'n1' },
    { role: 'pb', kind: 'pod', label: 'pod B on node 1', node: 'n1' },
    { role: 'pc', kind: 'pod', label: 'pod C on node 2', node: 'n2' },
  ]);
  const nodes = [
    { key: 'n1', netns: ns.n1!.netns, eth0: ADDRESSES.node1Eth0Ip, block: '198.19.21', mac: labMac(0x0f, 0, 0, 0, 1) },
    { key: 'n2', netns: ns.n2!.netns, eth0: ADDRESSES.node2Eth0Ip, block: '198.19.22', mac: labMac(0x0f, 0, 0, 0, 2) },
  ] as const;
  for (const n of nodes) {
    await ipBatch(n.netns, [
      ['link', 'add', 'cni0', 'mtu', String(ADDRESSES.overlayMtu), 'type', 'bridge'],
      ['addr', 'add', `${n.block}.1/24`, 'dev', 'cni0'],
      ['link', 'set', 'cni0', 'up'],
    ], ctx.signal);
  }
  await addVxlanMesh(
    nodes.map((n) => ({ netns: n.netns, underlayIp: n.eth0, vtepMac: n.mac, vtepIp: `${n.block}.0`, podCidr: `${n.block}.0/24`, viaIp: `${n.block}.0` })),
    'flannel.1', 1, 8472, ctx.signal,
  );
  const pods = [
    { netns: ns.pa!.netns, node: nodes[0], ip: '198.19.21.2' },
    { netns: ns.pb!.netns, node: nodes[0], ip: '198.19.21.3' },
    { netns: ns.pc!.netns, node: nodes[1], ip: '198.19.22.2' },
  ];
  for (const p of pods) await addBridgedPod(p.node.netns, p.netns, `${p.ip}/24`, bridgeVeth(p.netns), 'cni0', `${p.node.block}.1`, ADDRESSES.overlayMtu, ctx.signal);
  const [va, vb, vc] = pods.map((p) => bridgeVeth(p.netns)) as [string, string, string];
  return {
    id: 'flannel',
    title: 'Flannel: cni0 bridge, veth… ports, flannel.1',
    namespaces: Object.values(ns),
    nodes: nodes.map((n) => labNode(ctx, n.key, n.netns, n.eth0)),
    servers: [{ netns: ns.pa!.netns, ip: '198.19.21.2' }],
    phases: [
      {
        id: 'j', topology: 'flannel', title: 'pod-to-pod across nodes through cni0 and flannel.1',
        path: `pod A -> ${va} (rx) -> cni0 (rx) -> flannel.1 (tx) -> eth0 (tx) | node 2: eth0 (rx) -> flannel.1 (rx) -> cni0 (tx) -> ${vc} (tx) -> pod C`,
        transfers: [{ clientNetns: ns.pc!.netns, serverUrl: url('198.19.21.2') }],
        crossings: [
          { node: 'n1', device: va, direction: 'rx' }, { node: 'n1', device: 'cni0', direction: 'rx' }, { node: 'n1', device: 'flannel.1', direction: 'tx' }, { node: 'n1', device: 'eth0', direction: 'tx' },
          { node: 'n2', device: 'eth0', direction: 'rx' }, { node: 'n2', device: 'flannel.1', direction: 'rx' }, { node: 'n2', device: 'cni0', direction: 'tx' }, { node: 'n2', device: vc, direction: 'tx' },
        ],
      },
      {
        id: 'k', topology: 'flannel', title: 'pod-to-pod on the same node, bridged by cni0',
        path: `pod A -> ${va} (rx) -> cni0 forwards -> ${vb} (tx) -> pod B`,
        transfers: [{ clientNetns: ns.pb!.netns, serverUrl: url('198.19.21.2') }],
        crossings: [{ node: 'n1', device: va, direction: 'rx' }, { node: 'n1', device: vb, direction: 'tx' }],
      },
    ],
    notes: ['flanneld\'s routes, neighbour and FDB entries are written by the lab; the bridge plugin names veths veth + 8 random hex digits, the lab derives them from the pod\'s name.'],
  };
}

export function buildTopology(id: TopologyId, ctx: BuildContext): Promise<BuiltTopology> {
  switch (id) {
    case 'vpc-cni':
      return buildVpcCni(ctx);
    case 'sgp':
      return buildSgp(ctx);
    case 'calico':
      return buildCalico(ctx);
    case 'cilium':
      return buildCilium(ctx);
    case 'flannel':
      return buildFlannel(ctx);
  }
}
