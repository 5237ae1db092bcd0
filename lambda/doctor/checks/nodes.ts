/**
 * Nodes found, and instances that carry only the other cluster tag convention (`eks:cluster-name` on EKS managed
 * node groups, `kubernetes.io/cluster/NAME` on self-managed nodes, Karpenter and other provisioners). Pure.
 */
import { DEFAULT_NODE_FILTER, filterDescription, K8S_TAG_NODE_FILTER, nodeFilterFlag } from '../fixes';
import type { Check, DoctorInstance } from '../model';
import { check, nodesText, nodesVerb, type CheckContext } from './context';

export function nodesFound(ctx: CheckContext): Check {
  const { obs } = ctx;
  const by = filterDescription(obs.settings.nodeFilter, obs.cluster);
  if (obs.nodes.length === 0) {
    return check('nodes-found', 'fail', `no running instance matches ${by}: check the cluster name, the Region and the node filter`, [], {
      text: obs.otherConvention.length > 0 ? 'Use the node filter of nodes-other-tag.' : `No instance carries eks:cluster-name=${obs.cluster} or the tag key kubernetes.io/cluster/${obs.cluster} in ${obs.region}: check the cluster name and --region.`,
    });
  }
  return check('nodes-found', 'pass', `${nodesVerb(obs.nodes.length, 'match')} ${by}`);
}

/** The one filter that finds every instance of both conventions, or null when no tag is on all of them. */
function filterForAll(all: readonly DoctorInstance[]): string | null {
  if (all.every((n) => n.k8sTag)) return K8S_TAG_NODE_FILTER;
  if (all.every((n) => n.eksTag)) return DEFAULT_NODE_FILTER;
  return null;
}

export function nodesOtherTag(ctx: CheckContext): Check {
  const { obs } = ctx;
  const others = obs.otherConvention;
  if (others.length === 0) return check('nodes-other-tag', 'pass', 'no instance carries only the other cluster tag convention');
  const all = [...obs.nodes, ...others];
  const filter = filterForAll(all);
  const ids = others.map((n) => n.instanceId);
  const summary = `${nodesVerb(others.length, 'carry')} a tag of cluster ${obs.cluster} but ${others.length === 1 ? 'does' : 'do'} not match the node filter ${obs.settings.nodeFilter}; netrecon would not see them`;
  if (filter !== null) {
    const flag = nodeFilterFlag(filter);
    return check('nodes-other-tag', 'fail', summary, ids, {
      text: `Deploy with the node filter ${filter}, which every instance of the cluster matches${flag ? '' : ' (the default)'}; on the CLI, --node-filter ${filter}.`,
      cdkFlags: flag || '-c nodeFilter=tag:eks:cluster-name',
    });
  }
  const missing = all.filter((n) => !n.k8sTag).map((n) => n.instanceId);
  return check('nodes-other-tag', 'fail', summary, ids, {
    text: `No single tag is on every instance of the cluster. Tag the ${nodesText(missing.length)} without it (or their launch template) with kubernetes.io/cluster/${obs.cluster}=owned, then deploy with -c nodeFilter=${K8S_TAG_NODE_FILTER}.`,
    command: `aws ec2 create-tags --resources ${missing.slice(0, 20).join(' ')}${missing.length > 20 ? ' …' : ''} --tags Key=kubernetes.io/cluster/${obs.cluster},Value=owned`,
    cdkFlags: nodeFilterFlag(K8S_TAG_NODE_FILTER),
  });
}
