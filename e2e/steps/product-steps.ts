/** The steps that run the deployed artifact and judge what it published, then tear down and check the network log. */
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';
import { teardownSteps } from './deploy-steps';
import { faultSteps } from './fault-steps';
import { finalSteps } from './final-steps';
import { netreconSteps } from './netrecon-steps';
import { centralSteps } from './central-steps';
import { discoverySteps } from './discovery-steps';

export function productSteps(context: SuiteContext): StepDefinition[] {
  return [...netreconSteps(context), ...discoverySteps(context), ...faultSteps(context), ...centralSteps(context), ...teardownSteps(context), ...finalSteps(context)];
}
