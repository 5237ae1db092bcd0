/**
 * EC2 monitoring per node: basic monitoring publishes NetworkIn/NetworkOut every 5 minutes, detailed every minute.
 * A reconciliation period shorter than 300 s needs detailed monitoring on every node, or EC2 looks partial in most
 * periods of the basic ones (lambda/plan/sources.ts, queryPeriodSeconds). Pure.
 */
import type { Check } from '../model';
import { check, nodesText, nodesVerb, type CheckContext } from './context';

export function ec2Monitoring(ctx: CheckContext): Check {
  const nodes = ctx.obs.nodes;
  const detailed = nodes.filter((n) => n.monitoring === 'enabled');
  const basic = nodes.filter((n) => n.monitoring !== 'enabled');
  const P = ctx.obs.settings.periodSeconds;
  if (basic.length === 0) {
    return check('ec2-monitoring', 'pass', `detailed (1-minute) monitoring on every node: the default periodSeconds ${P} works, and -c periodSeconds=60 would too (5 times the reads)`);
  }
  if (detailed.length === 0) {
    return check('ec2-monitoring', P >= 300 ? 'pass' : 'fail', `basic (5-minute) monitoring on every node: periodSeconds must stay 300 or more (now ${P}), the default`, P >= 300 ? [] : basic.map((n) => n.instanceId), P >= 300 ? undefined : { text: 'Keep periodSeconds at 300 (the default), or enable detailed monitoring on these nodes.', cdkFlags: '-c periodSeconds=300' });
  }
  return check(
    'ec2-monitoring',
    'warn',
    `${nodesVerb(basic.length, 'have')} basic (5-minute) monitoring and ${nodesText(detailed.length)} detailed: periodSeconds must stay 300 or more (the default) unless every node has detailed monitoring`,
    basic.map((n) => n.instanceId),
    {
      text: 'Nothing to do at the default periodSeconds 300. For 60-second periods, enable detailed monitoring on these nodes (in their launch template, so new nodes have it too).',
      command: `aws ec2 monitor-instances --instance-ids ${basic.slice(0, 20).map((n) => n.instanceId).join(' ')}${basic.length > 20 ? ' …' : ''}`,
    },
  );
}
