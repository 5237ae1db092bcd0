import { describe, expect, it } from 'vitest';
import { buildRules, classifyInterface } from '../../lambda/core/interface-rules';
import { MAX_INTERFACE_NAME_LENGTH, vpcCniHostVethName } from '../../lambda/core/vpc-cni-veth-name';

describe('the VPC CNI host veth name', () => {
  it('names a host veth as the VPC CNI does: the seed experiment pod netshoot in default had enie348bef9edc', () => {
    expect(vpcCniHostVethName('default', 'netshoot')).toBe('enie348bef9edc');
  });

  it("matches the VPC CNI's own test case (networkutils TestGeneratePodHostVethName)", () => {
    // amazon-vpc-cni-k8s expects enib5faff8a083 for kube-system/coredns-57ff979f67-qqbdh;
    // `echo -n kube-system.coredns-57ff979f67-qqbdh | sha1sum` starts b5faff8a083.
    expect(vpcCniHostVethName('kube-system', 'coredns-57ff979f67-qqbdh')).toBe('enib5faff8a083');
  });

  it('keeps host veth names within the 15 characters Linux allows and classifies them as pod veths', () => {
    const name = vpcCniHostVethName('default', 'nr-4194304-ffff-pa');
    expect(name.length).toBeLessThanOrEqual(MAX_INTERFACE_NAME_LENGTH);
    expect(classifyInterface(name, buildRules()).interfaceClass).toBe('podVeth');
  });

  it('refuses a prefix that would make the name too long for the kernel', () => {
    expect(() => vpcCniHostVethName('default', 'p', 'toolong')).toThrow(/longer than 15/);
  });
});
