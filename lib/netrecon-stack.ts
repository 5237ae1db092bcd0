/** The stack the app deploys: one NetworkReconciler and the outputs an operator looks for first. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { NetworkReconciler } from './network-reconciler';
import type { NetworkReconcilerProps } from './props';

export interface NetReconStackProps extends StackProps {
  readonly reconciler: NetworkReconcilerProps;
  /** An existing SNS topic for the alarms, imported by ARN (the app's `-c alarmTopicArn=`). */
  readonly alarmTopicArn?: string | undefined;
}

export class NetReconStack extends Stack {
  readonly reconciler: NetworkReconciler;

  constructor(scope: Construct, id: string, props: NetReconStackProps) {
    const { reconciler: _reconciler, alarmTopicArn: _alarmTopicArn, ...stackProps } = props;
    super(scope, id, {
      description: 'netrecon: reconciles EKS node network metrics (EC2, Container Insights, per-interface agent counters)',
      ...stackProps,
    });
    const alarmTopic = props.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : props.reconciler.alarmTopic;
    this.reconciler = new NetworkReconciler(this, 'NetworkReconciler', { ...props.reconciler, alarmTopic });

    new CfnOutput(this, 'FunctionName', { value: this.reconciler.function.functionName, description: 'Invoke with {"start": ISO, "end": ISO} to backfill' });
    new CfnOutput(this, 'FailedInvocationsQueueUrl', { value: this.reconciler.failureQueue.queueUrl });
    new CfnOutput(this, 'LedgerTableName', { value: this.reconciler.ledgerTable.tableName, description: 'netrecon reconcile --cluster C --ledger-table THIS: publish from the CLI under the same lease as the function' });
    new CfnOutput(this, 'DashboardName', { value: this.reconciler.dashboard.dashboardName });
    if (this.reconciler.alarmTopic) new CfnOutput(this, 'AlarmTopicArn', { value: this.reconciler.alarmTopic.topicArn });
  }
}
