/**
 * What the kernel says each device of a node is, independent of its name: the lab's ground truth for the
 * interface rules (docs/lab.md, "The ground truth").
 *
 * - `ip -d -j link` gives a device's kind (`linkinfo.info_kind`: veth, vxlan, bridge, macvlan, vlan…), its link
 *   type (loopback) and, for a veth, where its other end is: `link_netnsid` (another namespace, named through
 *   `ip netns list-id`) or `link` (a peer in the same namespace).
 * - `/sys/class/net/DEV/device` exists only for a device backed by hardware (a NIC, an ENA ENI).
 * - In the lab no ENI is hardware: an ENI is a veth whose other end is in the topology's VPC namespace. That
 *   namespace's kind (`vpc`) is what marks the uplinks, so "physical" means "a NIC, or a veth into the VPC".
 */
import type { InterfaceClass } from '../lambda/core/interface-rules';
import { inNetns, run } from './shell';
import type { LabNamespace } from './topology';

/** The fields of one `ip -d -j link` entry the ground truth reads. */
export interface IpLinkEntry {
  readonly ifname: string;
  readonly link_type?: string;
  readonly link?: string;
  readonly link_netnsid?: number;
  readonly linkinfo?: { readonly info_kind?: string };
}

export interface KernelDevice {
  readonly name: string;
  /** `ip -d` kind, or `loopback`, or null for a plain device (a NIC). */
  readonly kind: string | null;
  /** Whether /sys/class/net/DEV/device exists (hardware). */
  readonly hardware: boolean;
  /** For a veth: the namespace of its other end (this node's own for a pair inside the node). For a sub-device: its parent. */
  readonly peerNetns: string | null;
  readonly parent: string | null;
  readonly kernelClass: InterfaceClass;
  /** Why, in words, for the report. */
  readonly why: string;
}

/** Kinds of tunnel device: their bytes are pod bytes again, inside an outer packet the uplink counts. */
const TUNNEL_KINDS = new Set(['vxlan', 'geneve', 'ipip', 'gre', 'gretap', 'ip6tnl', 'sit', 'wireguard']);
/** Sub-devices of another device (a VLAN on a trunk ENI, or the lab's macvlan stand-in for one): the parent counts their bytes too. */
const SUB_DEVICE_KINDS = new Set(['vlan', 'macvlan', 'ipvlan']);

/**
 * The class the kernel's facts give a device. `namespaces` are the topology's (what each stands for); `self` is
 * the node's own namespace.
 */
export function kernelClassOf(
  entry: IpLinkEntry,
  hardware: boolean,
  peerNetns: string | null,
  self: string,
  namespaces: readonly LabNamespace[],
): { kernelClass: InterfaceClass; why: string } {
  const kind = entry.linkinfo?.info_kind ?? null;
  if (entry.link_type === 'loopback') return { kernelClass: 'loopback', why: 'link type loopback' };
  if (hardware) return { kernelClass: 'physical', why: '/sys/class/net/DEV/device exists: a NIC' };
  if (kind === 'veth') {
    if (peerNetns === null || peerNetns === self) return { kernelClass: 'bridge', why: 'veth whose other end is in the node itself (a host-internal pair)' };
    const peer = namespaces.find((n) => n.netns === peerNetns);
    switch (peer?.kind) {
      case 'vpc':
        return { kernelClass: 'physical', why: "veth into the VPC namespace: the lab's ENI" };
      case 'pod':
        return { kernelClass: 'podVeth', why: `veth into ${peer.label}` };
      case 'hostEndpoint':
        return { kernelClass: 'bridge', why: `veth into ${peer.label}, not a pod (host-internal)` };
      default:
        return { kernelClass: 'unknown', why: `veth into ${peerNetns}, which the lab did not make for this topology` };
    }
  }
  if (kind !== null && TUNNEL_KINDS.has(kind)) return { kernelClass: 'overlay', why: `${kind}: a tunnel device` };
  if (kind === 'bridge') return { kernelClass: 'bridge', why: 'bridge' };
  if (kind !== null && SUB_DEVICE_KINDS.has(kind)) return { kernelClass: 'bridge', why: `${kind} on ${entry.link ?? '?'}: a sub-device whose bytes its parent counts too (host-internal)` };
  return { kernelClass: 'unknown', why: `kind ${kind ?? 'none'} and no hardware: the lab has no ground truth for it` };
}

/** Reads one node's devices from the kernel and classifies each. */
export async function readGroundTruth(nodeNetns: string, namespaces: readonly LabNamespace[], signal?: AbortSignal): Promise<KernelDevice[]> {
  const [links, ids, hw] = await Promise.all([
    run(['ip', '-n', nodeNetns, '-d', '-j', 'link', 'show'], { signal }),
    run(['ip', '-n', nodeNetns, '-j', 'netns', 'list-id'], { signal }),
    // sysfs inside `ip netns exec` is the namespace's own (iproute2 remounts it).
    run(inNetns(nodeNetns, ['sh', '-c', 'for d in /sys/class/net/*; do if [ -e "$d/device" ]; then echo "${d##*/}"; fi; done']), { signal }),
  ]);
  const entries = JSON.parse(links.stdout) as IpLinkEntry[];
  const nsids = new Map((JSON.parse(ids.stdout || '[]') as Array<{ nsid: number; name?: string }>).map((e) => [e.nsid, e.name ?? null]));
  const hardware = new Set(hw.stdout.split('\n').filter(Boolean));
  return entries.map((entry) => {
    const kind = entry.link_type === 'loopback' ? 'loopback' : (entry.linkinfo?.info_kind ?? null);
    const isVeth = entry.linkinfo?.info_kind === 'veth';
    const peerNetns = !isVeth ? null : entry.link_netnsid === undefined ? nodeNetns : (nsids.get(entry.link_netnsid) ?? `nsid ${entry.link_netnsid}`);
    const parent = !isVeth && entry.link ? entry.link : null;
    const { kernelClass, why } = kernelClassOf(entry, hardware.has(entry.ifname), peerNetns, nodeNetns, namespaces);
    return { name: entry.ifname, kind, hardware: hardware.has(entry.ifname), peerNetns, parent, kernelClass, why };
  });
}
