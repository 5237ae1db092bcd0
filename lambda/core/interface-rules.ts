/**
 * Interface classification: an ordered list of rules (data, first match wins) from an interface name to what
 * the interface carries. The defaults cover the names in docs/domain.md, "Interface names per CNI"; users prepend
 * their own rules or change the VPC CNI veth prefix (`AWS_VPC_K8S_CNI_VETHPREFIX`).
 */

import { InvalidValueError } from './errors';

export const INTERFACE_CLASSES = ['physical', 'podVeth', 'overlay', 'bridge', 'loopback', 'unknown'] as const;
export type InterfaceClass = (typeof INTERFACE_CLASSES)[number];

export interface InterfaceRule {
  /** A JavaScript regular expression source matched against the whole interface name (anchor it yourself). */
  readonly pattern: string;
  readonly interfaceClass: Exclude<InterfaceClass, 'unknown'>;
  /** Where the name comes from; shown by `netrecon rules`. */
  readonly note: string;
}

/** What a user may change: rules tried before the defaults, and the VPC CNI host-veth prefix. */
export interface InterfaceRuleOverrides {
  readonly prepend?: readonly InterfaceRule[];
  /** `AWS_VPC_K8S_CNI_VETHPREFIX`: at most 4 characters, default `eni`. */
  readonly vpcCniVethPrefix?: string;
}

export const DEFAULT_VPC_CNI_VETH_PREFIX = 'eni';

/** The VPC CNI caps the prefix at 4 characters and refuses names that collide with kernel interfaces. */
export const VPC_CNI_MAX_PREFIX_LENGTH = 4;
const VPC_CNI_FORBIDDEN_PREFIXES = ['eth', 'vlan', 'lo'];

/** A refused interface rule; its own class because the settings re-word it as a ConfigError naming the setting. */
export class InterfaceRuleError extends InvalidValueError {
  constructor(message: string, value: unknown, hint: string) {
    super(message, value, hint);
    this.name = 'InterfaceRuleError';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The default rules, in order. Order matters where names overlap: `lxc_health` before Cilium's `lxc…`,
 * `vlan.eth.N` before the security-groups-for-pods `vlan…` veths, Weave's `vethwe-bridge` before `veth…`.
 */
export function defaultRules(vpcCniVethPrefix: string = DEFAULT_VPC_CNI_VETH_PREFIX): InterfaceRule[] {
  return [
    { pattern: '^lo$', interfaceClass: 'loopback', note: 'loopback' },

    // Host-internal devices whose names would otherwise match a pod-veth or physical rule below.
    { pattern: '^lxc_health$', interfaceClass: 'bridge', note: 'Cilium health endpoint (host-internal, not a pod)' },
    { pattern: '^vlan\\.eth\\.\\d+$', interfaceClass: 'bridge', note: 'VPC CNI security groups for pods: trunk VLAN device' },
    { pattern: '^vethwe-(bridge|datapath)$', interfaceClass: 'bridge', note: 'Weave bridge-to-datapath link' },

    // Pod veths (host side).
    {
      pattern: `^${escapeRegExp(vpcCniVethPrefix)}[0-9a-f]{11}$`,
      interfaceClass: 'podVeth',
      note: `VPC CNI pod veth: prefix "${vpcCniVethPrefix}" + 11 hex of sha1("namespace.pod")`,
    },
    { pattern: '^vlan[0-9a-f]{11}$', interfaceClass: 'podVeth', note: 'VPC CNI security groups for pods (strict mode) pod veth' },
    { pattern: '^cali[0-9a-f]+$', interfaceClass: 'podVeth', note: 'Calico pod veth' },
    { pattern: '^lxc[0-9a-zA-Z]+$', interfaceClass: 'podVeth', note: 'Cilium pod veth' },
    { pattern: '^vethwepl', interfaceClass: 'podVeth', note: 'Weave pod veth' },
    { pattern: '^veth', interfaceClass: 'podVeth', note: 'Flannel / bridge CNI pod veth' },

    // Overlays and tunnels.
    { pattern: '^vxlan(-v6)?\\.calico$', interfaceClass: 'overlay', note: 'Calico VXLAN' },
    { pattern: '^tunl\\d+$', interfaceClass: 'overlay', note: 'Calico IP-in-IP' },
    { pattern: '^flannel\\.\\d+$', interfaceClass: 'overlay', note: 'Flannel VXLAN' },
    { pattern: '^cilium_(vxlan|geneve)$', interfaceClass: 'overlay', note: 'Cilium tunnel' },
    { pattern: '^(weave|datapath)$', interfaceClass: 'overlay', note: 'Weave overlay' },

    // Bridges and other host-internal devices.
    { pattern: '^(cni|docker|cbr)\\d+$', interfaceClass: 'bridge', note: 'CNI / Docker bridge' },
    { pattern: '^cilium_(host|net)$', interfaceClass: 'bridge', note: 'Cilium host device pair' },
    { pattern: '^kube-ipvs\\d+$', interfaceClass: 'bridge', note: 'kube-proxy IPVS dummy device' },
    { pattern: '^nodelocaldns$', interfaceClass: 'bridge', note: 'NodeLocal DNSCache dummy device' },

    // ENIs.
    { pattern: '^eth\\d+$', interfaceClass: 'physical', note: 'ENI (Amazon Linux 2, Bottlerocket)' },
    { pattern: '^(ens\\d+|eno\\d+|enp[0-9a-z]+)$', interfaceClass: 'physical', note: 'ENI (AL2023 predictable names)' },
    {
      pattern: '^eni-[0-9a-f]{8,17}$',
      interfaceClass: 'physical',
      note: 'AL2023 altname of an ENI (never a pod veth: those have no dash)',
    },
  ];
}

const OVERRIDES_EXAMPLE = '{"prepend": [{"pattern": "^myif\\d+$", "interfaceClass": "physical", "note": "why"}], "vpcCniVethPrefix": "eni"}';

/**
 * Checks rule overrides that came as JSON (a CLI file, the Lambda's environment, CDK context) for shape: only
 * `prepend` (a list of rules with a pattern and a class) and `vpcCniVethPrefix` (a string). Every edge calls
 * this one check; buildRules then checks the patterns, classes and prefix themselves.
 */
export function parseRuleOverrides(value: unknown): InterfaceRuleOverrides {
  const hint = `Write e.g. ${OVERRIDES_EXAMPLE}.`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InterfaceRuleError('rule overrides must be a JSON object', value, hint);
  }
  const { prepend, vpcCniVethPrefix, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new InterfaceRuleError(`${unknown}: unknown setting (use "prepend" and "vpcCniVethPrefix")`, rest[unknown], hint);
  if (prepend !== undefined && !Array.isArray(prepend)) throw new InterfaceRuleError('prepend: must be a list of rules', prepend, hint);
  const rules = ((prepend ?? []) as unknown[]).map((rule, i) => {
    const r = rule as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.pattern !== 'string' || typeof r.interfaceClass !== 'string') {
      throw new InterfaceRuleError(`prepend[${i}]: a rule needs a string "pattern" and "interfaceClass"`, rule, hint);
    }
    if (r.note !== undefined && typeof r.note !== 'string') throw new InterfaceRuleError(`prepend[${i}].note: must be a string`, r.note, hint);
    // The class is checked against the known classes by buildRules, which names the rule and the bad class.
    return { pattern: r.pattern, interfaceClass: r.interfaceClass as InterfaceRule['interfaceClass'], note: r.note ?? 'user rule' };
  });
  if (vpcCniVethPrefix !== undefined && typeof vpcCniVethPrefix !== 'string') {
    throw new InterfaceRuleError('vpcCniVethPrefix: must be a string', vpcCniVethPrefix, hint);
  }
  return { ...(prepend === undefined ? {} : { prepend: rules }), ...(vpcCniVethPrefix === undefined ? {} : { vpcCniVethPrefix }) };
}

export interface CompiledRule extends InterfaceRule {
  readonly regex: RegExp;
}

function compileRule(rule: InterfaceRule, where: string): CompiledRule {
  // Rules may come from a user's JSON file, so the class is checked at run time too.
  const cls: string = rule.interfaceClass;
  if (!(INTERFACE_CLASSES as readonly string[]).includes(cls) || cls === 'unknown') {
    throw new InterfaceRuleError(
      `${where}: interfaceClass is not a class`,
      rule.interfaceClass,
      `Use one of ${INTERFACE_CLASSES.filter((c) => c !== 'unknown').join(', ')}.`,
    );
  }
  try {
    return { ...rule, regex: new RegExp(rule.pattern) };
  } catch (cause) {
    throw new InterfaceRuleError(`${where}: pattern is not a valid regular expression`, rule.pattern, String(cause));
  }
}

/** The effective rule list: user rules first, then the defaults with the user's VPC CNI prefix. */
export function buildRules(overrides: InterfaceRuleOverrides = {}): CompiledRule[] {
  const prefix = overrides.vpcCniVethPrefix ?? DEFAULT_VPC_CNI_VETH_PREFIX;
  if (
    prefix.length === 0 ||
    prefix.length > VPC_CNI_MAX_PREFIX_LENGTH ||
    !/^[a-z0-9]+$/.test(prefix) ||
    VPC_CNI_FORBIDDEN_PREFIXES.includes(prefix)
  ) {
    throw new InterfaceRuleError(
      'vpcCniVethPrefix is not a valid AWS_VPC_K8S_CNI_VETHPREFIX',
      prefix,
      `Use 1 to ${VPC_CNI_MAX_PREFIX_LENGTH} lower-case letters or digits, not ${VPC_CNI_FORBIDDEN_PREFIXES.join(', ')}; the default is "${DEFAULT_VPC_CNI_VETH_PREFIX}".`,
    );
  }
  const user = (overrides.prepend ?? []).map((r, i) => compileRule(r, `prepend[${i}]`));
  const defaults = defaultRules(prefix).map((r, i) => compileRule(r, `default rule ${i}`));
  return [...user, ...defaults];
}

export interface Classification {
  readonly interfaceClass: InterfaceClass;
  /** The rule that matched, or null for `unknown`. */
  readonly rule: CompiledRule | null;
}

export function classifyInterface(name: string, rules: readonly CompiledRule[]): Classification {
  for (const rule of rules) {
    if (rule.regex.test(name)) return { interfaceClass: rule.interfaceClass, rule };
  }
  return { interfaceClass: 'unknown', rule: null };
}

/**
 * cAdvisor drops interfaces whose names start with these before the CloudWatch agent sums the rest into
 * `node_network_total_bytes` (google/cadvisor container/libcontainer/handler.go, `ignoredDevicePrefixes`;
 * docs/domain.md, "What Container Insights sums: cAdvisor's filter").
 */
export const CADVISOR_IGNORED_PREFIXES = ['lo', 'veth', 'docker', 'nerdctl'] as const;

export function containerInsightsCounts(name: string): boolean {
  return !CADVISOR_IGNORED_PREFIXES.some((p) => name.startsWith(p));
}
