/**
 * The L3 construct: a scheduled reconciler Lambda with least-privilege IAM, per-cluster alarms behind one
 * composite alarm each, and a dashboard. Props are validated (lib/props.ts) before anything is created.
 */
import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ReconcilerAlarms, type ClusterAlarms } from './alarms';
import { ReconcilerDashboard } from './dashboard';
import { resolveSettings, type NetworkReconcilerProps, type ReconcilerSettings } from './props';
import { ReconcilerFunction } from './reconciler-function';
import { ReconcilerSchedule } from './schedule';
import { AUTO_CLUSTERS } from '../lambda/plan/cluster-selection';

export class NetworkReconciler extends Construct {
  /** The props with defaults filled in, as deployed. */
  readonly settings: ReconcilerSettings;
  readonly function: lambda.IFunction;
  readonly failureQueue: sqs.IQueue;
  /** The ledger store's table (lease and put records): the CLI's --ledger-table. */
  readonly ledgerTable: dynamodb.Table;
  readonly alarms: ReadonlyMap<string, ClusterAlarms>;
  readonly functionErrorsAlarm: cw.IAlarm;
  readonly alarmTopic: sns.ITopic | undefined;
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: NetworkReconcilerProps) {
    super(scope, id);
    this.settings = resolveSettings(props);

    for (const { prop, use } of this.settings.deprecatedProps) {
      Annotations.of(this).addWarningV2(`netrecon:deprecated-${prop}`, `The prop ${prop} is deprecated: use ${use} (same setting, a plain number in its unit).`);
    }

    if (this.settings.clusters === AUTO_CLUSTERS) {
      Annotations.of(this).addInfo(
        'clusters=auto: the function lists the clusters each run, so this stack has no per-cluster alarms nor dashboard sections; one composite alarm (the function failed or did not run) notifies instead (docs/aws.md, "Clusters from discovery").',
      );
    }

    const fn = new ReconcilerFunction(this, 'Reconciler', { settings: this.settings });
    this.function = fn.function;
    this.failureQueue = fn.failureQueue;
    this.ledgerTable = fn.ledgerTable;

    new ReconcilerSchedule(this, 'Schedule', {
      fn: fn.function,
      intervalSeconds: this.settings.scheduleMinutes * 60,
      deliveryFailureQueue: fn.failureQueue,
    });

    const alarms = new ReconcilerAlarms(this, 'Alarms', { settings: this.settings, fn: fn.function });
    this.alarms = alarms.clusters;
    this.functionErrorsAlarm = alarms.functionErrors;
    this.alarmTopic = alarms.topic;
    if (!this.alarmTopic) {
      Annotations.of(this).addWarningV2(
        'netrecon:noAlarmAction',
        'No alarm action: the composite alarms only change state. Set alarmEmail or alarmTopic (-c alarmEmail=... or -c alarmTopicArn=...) to be notified.',
      );
    }

    this.dashboard = new ReconcilerDashboard(this, 'Dashboard', {
      settings: this.settings,
      alarms: alarms.clusters,
      functionErrors: alarms.functionErrors,
    }).dashboard;
  }
}
