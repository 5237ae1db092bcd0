import { randomUUID } from 'node:crypto';
import { ACCOUNT } from './sandbox';

/** An EventBridge scheduled event, as the rule delivers it (EventBridge user guide, "Scheduled events"). */
export function scheduledEvent(region: string, ruleArn = `arn:aws:events:${region}:${ACCOUNT}:rule/netrecon-e2e`): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [ruleArn],
    detail: {},
  };
}
