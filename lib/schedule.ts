/**
 * One EventBridge rule, one target, one run for every cluster.
 *
 * Why one run for all clusters: the function has reserved concurrency 1 anyway (runs must not overlap), so one
 * target per cluster would only queue N invocations behind each other every interval and multiply retries and
 * failure messages; one run walks the clusters in order and its summary covers them all.
 *
 * Why a scheduled rule rather than EventBridge Scheduler: the handler takes the EventBridge
 * "Scheduled Event" whose `time` is the scheduled time (a late or retried delivery still knows which tick it
 * was); the rule invokes through a resource policy scoped to its own ARN, so there is no extra IAM role; and
 * Scheduler's extras (time zones, one-off schedules, flexible windows) buy nothing for a fixed-rate job that
 * catches up from its high-water mark. Delivery failures to Lambda itself (rare: a missing permission, a
 * deleted function) go to the same queue as failed runs.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ReconcilerScheduleProps {
  readonly fn: lambda.IFunction;
  readonly intervalSeconds: number;
  readonly deliveryFailureQueue: sqs.IQueue;
}

export class ReconcilerSchedule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReconcilerScheduleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: `Runs the netrecon reconciler every ${props.intervalSeconds / 60} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(props.intervalSeconds / 60)),
    });
    this.rule.addTarget(
      new targets.LambdaFunction(props.fn, {
        // EventBridge's own delivery retries; a tick older than an hour is worthless (the next one catches up).
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: props.deliveryFailureQueue,
      }),
    );
  }
}
