/**
 * The lab's network, built from namespaces and veth pairs the way an EKS node with the VPC CNI looks:
 *
 *   [srv] eth0 198.18.0.1/24 ── eth0 198.18.0.2/24 [node] eni<hash A> ── eth0 198.18.1.11/32 [pa]
 *                                                         eni<hash B> ── eth0 198.18.1.12/32 [pb]
 *
 * - The node forwards (ip_forward=1) and has a /32 route per pod through the pod's host veth, which has no
 *   address, as the VPC CNI sets it up.
 * - Each pod's default route goes via 169.254.1.1 with a permanent neighbour entry pointing at its host veth's
 *   MAC: the VPC CNI's own choice (a static neighbour, not proxy ARP), so pods never ARP for their gateway.
 *   The node still ARPs for pod addresses on the host veth, as on a real node.
 * - The server routes 198.18.1.0/24 via the node's eth0, standing in for the VPC route that delivers an
 *   ENI's secondary IPs to the instance.
 * - IPv6 is disabled in every namespace before any link exists, so no router solicitation, DAD or MLD frame
 *   shows up in the counters.
 */
import { vpcCniHostVethName } from '../lambda/core/vpc-cni-veth-name';
import { ADDRESSES, LAB_K8S_NAMESPACE, type RunNames } from './names';
import type { LabResources } from './resources';
import { inNetns, run } from './shell';

export interface LabPod {
  readonly netns: string;
  readonly ip: string;
  /** The node-side veth, named like the VPC CNI names it. */
  readonly hostVeth: string;
}

export interface LabTopology {
  readonly serverNetns: string;
  readonly nodeNetns: string;
  readonly serverIp: string;
  readonly nodeIp: string;
  readonly podA: LabPod;
  readonly podB: LabPod;
}

const NOT_PERMITTED_HINT = 'The lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and a kernel that allows network namespaces.';

async function ip(netns: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  const { stdout } = await run(['ip', '-n', netns, ...args], { signal, hint: `Setting up namespace ${netns} failed.` });
  return stdout;
}

/**
 * Writes /proc/sys keys inside a namespace with a fixed shell script (the keys and values are arguments, never
 * spliced into the script), so the lab needs no procps. Keys marked optional are skipped when the kernel lacks
 * them (no IPv6 at all means no IPv6 noise either).
 */
async function setSysctls(netns: string, settings: Readonly<Record<string, string>>, optional: boolean, signal?: AbortSignal): Promise<void> {
  const script = `for kv; do f="/proc/sys/\${kv%%=*}"; if [ ! -e "$f" ] && [ "$OPTIONAL" = 1 ]; then continue; fi; printf '%s' "\${kv#*=}" > "$f" || exit 1; done`;
  const args = Object.entries(settings).map(([key, value]) => `${key.replaceAll('.', '/')}=${value}`);
  await run(inNetns(netns, ['env', `OPTIONAL=${optional ? 1 : 0}`, 'sh', '-c', script, 'sh', ...args]), {
    signal,
    hint: `Setting ${Object.keys(settings).join(', ')} in ${netns} failed.`,
  });
}

async function addNamespace(name: string, resources: LabResources, signal?: AbortSignal): Promise<void> {
  // Registered first: if the add is interrupted half-way, teardown still looks for it.
  resources.addNetns(name);
  await run(['ip', 'netns', 'add', name], { signal, hint: NOT_PERMITTED_HINT });
  await setSysctls(name, { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' }, true, signal);
  await ip(name, ['link', 'set', 'lo', 'up'], signal);
}

async function linkAddress(netns: string, device: string, signal?: AbortSignal): Promise<string> {
  const parsed = JSON.parse(await ip(netns, ['-j', 'link', 'show', 'dev', device], signal)) as Array<{ address?: string }>;
  const mac = parsed[0]?.address;
  if (!mac || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new Error(`no MAC address for ${device} in ${netns}: ${JSON.stringify(parsed)}`);
  return mac;
}

/** Wires one pod to the node the way the VPC CNI's routed-eni plugin does. */
async function addPod(nodeNetns: string, podNetns: string, podIp: string, signal?: AbortSignal): Promise<LabPod> {
  const hostVeth = vpcCniHostVethName(LAB_K8S_NAMESPACE, podNetns);
  const mtu = String(ADDRESSES.mtu);
  await ip(nodeNetns, ['link', 'add', hostVeth, 'mtu', mtu, 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', mtu, 'netns', podNetns], signal);
  await ip(nodeNetns, ['link', 'set', hostVeth, 'up'], signal);
  const hostVethMac = await linkAddress(nodeNetns, hostVeth, signal);

  await ip(podNetns, ['addr', 'add', `${podIp}/32`, 'dev', 'eth0'], signal);
  await ip(podNetns, ['link', 'set', 'eth0', 'up'], signal);
  await ip(podNetns, ['route', 'add', ADDRESSES.podGatewayIp, 'dev', 'eth0', 'scope', 'link'], signal);
  await ip(podNetns, ['route', 'add', 'default', 'via', ADDRESSES.podGatewayIp, 'dev', 'eth0'], signal);
  await ip(podNetns, ['neigh', 'add', ADDRESSES.podGatewayIp, 'lladdr', hostVethMac, 'dev', 'eth0', 'nud', 'permanent'], signal);

  await ip(nodeNetns, ['route', 'add', `${podIp}/32`, 'dev', hostVeth, 'scope', 'link'], signal);
  return { netns: podNetns, ip: podIp, hostVeth };
}

/** Creates the run's namespaces and links; everything is registered in `resources` as soon as it exists. */
export async function createTopology(names: RunNames, resources: LabResources, signal?: AbortSignal): Promise<LabTopology> {
  const { srv, node, pa, pb } = names.netns;
  for (const netns of [srv, node, pa, pb]) await addNamespace(netns, resources, signal);

  const mtu = String(ADDRESSES.mtu);
  await ip(node, ['link', 'add', 'eth0', 'mtu', mtu, 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', mtu, 'netns', srv], signal);
  await ip(srv, ['addr', 'add', `${ADDRESSES.serverIp}/${ADDRESSES.uplinkPrefixLength}`, 'dev', 'eth0'], signal);
  await ip(srv, ['link', 'set', 'eth0', 'up'], signal);
  await ip(srv, ['route', 'add', ADDRESSES.podCidr, 'via', ADDRESSES.nodeIp, 'dev', 'eth0'], signal);
  await ip(node, ['addr', 'add', `${ADDRESSES.nodeIp}/${ADDRESSES.uplinkPrefixLength}`, 'dev', 'eth0'], signal);
  await ip(node, ['link', 'set', 'eth0', 'up'], signal);
  await setSysctls(node, { 'net.ipv4.ip_forward': '1' }, false, signal);

  const podA = await addPod(node, pa, ADDRESSES.podAIp, signal);
  const podB = await addPod(node, pb, ADDRESSES.podBIp, signal);
  return { serverNetns: srv, nodeNetns: node, serverIp: ADDRESSES.serverIp, nodeIp: ADDRESSES.nodeIp, podA, podB };
}

/** Tries to create (and delete) one namespace: the honest test of whether this machine allows the lab. Returns why not, or null. */
export async function namespacesForbiddenReason(probeName: string): Promise<string | null> {
  try {
    await run(['ip', 'netns', 'add', probeName], { timeoutMs: 5_000, hint: '' });
  } catch (error) {
    return `cannot create a network namespace (${(error as Error).message})`;
  }
  try {
    await run(['ip', 'netns', 'del', probeName], { timeoutMs: 5_000, hint: '' });
  } catch (error) {
    return `created namespace ${probeName} but cannot delete it (${(error as Error).message})`;
  }
  return null;
}
