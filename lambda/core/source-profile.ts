/**
 * Source profiles: which of the three sources a cluster is reconciled with (docs/profiles.md).
 * - agentless: EC2 NetworkIn/NetworkOut and Container Insights only. EC2 counts every byte once at the instance's
 *   ENIs, so it is the counted-once figure (basis `ec2`).
 * - enis: the agent collects the ENIs only (`eth*`, `ens*`): corrected from their own counters (basis `agent`),
 *   checked against EC2; no interface sum, so no residual.
 * - full: the agent collects every interface: every figure.
 * - mixed: per node, what it has: a node with no agent series is reconciled as agentless, one whose agent publishes
 *   only physical interfaces as enis, any other as full. The agent is not required, so no node is `missingAgent`
 *   for lacking it altogether and the cluster has no coverage alarm.
 * Pure: no I/O.
 */
import { ConfigError } from './errors';
import type { InterfaceClass } from './interface-rules';

export const SOURCE_PROFILES = ['agentless', 'enis', 'full', 'mixed'] as const;
export type SourceProfile = (typeof SOURCE_PROFILES)[number];
/** What one node is reconciled with: a cluster's `mixed` resolves, node by node, to one of these. */
export type NodeProfile = Exclude<SourceProfile, 'mixed'>;
/** Where a node-period's counted-once figure comes from: the ENIs' own counters (agent) or EC2. */
export type Basis = 'agent' | 'ec2';

/**
 * `mixed`: a first deploy on a cluster without the agent publishes figures on the EC2 basis instead of calling every
 * node missingAgent, and nodes that do run the agent are reconciled from it (docs/profiles.md, "The default").
 */
export const DEFAULT_SOURCE_PROFILE: SourceProfile = 'mixed';

/** What a node profile can compute. */
export interface ProfileCapabilities {
  readonly basis: Basis;
  /** Agent series are read and a node without them is `missingAgent`. */
  readonly agentRequired: boolean;
  /** EC2 in + out is compared with the ENIs' own counters (ec2DiscrepancyRatio, `ec2Mismatch`). */
  readonly ec2Check: boolean;
  /** The naive interface sum, hence the Container Insights residual (`unexplainedResidual`). */
  readonly residual: boolean;
  /** Pod traffic from the pod veths' own counters; otherwise it is estimated as Container Insights − the counted-once figure. */
  readonly podFromVeths: boolean;
}

export const NODE_PROFILE_CAPABILITIES: Readonly<Record<NodeProfile, ProfileCapabilities>> = {
  agentless: { basis: 'ec2', agentRequired: false, ec2Check: false, residual: false, podFromVeths: false },
  enis: { basis: 'agent', agentRequired: true, ec2Check: true, residual: false, podFromVeths: false },
  full: { basis: 'agent', agentRequired: true, ec2Check: true, residual: true, podFromVeths: true },
};

/** What a cluster of this profile can publish and alarm on: the union over the node profiles it may hold. */
export interface ClusterCapabilities {
  /** The node profiles its nodes can resolve to. */
  readonly nodeProfiles: readonly NodeProfile[];
  readonly ec2Check: boolean;
  readonly residual: boolean;
  readonly podFromVeths: boolean;
  /** Some node may be reconciled from the agent: agent series are discovered and read. */
  readonly readsAgent: boolean;
  /** Every node must have the agent: the coverage alarm. */
  readonly agentRequired: boolean;
}

export function clusterCapabilities(profile: SourceProfile): ClusterCapabilities {
  const nodeProfiles: NodeProfile[] = profile === 'mixed' ? ['agentless', 'enis', 'full'] : [profile];
  const caps = nodeProfiles.map((p) => NODE_PROFILE_CAPABILITIES[p]);
  return {
    nodeProfiles,
    ec2Check: caps.some((c) => c.ec2Check),
    residual: caps.some((c) => c.residual),
    podFromVeths: caps.some((c) => c.podFromVeths),
    readsAgent: caps.some((c) => c.basis === 'agent'),
    agentRequired: caps.every((c) => c.agentRequired),
  };
}

/**
 * The profile one node is reconciled with. `agentClasses`: the classes of the interfaces the node's agent series
 * name (over the whole window read, not one period, so an agent that stops mid-window is a gap, not a change of
 * basis); empty when the node has no agent series at all.
 */
export function nodeProfileOf(cluster: SourceProfile, agentClasses: ReadonlySet<InterfaceClass>): NodeProfile {
  if (cluster !== 'mixed') return cluster;
  if (agentClasses.size === 0) return 'agentless';
  // The agent skips loopback even with `resources: ["*"]` (docs/agent-config.md), so a full agent on a node with no
  // pod veth looks like an ENI-only one: enis keeps the counted-once figure, estimates pods, skips the residual.
  return [...agentClasses].every((c) => c === 'physical') ? 'enis' : 'full';
}

export function isSourceProfile(value: unknown): value is SourceProfile {
  return typeof value === 'string' && (SOURCE_PROFILES as readonly string[]).includes(value);
}

const PROFILE_HINT = `Use one of ${SOURCE_PROFILES.join(', ')} for every cluster, or cluster:profile pairs separated by commas (a bare profile among them is the default for the clusters not named), e.g. full,dev:agentless`;

/**
 * The `sourceProfile` setting, for every cluster: a profile name (all clusters), `cluster:profile` pairs with at
 * most one bare profile as the default for the others (text, as on the command line or in an environment
 * variable), or an object `{ "cluster": "profile", "*": "default" }` (CDK context JSON, construct props).
 * Clusters not named get `fallback`. A named cluster must be one of `clusters`; with `any` (clusters found at run
 * time, `clusters=auto`) any name is taken and the default is kept under `*` for the clusters discovery adds
 * (profileOf).
 */
export function resolveSourceProfiles(
  value: unknown,
  clusters: readonly string[] | 'any',
  fallback: SourceProfile = DEFAULT_SOURCE_PROFILE,
  setting = 'sourceProfile',
): Record<string, SourceProfile> {
  const entries: [cluster: string | '*', profile: unknown][] = [];
  if (value === undefined) entries.push(['*', fallback]);
  else if (typeof value === 'string') {
    for (const item of value.split(',').map((s) => s.trim())) {
      const colon = item.lastIndexOf(':');
      entries.push(colon < 0 ? ['*', item] : [item.slice(0, colon).trim(), item.slice(colon + 1).trim()]);
    }
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [cluster, profile] of Object.entries(value)) entries.push([cluster, profile]);
  } else throw new ConfigError(setting, value, `${PROFILE_HINT}.`);

  let defaultProfile = fallback;
  let defaults = 0;
  const named: Record<string, SourceProfile> = {};
  for (const [cluster, profile] of entries) {
    if (!isSourceProfile(profile)) throw new ConfigError(setting, value, `${JSON.stringify(profile)} is not a source profile. ${PROFILE_HINT}.`);
    if (cluster === '*') {
      if (++defaults > 1) throw new ConfigError(setting, value, `Give at most one profile without a cluster name. ${PROFILE_HINT}.`);
      defaultProfile = profile;
      continue;
    }
    if (clusters !== 'any' && !clusters.includes(cluster)) {
      throw new ConfigError(setting, value, `${JSON.stringify(cluster)} is not one of the clusters (${clusters.join(', ')}). ${PROFILE_HINT}.`);
    }
    if (cluster in named) throw new ConfigError(setting, value, `${JSON.stringify(cluster)} is given twice.`);
    named[cluster] = profile;
  }
  if (clusters === 'any') return { ...named, [ANY_CLUSTER]: defaultProfile };
  return Object.fromEntries(clusters.map((c) => [c, named[c] ?? defaultProfile]));
}

/** The key of the default profile when the clusters are known only at run time; the object form's `*` too. */
export const ANY_CLUSTER = '*';

/** A cluster's profile: its own, else the default kept under `*`, else netrecon's default. */
export function profileOf(profiles: Readonly<Record<string, SourceProfile>>, cluster: string): SourceProfile {
  return profiles[cluster] ?? profiles[ANY_CLUSTER] ?? DEFAULT_SOURCE_PROFILE;
}

/** The canonical text of a resolved setting (the function's environment variable): `cluster:profile,…`. */
export function sourceProfilesText(profiles: Readonly<Record<string, SourceProfile>>): string {
  return Object.entries(profiles)
    .map(([cluster, profile]) => `${cluster}:${profile}`)
    .join(',');
}
