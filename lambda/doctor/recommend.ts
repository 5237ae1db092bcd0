/**
 * The source profile doctor recommends: the one netrecon can run with on this cluster as it is now (the deploy
 * command then works today), from the nodes whose agent series are usable. A node's agent is usable when its
 * series carry the instance dimension, are fresh, in Bytes, and are not a pod's eth0. Pure.
 */
import { interfaceClassesOf } from './interface-classes';
import { nodeProfileOf, type NodeProfile, type SourceProfile } from '../core/source-profile';
import type { AgentView } from './agent-view';
import type { AgentDefects } from './checks/agent-health';
import type { DoctorObservations } from './model';

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
