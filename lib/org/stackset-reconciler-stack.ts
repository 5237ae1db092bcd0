/**
 * The reconciler as one template for every account and region of an organization (docs/organization.md). What
 * differs between accounts is not known when the template is synthesized, so it is read when the stack is
 * created: the cluster list is the `Clusters` parameter, `auto` by default (the function lists the account's EKS
 * clusters itself, optionally only those with the `ClusterTag` tag), and the source profile one profile for all
 * clusters. The function, its schedule, failure queue and error alarm are the per-account stack's
 * (lib/reconciler-function.ts, lib/schedule.ts); per-cluster alarms and the dashboard live in the central view
 * (lib/org/central-view-stack.ts), which knows the accounts and clusters.
 *
 * Deployed two ways: by a StackSet (StackSetCodeSynthesizer, code from the administrator account's per-region
 * buckets) or, to try it in one account first, with `cdk deploy` like any stack (the default synthesizer).
 */
import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { SOURCE_PROFILES } from '../../lambda/core/source-profile';
import { AUTO_CLUSTERS } from '../../lambda/plan/cluster-selection';
import { RUN_SETTINGS } from '../../lambda/settings';
import { functionErrorsAlarm } from '../alarms';
import { resolveSettings, type NetworkReconcilerProps, type ReconcilerSettings } from '../props';
import { ReconcilerFunction } from '../reconciler-function';
import { ReconcilerSchedule } from '../schedule';
import { MetricsLink } from './oam';
import { SourceReaderRole, type SourceReaderRoleProps } from './source-reader-role';

export { AUTO_CLUSTERS };

/** The value of `AlarmTopicArn` that means no notification. */
export const NO_TOPIC = 'none';

/** The variable the function reads the cluster tag filter from (the `clusterTag` setting). */
export const CLUSTER_TAG_ENV = RUN_SETTINGS.clusterTag.env;

/** What a StackSet instance is configured with: the settings every account shares; the rest are parameters. */
export type StackSetReconcilerSettings = Omit<NetworkReconcilerProps, 'clusters' | 'sourceProfile' | 'alarmTopic' | 'alarmEmail' | 'dashboardName'>;

export interface StackSetReconcilerStackProps extends StackProps {
  readonly reconciler?: StackSetReconcilerSettings | undefined;
  /** Adds the role a central reconciler assumes to list this account's nodes. @default - none */
  readonly sourceRole?: SourceReaderRoleProps | undefined;
  /** Links this account to the monitoring account's sink of each region (region -> sink ARN). @default - no link */
  readonly oamSinkArns?: Readonly<Record<string, string>> | undefined;
}

export class StackSetReconcilerStack extends Stack {
  readonly settings: ReconcilerSettings;
  readonly reconciler: ReconcilerFunction;
  readonly functionErrors: cw.Alarm;
  readonly parameters: { readonly clusters: CfnParameter; readonly clusterTag: CfnParameter; readonly sourceProfile: CfnParameter; readonly alarmTopicArn: CfnParameter };

  constructor(scope: Construct, id: string, props: StackSetReconcilerStackProps = {}) {
    const { reconciler: _r, sourceRole: _s, oamSinkArns: _o, ...stackProps } = props;
    super(scope, id, {
      description: 'netrecon: reconciles EKS node network metrics in this account and region (StackSet-ready: clusters from a parameter or discovered)',
      // A StackSet template carries no CDK version-reporting resource.
      analyticsReporting: false,
      ...stackProps,
    });

    this.parameters = {
      clusters: new CfnParameter(this, 'Clusters', {
        type: 'String',
        default: AUTO_CLUSTERS,
        description: `EKS cluster names, comma-separated, or "${AUTO_CLUSTERS}": every cluster of the account and region (eks:ListClusters), filtered by ClusterTag.`,
        allowedPattern: '^[0-9A-Za-z][A-Za-z0-9_,-]*$',
        constraintDescription: `cluster names separated by commas, or ${AUTO_CLUSTERS}`,
      }),
      clusterTag: new CfnParameter(this, 'ClusterTag', {
        type: 'String',
        default: '',
        description: `With Clusters=${AUTO_CLUSTERS}: only clusters with this tag, KEY=VALUE. Empty: every cluster.`,
        allowedPattern: '^([^=]+=.*)?$',
        constraintDescription: 'KEY=VALUE or empty',
      }),
      sourceProfile: new CfnParameter(this, 'SourceProfile', {
        type: 'String',
        default: 'mixed',
        allowedValues: [...SOURCE_PROFILES],
        description: 'Which sources every cluster is reconciled with (docs/profiles.md).',
      }),
      alarmTopicArn: new CfnParameter(this, 'AlarmTopicArn', {
        type: 'String',
        default: NO_TOPIC,
        description: `An SNS topic the error alarm notifies (e.g. one topic of a central account that allows the organization to publish). ${NO_TOPIC}: no notification.`,
        allowedPattern: `^(${NO_TOPIC}|arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[\\w-]{1,256})$`,
      }),
    };

    // Checked as at synth for the per-account stack; the cluster list and profile are replaced below by the parameters.
    this.settings = resolveSettings({ ...props.reconciler, clusters: [AUTO_CLUSTERS] });
    this.reconciler = new ReconcilerFunction(this, 'Reconciler', { settings: this.settings, clusterTagAtDeploy: true });
    const fn = this.reconciler.function;
    fn.addEnvironment(RUN_SETTINGS.clusters.env, this.parameters.clusters.valueAsString);
    fn.addEnvironment(CLUSTER_TAG_ENV, this.parameters.clusterTag.valueAsString);
    fn.addEnvironment(RUN_SETTINGS.sourceProfile.env, this.parameters.sourceProfile.valueAsString);

    new ReconcilerSchedule(this, 'Schedule', { fn, intervalSeconds: this.settings.scheduleMinutes * 60, deliveryFailureQueue: this.reconciler.failureQueue });

    const errors = functionErrorsAlarm(fn, this.settings);
    this.functionErrors = new cw.Alarm(this, 'FunctionErrors', { ...errors.props, alarmDescription: errors.description });
    // AlarmTopicArn=none means no action: the list entry becomes AWS::NoValue. (A word rather than an empty value,
    // which cfn-lint reports as an empty alarm action although the condition never lets it through.)
    const topicArn = this.parameters.alarmTopicArn.valueAsString;
    const hasTopic = new CfnCondition(this, 'HasAlarmTopic', { expression: Fn.conditionNot(Fn.conditionEquals(topicArn, NO_TOPIC)) });
    (this.functionErrors.node.defaultChild as cw.CfnAlarm).alarmActions = [Fn.conditionIf(hasTopic.logicalId, topicArn, Aws.NO_VALUE).toString()];

    if (props.sourceRole) new SourceReaderRole(this, 'SourceReader', props.sourceRole);
    if (props.oamSinkArns) {
      const s = this.settings;
      new MetricsLink(this, 'MetricsLink', {
        sinkArns: props.oamSinkArns,
        // The output for the central view; the sources only for a central reconciler reading through the link (the
        // template has its source-reader role). OAM filters by namespace only (docs/organization.md).
        namespaces: [s.outputNamespace, ...(props.sourceRole ? [s.sources.ec2Namespace, s.sources.containerInsightsNamespace, s.sources.agentNamespace] : [])],
      });
    }

    new CfnOutput(this, 'FunctionName', { value: fn.functionName, description: 'Invoke with {"start": ISO, "end": ISO} to backfill' });
    new CfnOutput(this, 'FailedInvocationsQueueUrl', { value: this.reconciler.failureQueue.queueUrl });
    new CfnOutput(this, 'LedgerTableName', { value: this.reconciler.ledgerTable.tableName, description: 'netrecon reconcile --cluster C --ledger-table THIS: publish from the CLI under the same lease as the function' });
  }
}
