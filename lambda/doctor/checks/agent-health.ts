/**
 * Whether the agent series netrecon would read are usable: fresh, in Bytes, collected in the host's network
 * namespace, and made of interface names the rules classify. Pure.
 */
import { classifyInterface } from '../../core/interface-rules';
import { agentConfigFix, agentProfileFor } from '../fixes';
import type { Check } from '../model';
import { agentDefectSeverity, check, FRESH_SECONDS, nodesText, nodesVerb, type CheckContext } from './context';

export interface AgentDefects {
  readonly stale: Set<string>;
  readonly wrongUnit: Set<string>;
  /** Nodes whose agent sees only eth0 while the node runs pods: `certain` when it must have seen more, `possible` otherwise. */
  readonly podNetns: Map<string, 'certain' | 'possible'>;
}

const nonLoopback = (names: Iterable<string>): string[] => [...names].filter((n) => n !== 'lo');

export function agentDefects(ctx: Pick<CheckContext, 'obs' | 'agent'>): AgentDefects {
  const stale = new Set<string>();
  const wrongUnit = new Set<string>();
  const podNetns = new Map<string, 'certain' | 'possible'>();
  const byId = new Map(ctx.obs.nodes.map((n) => [n.instanceId, n]));
  for (const [id, agent] of ctx.agent.byInstance) {
    const probe = ctx.obs.probes.get(id);
    const last = probe?.agentLastSeconds;
    if (last === null || last === undefined || last < ctx.obs.nowSeconds - FRESH_SECONDS) stale.add(id);
    else if (probe?.agentBytesUnit === false) wrongUnit.add(id);
    const seen = nonLoopback(agent.interfaces);
    const pods = probe?.runningPods;
    if (seen.length === 1 && seen[0] === 'eth0' && typeof pods === 'number' && pods > 0) {
      // An agent collecting every interface on the host sees lo and a veth per pod; one collecting the ENIs sees
      // every attached ENI. Seeing lo but no veth, or one ENI of several, is a pod's namespace for sure; seeing eth0
      // alone on a one-ENI node is also what an ENI-only agent on the host shows.
      const certain = agent.interfaces.has('lo') || (byId.get(id)?.eniCount ?? 0) > 1;
      podNetns.set(id, certain ? 'certain' : 'possible');
    }
  }
  return { stale, wrongUnit, podNetns };
}

export function agentPodNetns(ctx: CheckContext, defects: AgentDefects): Check {
  const ids = [...defects.podNetns.keys()];
  if (ids.length === 0) return check('agent-pod-netns', 'pass', 'no agent sees only eth0 on a node that runs pods');
  const certain = ids.filter((id) => defects.podNetns.get(id) === 'certain');
  const fix = {
    text: 'Run the agent in the host\'s network namespace: on the node itself (systemd), or as a DaemonSet with hostNetwork: true (the CloudWatch Observability add-on does this). An agent in a pod\'s network namespace counts that pod\'s eth0, not the node\'s ENIs.',
    ...agentConfigFix(agentProfileFor(ctx.judged, true), ctx.agentTarget),
  };
  if (certain.length > 0) {
    return check('agent-pod-netns', agentDefectSeverity(ctx), `the agent on ${nodesText(certain.length)} sees only eth0 (no pod veth, no other ENI) although the node runs pods: it runs in a pod's network namespace, and netrecon would take that pod's traffic for the node's`, certain, fix);
  }
  return check('agent-pod-netns', 'warn', `the agent on ${nodesText(ids.length)} sees only eth0 on a one-ENI node that runs pods: expected of an agent collecting the ENIs only (profile enis), a pod's network namespace if it is meant to collect every interface`, ids, fix);
}

export function agentStale(ctx: CheckContext, defects: AgentDefects): Check {
  const ids = [...defects.stale];
  if (ids.length === 0) return check('agent-stale', 'pass', `every node's agent series has a datapoint in the last ${FRESH_SECONDS / 60} minutes`);
  return check('agent-stale', agentDefectSeverity(ctx), `${nodesVerb(ids.length, 'have')} agent series but no datapoint in the last ${FRESH_SECONDS / 60} minutes: the agent stopped, or cannot publish`, ids, {
    text: 'Check the agent on these nodes (systemctl status amazon-cloudwatch-agent, or its pod\'s logs) and that the nodes\' role has CloudWatchAgentServerPolicy.',
  });
}

export function agentUnits(ctx: CheckContext, defects: AgentDefects): Check {
  const ids = [...defects.wrongUnit];
  if (ids.length === 0) return check('agent-units', 'pass', 'every probed agent series is in Bytes');
  return check('agent-units', agentDefectSeverity(ctx), `the agent on ${nodesText(ids.length)} publishes net_bytes in a unit other than Bytes: netrecon adds them up as bytes, so every figure would be off`, ids, {
    text: 'Remove the "unit" override of bytes_recv / bytes_sent from the agent\'s net section (the agent publishes Bytes by default).',
    ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget),
  });
}

export function agentUnclassifiedInterfaces(ctx: CheckContext): Check {
  const rules = ctx.obs.settings.rules;
  const names = new Map<string, string[]>();
  for (const [id, agent] of ctx.agent.byInstance) {
    for (const name of agent.interfaces) {
      if (classifyInterface(name, rules).interfaceClass !== 'unknown') continue;
      const list = names.get(name) ?? [];
      list.push(id);
      names.set(name, list);
    }
  }
  if (names.size === 0) return check('agent-unclassified-interfaces', 'pass', 'every interface name the agent publishes is classified by a rule');
  const sorted = [...names.keys()].sort();
  const shown = sorted.slice(0, 10).map((n) => JSON.stringify(n)).join(', ');
  const ids = new Set([...names.values()].flat());
  const example = JSON.stringify({ prepend: [{ pattern: `^${sorted[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, interfaceClass: 'physical', note: 'why' }] });
  return check(
    'agent-unclassified-interfaces',
    'warn',
    `${sorted.length} interface name${sorted.length === 1 ? '' : 's'} no rule classifies (${shown}${sorted.length > 10 ? ', …' : ''}): their bytes count as unknown and fall into the residual`,
    ids,
    {
      text: 'Add a rule saying what each interface carries (physical, podVeth, overlay, bridge or loopback); check with netrecon rules --rules FILE NAME.',
      cdkFlags: `-c interfaceRules='${example}'`,
    },
  );
}
