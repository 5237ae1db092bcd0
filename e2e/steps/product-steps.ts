/**
 * The steps that run the deployed artifact and judge what it published. Until netrecon's app and handler are
 * on this branch, the stand-in's artifact is run instead and the netrecon-specific checks are skipped, saying so.
 */
import { randomUUID } from 'node:crypto';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { invokeDeployed } from '../lib/artifact';
import { ACCOUNT } from '../lib/sandbox';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../run';
import { teardownSteps } from './deploy-steps';
import { finalSteps } from './final-steps';
import { missingProduct, netreconSteps } from './netrecon-steps';

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

function standInSteps(context: SuiteContext): StepDefinition[] {
  return [
    {
      title: 'Run the STAND-IN\'s deployed artifact with a scheduled event and read its metric back (phase 1)',
      run: async (figures) => {
        const fn = context.deployed!.fn!;
        const event = scheduledEvent(context.sandbox!.region);
        const invoked = await invokeDeployed(context.sandbox!, fn, event, { workDir: context.workDir, label: 'stand-in' });
        const first = invoked.invocations[0]!;
        if (!first.ok) throw new Error(`the stand-in handler failed: ${first.errorType}: ${first.errorMessage} (log ${invoked.logPath})`);
        const result = first.result as { nodes: number; at: string; cluster: string };
        const tagged = context.seed!.model.nodes.filter((n) => n.cluster === context.seed!.model.cluster).length;
        const answer = await context.clients!.cloudwatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(result.at),
            EndTime: new Date(Date.parse(result.at) + 300_000),
            MetricDataQueries: [
              {
                Id: 'n',
                MetricStat: { Metric: { Namespace: 'NetReconE2eStandIn', MetricName: 'TaggedNodes', Dimensions: [{ Name: 'ClusterName', Value: result.cluster }] }, Period: 300, Stat: 'Maximum' },
              },
            ],
          }),
        );
        const readBack = answer.MetricDataResults?.[0]?.Values?.[0];
        figures.emitted = 1;
        figures.compared = 2;
        figures.notes.push(
          `init ${invoked.initMs.toFixed(0)} ms, invoke ${first.ms.toFixed(0)} ms; handler counted ${result.nodes} tagged instances, read back ${readBack}`,
        );
        if (result.nodes !== tagged || readBack !== tagged) throw new Error(`expected ${tagged} tagged instances, handler said ${result.nodes}, read back ${readBack}`);
      },
    },
  ];
}

export function productSteps(context: SuiteContext): StepDefinition[] {
  // Phase 1 (netrecon's app or handler not on this branch yet): the stand-in runs, netrecon's steps show as skipped.
  const standIn = missingProduct(context) ? standInSteps(context) : [];
  return [...standIn, ...netreconSteps(context), ...teardownSteps(context), ...finalSteps(context)];
}
