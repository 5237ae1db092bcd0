/**
 * Whether each node's agent publishes `net_bytes_*` series netrecon can read: present at all, tied to the node by
 * the instance dimension, and without dimensions beyond the instance and the interface. Pure.
 */
import { clusterCapabilities } from '../../core/source-profile';
import { agentConfigFix, agentProfileFor } from '../fixes';
import type { Check } from '../model';
import { agentDefectSeverity, check, nodesText, nodesVerb, type CheckContext } from './context';

/** Nodes with any agent series, tied by the instance dimension or by `host`. */
function nodesWithAnyAgent(ctx: CheckContext): Set<string> {
  return new Set([...ctx.agent.byInstance.keys(), ...ctx.agent.withoutInstanceIdByNode.keys()]);
}

export function agentMissing(ctx: CheckContext): Check {
  const any = nodesWithAnyAgent(ctx);
  const missing = ctx.obs.nodes.filter((n) => !any.has(n.instanceId)).map((n) => n.instanceId);
  const metrics = `${ctx.obs.settings.sources.agentRxMetric}/${ctx.obs.settings.sources.agentTxMetric}`;
  if (missing.length === 0) return check('agent-missing', 'pass', `every node's agent publishes ${metrics}`);
  const required = clusterCapabilities(ctx.judged).agentRequired;
  const profile = agentProfileFor(ctx.judged);
  const summary = `${nodesVerb(missing.length, 'publish')} no agent ${metrics} series` +
    (required ? `; the ${ctx.judged} profile requires the agent on every node` : `; under the ${ctx.judged} profile they are reconciled from EC2 and Container Insights`);
  return check('agent-missing', required ? 'fail' : 'warn', summary, missing, {
    text: `To reconcile them from their own interface counters, configure the CloudWatch agent's net plugin (profile ${profile}; the ${profile === 'enis' ? 'cheaper: ENIs only' : 'complete: every interface'}) with the configuration this command prints.`,
    ...agentConfigFix(profile, ctx.agentTarget),
  });
}

export function agentNoInstanceId(ctx: CheckContext): Check {
  const dim = ctx.obs.settings.sources.agentInstanceDimension;
  const tied = [...ctx.agent.withoutInstanceIdByNode.keys()];
  const any = nodesWithAnyAgent(ctx);
  const nodesWithout = ctx.obs.nodes.filter((n) => !any.has(n.instanceId)).length;
  const fix = {
    text: `Add "append_dimensions": {"${dim}": "\${aws:InstanceId}"} to the agent's metrics section (and "omit_hostname": true), as the configuration this command prints does.`,
    ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget),
  };
  if (tied.length > 0) {
    // Unread series make a node missingAgent only where the profile requires the agent; elsewhere the node is
    // reconciled from EC2, right but without its counters, and the series are paid for (docs/doctor.md).
    const required = clusterCapabilities(ctx.judged).agentRequired;
    const consequence = required ? `; the ${ctx.judged} profile requires the agent, so these nodes would be missingAgent` : `; under the ${ctx.judged} profile they are reconciled from EC2, and their agent's series are paid for but unread`;
    return check('agent-no-instance-id', required ? 'fail' : 'warn', `the agent on ${nodesText(tied.length)} publishes net_bytes series without the ${dim} dimension (matched to the nodes by host): netrecon cannot tie them to a node and does not read them${consequence}`, tied, fix);
  }
  const loose = ctx.agent.unattributedWithoutInstanceId;
  if (loose > 0 && nodesWithout > 0) {
    return check('agent-no-instance-id', 'warn', `${loose.toLocaleString('en-US')} agent net_bytes series in the account have no ${dim} dimension and no host of this cluster; if they are this cluster's ${nodesText(nodesWithout)} without agent series, their agent lacks ${dim}`, [], fix);
  }
  return check('agent-no-instance-id', 'pass', `every agent series of the cluster's nodes carries the ${dim} dimension`);
}

export function agentExtraDimensions(ctx: CheckContext): Check {
  const { agentInstanceDimension: idDim, agentInterfaceDimension: ifDim } = ctx.obs.settings.sources;
  const extra = [...ctx.agent.byInstance].filter(([, a]) => a.extraDimensions.size > 0);
  if (extra.length === 0) return check('agent-extra-dimensions', 'pass', `every agent series has exactly the dimensions ${idDim} and ${ifDim}`);
  const names = [...new Set(extra.flatMap(([, a]) => [...a.extraDimensions]))].sort();
  const duplicated = extra.filter(([, a]) => a.duplicateInterfaces.size > 0);
  const fix = {
    text: `Publish ${idDim} and ${ifDim} only: "omit_hostname": true drops host, and append_dimensions should hold ${idDim} alone; remove aggregation_dimensions from the net section.`,
    ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget),
  };
  if (duplicated.length > 0) {
    const example = [...duplicated[0]![1].duplicateInterfaces][0]!;
    return check(
      'agent-extra-dimensions',
      agentDefectSeverity(ctx),
      `the agent on ${nodesText(duplicated.length)} publishes the same interface under more than one dimension set (e.g. ${example}; extra dimensions: ${names.join(', ')}): netrecon reads one series per interface and reports the others skipped on every run`,
      duplicated.map(([id]) => id),
      fix,
    );
  }
  return check(
    'agent-extra-dimensions',
    'warn',
    `the agent on ${nodesText(extra.length)} adds dimensions beyond ${idDim} and ${ifDim} (${names.join(', ')}): netrecon reads them as they are, but a dimension whose value changes (host after a rename, an image id after an update) starts new series, each a paid custom metric`,
    extra.map(([id]) => id),
    fix,
  );
}
