import { describe, expect, it } from 'vitest';
import { type IpLinkEntry, kernelClassOf } from '../../lab/ground-truth';
import type { LabNamespace } from '../../lab/topology';

const NODE = 'nr-1-abcd-cil-n1';
const namespaces: LabNamespace[] = [
  { netns: 'nr-1-abcd-cil-net', kind: 'vpc', label: 'VPC' },
  { netns: NODE, kind: 'node', label: 'node 1' },
  { netns: 'nr-1-abcd-cil-pa', kind: 'pod', label: 'pod A', node: NODE },
  { netns: 'nr-1-abcd-cil-h1', kind: 'hostEndpoint', label: 'health endpoint', node: NODE },
];
const veth = (ifname: string): IpLinkEntry => ({ ifname, linkinfo: { info_kind: 'veth' } });
const classOf = (entry: IpLinkEntry, peer: string | null, hardware = false) => kernelClassOf(entry, hardware, peer, NODE, namespaces).kernelClass;

describe("the kernel's ground truth for a device's class", () => {
  it('classes a veth by what its other end is: the VPC (an ENI), a pod, a host endpoint, or the node itself', () => {
    expect(classOf(veth('eth0'), 'nr-1-abcd-cil-net')).toBe('physical');
    expect(classOf(veth('lxc6bc76c65056e'), 'nr-1-abcd-cil-pa')).toBe('podVeth');
    expect(classOf(veth('lxc_health'), 'nr-1-abcd-cil-h1')).toBe('bridge');
    expect(classOf(veth('cilium_host'), NODE)).toBe('bridge');
    // A veth into a namespace the topology did not make has no ground truth: the check then fails.
    expect(classOf(veth('eth9'), 'somebody-elses')).toBe('unknown');
  });

  it('classes tunnels, bridges and sub-devices by kind, loopback by link type, hardware by /sys/class/net/DEV/device', () => {
    expect(classOf({ ifname: 'vxlan.calico', linkinfo: { info_kind: 'vxlan' } }, null)).toBe('overlay');
    expect(classOf({ ifname: 'cni0', linkinfo: { info_kind: 'bridge' } }, null)).toBe('bridge');
    expect(classOf({ ifname: 'vlan.eth.1', link: 'eth1', linkinfo: { info_kind: 'macvlan' } }, null)).toBe('bridge');
    expect(classOf({ ifname: 'vlan.eth.1', link: 'eth1', linkinfo: { info_kind: 'vlan' } }, null)).toBe('bridge');
    expect(classOf({ ifname: 'lo', link_type: 'loopback' }, null)).toBe('loopback');
    expect(classOf({ ifname: 'ens5', link_type: 'ether' }, null, true)).toBe('physical');
    expect(classOf({ ifname: 'tun0', linkinfo: { info_kind: 'tun' } }, null)).toBe('unknown');
  });
});
