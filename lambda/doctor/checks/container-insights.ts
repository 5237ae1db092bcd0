/**
 * Container Insights per node: its node_network_total_bytes series exists under the dimension set netrecon reads
 * (ClusterName, InstanceId, NodeName = the instance's private DNS name) and has a datapoint in the last 15
 * minutes. Every profile needs it: it is the figure netrecon explains. Pure.
 */
import { DIMENSION } from '../../output-metrics';
import type { Check } from '../model';
import { check, FRESH_SECONDS, nodesVerb, type CheckContext } from './context';

const ADD_ON_FIX =
  'Install the Amazon CloudWatch Observability EKS add-on (aws eks create-addon --cluster-name CLUSTER --addon-name amazon-cloudwatch-observability) ' +
  'or the CloudWatch agent DaemonSet with Container Insights, and give the nodes\' role CloudWatchAgentServerPolicy.';

/** Instance id -> the dimension sets its listed series carry, as `Name=Value` lists. */
function listedByInstance(ctx: CheckContext): Map<string, Readonly<Record<string, string>>[]> {
  const out = new Map<string, Readonly<Record<string, string>>[]>();
  for (const s of ctx.obs.containerInsightsSeries) {
    const id = s.dimensions[DIMENSION.instanceId];
    if (id === undefined) continue;
    const list = out.get(id) ?? [];
    list.push(s.dimensions);
    out.set(id, list);
  }
  return out;
}

/** Whether the node has the series netrecon reads: exactly ClusterName, InstanceId and NodeName = its DNS name. */
export function containerInsightsAddressable(ctx: CheckContext): Set<string> {
  const listed = listedByInstance(ctx);
  const ok = new Set<string>();
  for (const n of ctx.obs.nodes) {
    const sets = listed.get(n.instanceId) ?? [];
    if (n.nodeName && sets.some((d) => Object.keys(d).length === 3 && d[DIMENSION.cluster] === ctx.obs.cluster && d[DIMENSION.nodeName] === n.nodeName)) ok.add(n.instanceId);
  }
  return ok;
}

export function containerInsightsMissing(ctx: CheckContext): Check {
  const listed = listedByInstance(ctx);
  const ok = containerInsightsAddressable(ctx);
  const missing = ctx.obs.nodes.filter((n) => !ok.has(n.instanceId));
  const metric = ctx.obs.settings.sources.containerInsightsMetric;
  if (missing.length === 0) {
    return check('container-insights-missing', 'pass', `every node has ${metric} with the dimension set ClusterName, InstanceId, NodeName`);
  }
  const otherDims = missing.filter((n) => (listed.get(n.instanceId) ?? []).length > 0);
  const noName = missing.filter((n) => !n.nodeName);
  const parts = [`${nodesVerb(missing.length, 'have')} no ${metric} series under ClusterName=${ctx.obs.cluster}, InstanceId, NodeName=<private DNS name>`];
  if (otherDims.length > 0) {
    const example = listed.get(otherDims[0]!.instanceId)![0]!;
    parts.push(`${otherDims.length} of them publish${otherDims.length === 1 ? 'es' : ''} it under another dimension set (e.g. ${Object.entries(example).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  }
  if (noName.length > 0) parts.push(`${nodesVerb(noName.length, 'have')} no private DNS name in EC2`);
  return check('container-insights-missing', 'fail', parts.join('; '), missing.map((n) => n.instanceId), {
    text: otherDims.length > 0
      ? 'Container Insights names nodes by their Kubernetes node name; netrecon addresses them by the instance\'s private DNS name. Use node names equal to the private DNS name (the EKS default), or run the add-on on these nodes.'
      : ADD_ON_FIX.replace('CLUSTER', ctx.obs.cluster),
  });
}

export function containerInsightsStale(ctx: CheckContext): Check {
  const ok = containerInsightsAddressable(ctx);
  const now = ctx.obs.nowSeconds;
  const stale = [...ok].filter((id) => {
    const last = ctx.obs.probes.get(id)?.containerInsightsLastSeconds;
    return last === null || last === undefined || last < now - FRESH_SECONDS;
  });
  if (stale.length === 0) return check('container-insights-stale', 'pass', `every node's Container Insights series has a datapoint in the last ${FRESH_SECONDS / 60} minutes`);
  return check('container-insights-stale', 'fail', `${nodesVerb(stale.length, 'have')} a Container Insights series but no datapoint in the last ${FRESH_SECONDS / 60} minutes`, stale, {
    text: 'Check the CloudWatch agent pods of the add-on on these nodes (kubectl -n amazon-cloudwatch get pods -o wide) and their logs; a node that is shutting down stops publishing too.',
  });
}
