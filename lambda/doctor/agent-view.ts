/**
 * The agent's series seen per node: which interfaces each node's agent publishes, under which dimension sets, and
 * the series that name no instance (no `InstanceId`), tied to a node by their `host` dimension where they have one.
 * Pure.
 */
import type { DoctorInstance, DoctorObservations, ListedSeries } from './model';

export interface NodeAgent {
  /** Interfaces of the series that carry the instance dimension (what netrecon's discovery reads). */
  readonly interfaces: Set<string>;
  /** The series with the instance dimension, as listed. */
  readonly series: ListedSeries[];
  /** Dimension names beyond the instance and interface ones, over the node's series. */
  readonly extraDimensions: Set<string>;
  /** Interfaces listed under more than one dimension set for the same metric (netrecon reads one and skips the other). */
  readonly duplicateInterfaces: Set<string>;
}

export interface AgentView {
  readonly byInstance: ReadonlyMap<string, NodeAgent>;
  /** Nodes of the cluster whose agent series lack the instance dimension (matched by `host`), with their series count. */
  readonly withoutInstanceIdByNode: ReadonlyMap<string, number>;
  /** Series without the instance dimension that no node of the cluster could be tied to. */
  readonly unattributedWithoutInstanceId: number;
}

/** `ip-10-0-1-2.ec2.internal` and `ip-10-0-1-2` name the same host: the agent's `host` is the OS hostname. */
const shortName = (name: string): string => name.split('.')[0]!;

export function agentView(obs: Pick<DoctorObservations, 'nodes' | 'agentSeries' | 'settings'>): AgentView {
  const { agentInstanceDimension: idDim, agentInterfaceDimension: ifDim } = obs.settings.sources;
  const nodeIds = new Set(obs.nodes.map((n) => n.instanceId));
  const byHost = new Map<string, DoctorInstance>();
  for (const n of obs.nodes) {
    if (!n.nodeName) continue;
    byHost.set(n.nodeName, n);
    byHost.set(shortName(n.nodeName), n);
  }
  const byInstance = new Map<string, NodeAgent>();
  const setsByInterface = new Map<string, Set<string>>();
  const withoutInstanceIdByNode = new Map<string, number>();
  let unattributed = 0;
  for (const s of obs.agentSeries) {
    const instanceId = s.dimensions[idDim];
    if (instanceId === undefined) {
      const host = s.dimensions.host;
      const node = host === undefined ? undefined : (byHost.get(host) ?? byHost.get(shortName(host)));
      if (node) withoutInstanceIdByNode.set(node.instanceId, (withoutInstanceIdByNode.get(node.instanceId) ?? 0) + 1);
      else unattributed++;
      continue;
    }
    if (!nodeIds.has(instanceId)) continue;
    const iface = s.dimensions[ifDim];
    if (iface === undefined) continue;
    let agent = byInstance.get(instanceId);
    if (!agent) byInstance.set(instanceId, (agent = { interfaces: new Set(), series: [], extraDimensions: new Set(), duplicateInterfaces: new Set() }));
    agent.interfaces.add(iface);
    agent.series.push(s);
    const names = Object.keys(s.dimensions).sort();
    for (const name of names) if (name !== idDim && name !== ifDim) agent.extraDimensions.add(name);
    const key = `${instanceId}\u0000${s.metricName}\u0000${iface}`;
    const sets = setsByInterface.get(key) ?? new Set<string>();
    sets.add(names.join('\u0001'));
    setsByInterface.set(key, sets);
    if (sets.size > 1) agent.duplicateInterfaces.add(iface);
  }
  return { byInstance, withoutInstanceIdByNode, unattributedWithoutInstanceId: unattributed };
}
