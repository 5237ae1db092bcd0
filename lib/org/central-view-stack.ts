/**
 * The monitoring account's view of netrecon across an organization (docs/organization.md, "Central view"): the
 * OAM sink the source accounts link to (optional: an organization that already has one keeps it), a dashboard
 * over every account and cluster, and the alarms. One stack per region: OAM links, and so the metrics it
 * shows, are regional.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { SourceProfile } from '../../lambda/core/source-profile';
import { resolveSettings, type ReconcilerSettings } from '../props';
import { CentralAlarms } from './central-alarms';
import { CentralDashboard } from './central-dashboard';
import type { ClusterTarget } from './central-targets';
import { MetricsSink } from './oam';
import { AUTO_CLUSTERS, type StackSetReconcilerSettings } from './stackset-reconciler-stack';

export interface CentralViewStackProps extends StackProps {
  readonly targets: readonly ClusterTarget[];
  /** The settings the stack set deploys with (namespace, period, thresholds, windows). */
  readonly reconciler?: StackSetReconcilerSettings | undefined;
  /** @default 'mixed' */
  readonly sourceProfile?: SourceProfile | undefined;
  /** Create the sink, accepting links from this organization. @default - no sink (one exists already) */
  readonly sinkOrganizationId?: string | undefined;
  /** The topic the organization-wide composite alarm notifies. @default - no notification */
  readonly alarmTopicArn?: string | undefined;
  readonly dashboardName?: string | undefined;
}

export class CentralViewStack extends Stack {
  readonly settings: ReconcilerSettings;
  readonly sink: MetricsSink | undefined;
  readonly alarms: CentralAlarms;
  readonly dashboard: CentralDashboard;

  constructor(scope: Construct, id: string, props: CentralViewStackProps) {
    const { targets, reconciler, sourceProfile, sinkOrganizationId, alarmTopicArn, dashboardName, ...stackProps } = props;
    super(scope, id, { description: 'netrecon: central view (OAM sink, dashboard and alarms over every account and cluster)', ...stackProps });
    const profile = sourceProfile ?? 'mixed';
    // The same checks and derived windows as the instances', which run with the cluster list `auto` (and so may
    // reconcile more than the 50 clusters an explicit list allows).
    this.settings = resolveSettings({ ...reconciler, clusters: [AUTO_CLUSTERS], sourceProfile: profile });
    this.sink = sinkOrganizationId === undefined ? undefined : new MetricsSink(this, 'Sink', { organizationId: sinkOrganizationId });

    this.alarms = new CentralAlarms(this, 'Alarms', { settings: this.settings, targets, sourceProfile: profile, prefix: this.stackName });
    if (alarmTopicArn !== undefined) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn);
      this.alarms.organization.addAlarmAction(new cwActions.SnsAction(topic));
      this.alarms.organization.addOkAction(new cwActions.SnsAction(topic));
    }
    this.dashboard = new CentralDashboard(this, 'Dashboard', { settings: this.settings, targets, alarms: this.alarms.targets, dashboardName });

    if (this.sink) new CfnOutput(this, 'SinkArn', { value: this.sink.sink.attrArn, description: 'Give it to the stack set: -c oamSinks=\'{"REGION":"<this ARN>"}\'' });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'OrganizationAlarmName', { value: this.alarms.organization.alarmName });
  }
}
