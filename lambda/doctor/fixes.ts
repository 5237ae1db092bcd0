/**
 * The exact commands a doctor check names as its fix: the deploy line, the node filter flag and the agent
 * configuration command (`netrecon agent-config`, docs/doctor.md). Pure text.
 */
import { agentConfig } from '../agent-config/agent-config';
import type { SourceProfile } from '../core/source-profile';

/** The node filter every setting defaults to (lambda/settings.ts): a deploy without -c nodeFilter uses it. */
export const DEFAULT_NODE_FILTER = 'tag:eks:cluster-name';
/** The other tag convention, as a node filter: self-managed nodes, Karpenter and most provisioners set it. */
export const K8S_TAG_NODE_FILTER = 'tag-key:kubernetes.io/cluster/{cluster}';

/** Where the agent runs, for `netrecon agent-config --for`: on the instance, or as the EKS add-on. */
export type AgentTarget = 'ec2' | 'addon';

/** `-c nodeFilter=…`, quoted for a POSIX shell when it needs it; empty for the default filter. */
export function nodeFilterFlag(filter: string): string {
  if (filter === DEFAULT_NODE_FILTER) return '';
  return `-c nodeFilter=${/^[A-Za-z0-9:/._{}-]+$/.test(filter) ? filter : `'${filter.replaceAll("'", "'\\''")}'`}`;
}

export function deployCommand(cluster: string, profile: SourceProfile, nodeFilter: string): string {
  const flags = [`-c clusters=${cluster}`, `-c sourceProfile=${profile}`, nodeFilterFlag(nodeFilter)].filter(Boolean);
  return `npx cdk deploy ${flags.join(' ')}`;
}

export function agentConfigCommand(profile: 'enis' | 'full', target: AgentTarget): string {
  return `netrecon agent-config --source-profile ${profile} --for ${target}`;
}

/**
 * An agent fix: the command, and what it prints, so the JSON report (`fix.agentConfig`) carries the configuration
 * itself; the table names only the command, the JSON being a screen long.
 */
export function agentConfigFix(profile: 'enis' | 'full', target: AgentTarget): { command: string; agentConfig: Record<string, unknown> } {
  return { command: agentConfigCommand(profile, target), agentConfig: agentConfig(profile, target) };
}

/** The agent profile a fix configures: the one judged when it reads the agent, else the cheaper ENI-only one. */
export function agentProfileFor(judged: SourceProfile, nodeInterfacesAreAll = false): 'enis' | 'full' {
  if (judged === 'full' || judged === 'enis') return judged;
  return nodeInterfacesAreAll ? 'full' : 'enis';
}

/** A node filter as a person reads it: `tag:eks:cluster-name=prod`, `tag-key kubernetes.io/cluster/prod`. */
export function filterDescription(filter: string, cluster: string): string {
  if (filter.startsWith('tag-key:')) return `tag-key ${filter.slice('tag-key:'.length).replaceAll('{cluster}', cluster)}`;
  return `${filter}=${cluster}`;
}

/** The tag the node filter looks for, for the report's `nodes.tag`: `eks:cluster-name`, `kubernetes.io/cluster/prod`. */
export function filterTag(filter: string, cluster: string): string {
  return filter.replace(/^tag(-key)?:/, '').replaceAll('{cluster}', cluster);
}
