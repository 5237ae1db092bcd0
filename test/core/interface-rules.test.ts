import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  buildRules,
  classifyInterface,
  containerInsightsCounts,
  InterfaceRuleError,
  parseRuleOverrides,
  type InterfaceClass,
} from '../../lambda/core/interface-rules';

const rules = buildRules();
const classOf = (name: string, r = rules): InterfaceClass => classifyInterface(name, r).interfaceClass;

/** The VPC CNI's own naming: prefix + first 11 hex digits of sha1("namespace.pod"). */
const vpcCniVeth = (prefix: string, ns: string, pod: string): string =>
  prefix + createHash('sha1').update(`${ns}.${pod}`).digest('hex').slice(0, 11);

describe('default interface rules', () => {
  // Every name of the table in docs/domain.md, "Interface names per CNI", with the class the table gives it.
  const table: [string, InterfaceClass][] = [
    ['eth0', 'physical'],
    ['eth1', 'physical'],
    ['ens5', 'physical'],
    ['ens6', 'physical'],
    ['enp0s3', 'physical'],
    ['eno1', 'physical'],
    ['eni3c1ae1f0141', 'podVeth'],
    ['enie348bef9edc', 'podVeth'],
    ['vlan0123456789a', 'podVeth'],
    ['cali1a2b3c4d5e6', 'podVeth'],
    ['lxc1234abcd5678', 'podVeth'],
    ['veth1a2b3c4d', 'podVeth'],
    ['vethwepl1234567', 'podVeth'],
    ['vxlan.calico', 'overlay'],
    ['vxlan-v6.calico', 'overlay'],
    ['tunl0', 'overlay'],
    ['flannel.1', 'overlay'],
    ['cilium_vxlan', 'overlay'],
    ['cilium_geneve', 'overlay'],
    ['weave', 'overlay'],
    ['datapath', 'overlay'],
    ['cni0', 'bridge'],
    ['docker0', 'bridge'],
    ['cbr0', 'bridge'],
    ['cilium_host', 'bridge'],
    ['cilium_net', 'bridge'],
    ['kube-ipvs0', 'bridge'],
    ['nodelocaldns', 'bridge'],
    ['vlan.eth.5', 'bridge'],
    ['lo', 'loopback'],
  ];
  it.each(table)('classifies %s as %s', (name, expected) => {
    expect(classOf(name)).toBe(expected);
  });

  it('classifies the veth the VPC CNI would name for a pod, not a hand-typed one', () => {
    const name = vpcCniVeth('eni', 'default', 'netshoot');
    expect(name).toMatch(/^eni[0-9a-f]{11}$/);
    expect(classOf(name)).toBe('podVeth');
  });

  it('does not take Cilium lxc_health for a pod veth', () => {
    expect(classOf('lxc_health')).toBe('bridge');
  });

  it('takes the AL2023 eni-… altname of an ENI for the ENI, never for a pod veth', () => {
    expect(classOf('eni-0abc1234def567890')).toBe('physical');
    expect(classOf('eni-0abc1234')).toBe('physical');
  });

  it("keeps Weave's own bridge links out of the pod veths", () => {
    expect(classOf('vethwe-bridge')).toBe('bridge');
    expect(classOf('vethwe-datapath')).toBe('bridge');
  });

  it('does not take a VPC CNI-like name of the wrong length for a pod veth', () => {
    expect(classOf('eni3c1ae1f014')).toBe('unknown');
    expect(classOf('eni3c1ae1f01412')).toBe('unknown');
  });

  it('leaves a name no rule knows as unknown', () => {
    expect(classifyInterface('wg0', rules)).toEqual({ interfaceClass: 'unknown', rule: null });
  });
});

describe('rule overrides', () => {
  it('tries prepended rules before the defaults', () => {
    const custom = buildRules({ prepend: [{ pattern: '^eth1$', interfaceClass: 'bridge', note: 'trunk' }] });
    expect(classOf('eth1', custom)).toBe('bridge');
    expect(classOf('eth0', custom)).toBe('physical');
  });

  it('follows a changed VPC CNI veth prefix and stops matching the old one', () => {
    const custom = buildRules({ vpcCniVethPrefix: 'pod' });
    expect(classOf(vpcCniVeth('pod', 'ns', 'a'), custom)).toBe('podVeth');
    expect(classOf(vpcCniVeth('eni', 'ns', 'a'), custom)).toBe('unknown');
  });

  it.each(['', 'toolong', 'eth', 'ENI', 'e-n'])('refuses the VPC CNI prefix %j with the value in the message', (prefix) => {
    expect(() => buildRules({ vpcCniVethPrefix: prefix })).toThrow(InterfaceRuleError);
    expect(() => buildRules({ vpcCniVethPrefix: prefix })).toThrow(JSON.stringify(prefix));
  });

  it('refuses a rule whose pattern does not compile, naming the rule', () => {
    expect(() => buildRules({ prepend: [{ pattern: '(', interfaceClass: 'physical', note: '' }] })).toThrow(/prepend\[0\].*"\("/);
  });

  it('refuses a rule with an unknown class, naming the class', () => {
    const bad = { pattern: '^x', interfaceClass: 'wired', note: '' } as unknown as { pattern: string; interfaceClass: 'physical'; note: string };
    expect(() => buildRules({ prepend: [bad] })).toThrow(/"wired"/);
  });
});

describe("Container Insights' interface filter (cAdvisor ignoredDevicePrefixes)", () => {
  it.each([
    ['lo', false],
    ['veth1a2b', false],
    ['docker0', false],
    ['nerdctl0', false],
    ['eth0', true],
    ['eni3c1ae1f0141', true],
    ['cali1a2b3c4d5e6', true],
    ['lxc1234', true],
  ])('%s counted: %s', (name, counted) => {
    expect(containerInsightsCounts(name)).toBe(counted);
  });
});

describe('parseRuleOverrides: the shape check every edge shares', () => {
  it('keeps prepend rules and the prefix, giving a rule without a note a default one', () => {
    expect(parseRuleOverrides({ prepend: [{ pattern: '^bond\\d+$', interfaceClass: 'physical' }], vpcCniVethPrefix: 'pod' })).toEqual({
      prepend: [{ pattern: '^bond\\d+$', interfaceClass: 'physical', note: 'user rule' }],
      vpcCniVethPrefix: 'pod',
    });
    expect(parseRuleOverrides({})).toEqual({});
  });

  it.each([
    ['not an object', [1], /rule overrides must be a JSON object: \[1\]/],
    ['an unknown setting', { prefix: 'eni' }, /prefix: unknown setting.*: "eni"/],
    ['prepend not a list', { prepend: {} }, /prepend: must be a list of rules: \{\}/],
    ['a rule without a pattern', { prepend: [{ interfaceClass: 'physical' }] }, /prepend\[0\]: a rule needs a string "pattern"/],
    ['a prefix that is not text', { vpcCniVethPrefix: 3 }, /vpcCniVethPrefix: must be a string: 3/],
  ])('refuses %s with the value', (_name, value, message) => {
    expect(() => parseRuleOverrides(value)).toThrow(InterfaceRuleError);
    expect(() => parseRuleOverrides(value)).toThrow(message);
  });
});
