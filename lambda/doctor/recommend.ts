/**
 * The source profile doctor recommends: the one netrecon can run with on this cluster as it is now (the deploy
 * command then works today), from the nodes whose agent series are usable. A node's agent is usable when its
 * series carry the instance dimension, are fresh, in Bytes, and are not a pod's eth0. Pure.
 */
import { interfaceClassesOf } from './interface-classes';
import { nodeProfileOf, type NodeProfile, type SourceProfile } from '../core/source-profile';
import type { AgentView } from './agent-view';
import type { AgentDefects } from './checks/agent-health';
import type { DoctorObservations, PromqlCoverage, PromqlRecommendation } from './model';

export interface Recommendation {
  readonly profile: SourceProfile;
  /** What each node resolves to under `mixed` as it publishes now (what a mixed deploy would read). */
  readonly mixedNodeProfiles: ReadonlyMap<string, NodeProfile>;
}

export function recommendProfile(obs: Pick<DoctorObservations, 'nodes' | 'settings'>, agent: AgentView, defects: AgentDefects): Recommendation {
  const mixedNodeProfiles = new Map<string, NodeProfile>();
  const usable: NodeProfile[] = [];
  for (const n of obs.nodes) {
    const a = agent.byInstance.get(n.instanceId);
    const profile = nodeProfileOf('mixed', interfaceClassesOf(a?.interfaces ?? [], obs.settings.rules));
    mixedNodeProfiles.set(n.instanceId, profile);
    const broken = defects.stale.has(n.instanceId) || defects.wrongUnit.has(n.instanceId) || defects.podNetns.get(n.instanceId) === 'certain';
    usable.push(a && !broken ? profile : 'agentless');
  }
  if (usable.length === 0) return { profile: 'mixed', mixedNodeProfiles };
  const first = usable[0]!;
  return { profile: usable.every((p) => p === first) ? first : 'mixed', mixedNodeProfiles };
}

/**
 * With a PromQL source: node_exporter's per-device counters through PromQL in the agent's place, when its series
 * carry every configured label and cover every node (each node's devices resolve to enis or full, as under mixed).
 * Then the agent's `net_bytes_*` series ($0.30 a metric-month each) are not needed: `agentUsdPerMonthNow` is what
 * the nodes' agents publish now. Undefined when the series do not cover the nodes. Pure.
 */
export function recommendWithPromql(obs: Pick<DoctorObservations, 'nodes'>, promql: PromqlCoverage, agentUsdPerMonthNow: number): PromqlRecommendation | undefined {
  if (obs.nodes.length === 0 || promql.labelsMissing.length > 0) return undefined;
  const profiles = obs.nodes.map((n) => promql.nodeProfiles.get(n.instanceId) ?? 'agentless');
  if (profiles.some((p) => p === 'agentless')) return undefined;
  const first = profiles[0]!;
  const profile: SourceProfile = profiles.every((p) => p === first) ? first : 'mixed';
  const saved = Math.round(agentUsdPerMonthNow * 100) / 100;
  return {
    sourceProfile: profile,
    agentUsdPerMonthSaved: saved,
    reason: `node_exporter's series through PromQL (${promql.kind}) cover all ${obs.nodes.length} nodes with the configured labels: deploy ${profile} with the PromQL source for the per-interface counters; no agent net_bytes_* series are needed${saved > 0 ? ` (the nodes' agents publish $${saved.toFixed(2)} a month of them now)` : ''}`,
  };
}
