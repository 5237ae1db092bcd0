import { describe, expect, it } from 'vitest';
import { Duration } from 'aws-cdk-lib';
import { onlyResource, synthStack } from './support';

describe('the schedule', () => {
  const { template } = synthStack({ clusters: ['prod-eu', 'prod-us', 'staging'] });

  it('is one rule with one target for every cluster, every 5 minutes by default', () => {
    const fn = onlyResource(template, 'AWS::Lambda::Function');
    const queue = onlyResource(template, 'AWS::SQS::Queue');
    const rule = onlyResource(template, 'AWS::Events::Rule');
    expect(rule.props.ScheduleExpression).toBe('rate(5 minutes)');
    expect(rule.props.State).toBe('ENABLED');
    expect(rule.props.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: { 'Fn::GetAtt': [fn.id, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
      },
    ]);
    // No Input: the function receives EventBridge's own "Scheduled Event", whose time is the tick's.
    expect(rule.props.Targets[0].Input).toBeUndefined();
  });

  it('follows the scheduleInterval prop', () => {
    expect(onlyResource(synthStack({ scheduleInterval: Duration.minutes(15) }).template, 'AWS::Events::Rule').props.ScheduleExpression).toBe('rate(15 minutes)');
    expect(onlyResource(synthStack({ scheduleInterval: Duration.minutes(1) }).template, 'AWS::Events::Rule').props.ScheduleExpression).toBe('rate(1 minute)');
    expect(onlyResource(synthStack({ scheduleInterval: Duration.hours(1) }).template, 'AWS::Events::Rule').props.ScheduleExpression).toBe('rate(1 hour)');
  });
});
