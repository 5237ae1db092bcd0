/** The steps that run the deployed artifact and judge what it published, then tear down and check the network log. */
import { randomUUID } from 'node:crypto';
import { ACCOUNT } from '../lib/sandbox';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../run';
import { teardownSteps } from './deploy-steps';
import { faultSteps } from './fault-steps';
import { finalSteps } from './final-steps';
import { netreconSteps } from './netrecon-steps';

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

export function productSteps(context: SuiteContext): StepDefinition[] {
  return [...netreconSteps(context), ...faultSteps(context), ...teardownSteps(context), ...finalSteps(context)];
}
