/**
 * Alarms per cluster: EC2 discrepancy, agent coverage, Container Insights residual and the run heartbeat, plus
 * one function-errors alarm shared by every cluster; one composite alarm per cluster is the only thing that
 * notifies. Periods and M-of-N windows come from alarm-windows.ts.
 *
 * The data alarms read only complete-only figures (Ec2DiscrepancyRatio, CompleteEc2TotalBytes,
 * ContainerInsightsResidualBytes, CompleteContainerInsightsTotalBytes, AgentCoveragePercent): node-periods that
 * are partial (a node launched or stopped inside the period, a source partial or skipped) are counted in
 * PartialNodeCount and cannot fire them (docs/aws.md, "Published metrics: traffic totals and complete-only figures").
 *
 * Missing data, alarm by alarm:
 * - Discrepancy, coverage, residual: NOT_BREACHING. netrecon's datapoints arrive up to `latePeriods` after
 *   their timestamps (lag plus the batched hourly read), so the newest part of every window is empty by
 *   design; an empty period must count as neither good news nor bad. When the reconciler stops altogether
 *   these go OK rather than INSUFFICIENT_DATA, on purpose: the outage is the heartbeat's one alarm, not four.
 * - Heartbeat: BREACHING. It is timestamped at run time, not at a period start, so silence is the failure.
 * - Function errors: NOT_BREACHING. Lambda publishes Errors only for intervals with invocations.
 * Lambda Throttles are not alarmed: with reserved concurrency 1, an invocation that waits behind a long run is
 * throttled by design and retried by Lambda's async queue.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CLUSTER_METRICS, HEARTBEAT_METRIC } from '../lambda/output-metrics';
import { clusterCapabilities } from '../lambda/core/source-profile';
import { outputMetric } from './metrics';
import { AUTO_CLUSTERS } from '../lambda/plan/cluster-selection';
import { namedClusters, type ReconcilerSettings } from './props';

/**
 * A cluster's alarms. Each data alarm exists only where the cluster's source profile computes its figure
 * (docs/profiles.md): the EC2 discrepancy needs the agent's ENI counters (enis, full, mixed), agent coverage a
 * profile that requires the agent on every node (enis, full), the residual every interface (full, mixed).
 */
export interface ClusterAlarms {
  /** Absent under the agentless profile. */
  readonly ec2Discrepancy: cw.Alarm | undefined;
  /** Only under enis and full, which declare the agent required on every node. */
  readonly agentCoverage: cw.Alarm | undefined;
  /** Only under full and mixed, and when `residualAlarm` is true. */
  readonly containerInsightsResidual: cw.Alarm | undefined;
  readonly heartbeat: cw.Alarm;
  /** ALARM when any of the above, or the shared function-errors alarm, is in ALARM. Notifies the topic. */
  readonly composite: cw.CompositeAlarm;
}

export interface ReconcilerAlarmsProps {
  readonly settings: ReconcilerSettings;
  readonly fn: lambda.IFunction;
}

interface AlarmSpec {
  readonly suffix: string;
  readonly metric: cw.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cw.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: cw.TreatMissingData;
  readonly description: string;
}

/**
 * With `clusters=auto` the per-cluster alarms (and their composites, which carry the notifications) cannot exist,
 * so the stack gets one composite over the function's own health: errors, and no invocation at all.
 */
export interface DiscoveredClustersAlarms {
  /** No invocation in the heartbeat window (the per-cluster heartbeats' stand-in: a disabled schedule, a deleted rule). */
  readonly notRunning: cw.Alarm;
  /** ALARM when the function failed or did not run. Notifies the topic. */
  readonly composite: cw.CompositeAlarm;
}

export class ReconcilerAlarms extends Construct {
  readonly functionErrors: cw.Alarm;
  readonly clusters: ReadonlyMap<string, ClusterAlarms>;
  /** Only with `clusters=auto`. */
  readonly discovered: DiscoveredClustersAlarms | undefined;
  /** The topic the composite alarms notify, if any. */
  readonly topic: sns.ITopic | undefined;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: ReconcilerAlarmsProps) {
    super(scope, id);
    const { settings, fn } = props;
    this.prefix = Stack.of(this).stackName;
    this.topic = settings.alarmTopic ?? (settings.alarmEmail ? this.emailTopic(settings.alarmEmail) : undefined);

    const errors = functionErrorsAlarm(fn, settings);
    this.functionErrors = this.alarm(this, 'FunctionErrors', { suffix: 'reconciler-errors', ...errors.props, description: errors.description });

    const clusters = new Map<string, ClusterAlarms>();
    // With clusters=auto the names are known only at run time: no per-cluster alarm (docs/aws.md, "Clusters from discovery").
    for (const cluster of namedClusters(settings)) clusters.set(cluster, this.clusterAlarms(settings, cluster));
    this.clusters = clusters;
    this.discovered = settings.clusters === AUTO_CLUSTERS ? this.discoveredClustersAlarms(settings, fn) : undefined;
  }

  private discoveredClustersAlarms(settings: ReconcilerSettings, fn: lambda.IFunction): DiscoveredClustersAlarms {
    const w = settings.windows;
    const notRunning = this.alarm(this, 'NotRunning', {
      suffix: 'reconciler-not-running',
      metric: fn.metricInvocations({ statistic: cw.Stats.SUM, period: Duration.seconds(w.heartbeatPeriodSeconds) }),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: w.heartbeatEvaluationPeriods,
      datapointsToAlarm: w.heartbeatEvaluationPeriods,
      treatMissingData: cw.TreatMissingData.BREACHING,
      description: `The reconciler (clusters=auto) was not invoked in ${w.heartbeatEvaluationPeriods} schedule intervals of ${w.heartbeatPeriodSeconds} s. Check its schedule rule. Right after the first deploy this is expected until the first run.`,
    });
    const composite = new cw.CompositeAlarm(this, 'DiscoveredClustersHealth', {
      compositeAlarmName: `${this.prefix}-reconciler`,
      alarmDescription: 'netrecon with clusters=auto: the reconciler failed or did not run. Per-cluster alarms need the cluster names at synth time (docs/aws.md, "Clusters from discovery").',
      alarmRule: cw.AlarmRule.anyOf(cw.AlarmRule.fromAlarm(this.functionErrors, cw.AlarmState.ALARM), cw.AlarmRule.fromAlarm(notRunning, cw.AlarmState.ALARM)),
    });
    if (this.topic) {
      composite.addAlarmAction(new cwActions.SnsAction(this.topic));
      composite.addOkAction(new cwActions.SnsAction(this.topic));
    }
    return { notRunning, composite };
  }


  private clusterAlarms(settings: ReconcilerSettings, cluster: string): ClusterAlarms {
    const scope = new Construct(this, `Cluster-${cluster}`);
    const ns = settings.outputNamespace;
    const p = settings.periodSeconds;
    const w = settings.windows;
    const m = settings.alarmDatapoints;
    const t = settings.thresholds;
    const metric = (spec: Parameters<typeof outputMetric>[0], statistic = cw.Stats.AVERAGE) =>
      outputMetric(spec, { namespace: ns, cluster, statistic, periodSeconds: p });
    const dataWindow = `${m} of the last ${w.dataEvaluationPeriods} periods of ${p} s (data arrive up to ${w.latePeriods} periods late)`;
    const data = { evaluationPeriods: w.dataEvaluationPeriods, datapointsToAlarm: m, treatMissingData: cw.TreatMissingData.NOT_BREACHING };
    const profile = settings.sourceProfile[cluster]!;
    const can = clusterCapabilities(profile);

    const ec2Discrepancy = !can.ec2Check ? undefined : this.alarm(scope, 'Ec2Discrepancy', {
      ...data,
      suffix: `${cluster}-ec2-discrepancy`,
      // The ratio is signed: corrected above EC2 is as wrong as below it. As in the core's ec2Mismatch status, only
      // a difference of at least ec2MismatchMinBytes counts, so a nearly idle cluster does not page on a few kB.
      // Both inputs are complete-only (node-periods with complete EC2 and agent data), so ratio x ec2 is exactly
      // the difference, and a node launching or stopping inside the period cannot move either.
      metric: new cw.MathExpression({
        expression: `IF(ABS(ratio * ec2) >= ${t.ec2MismatchMinBytes}, ABS(ratio), 0)`,
        usingMetrics: { ratio: metric(CLUSTER_METRICS.ec2DiscrepancyRatio), ec2: metric(CLUSTER_METRICS.completeEc2TotalBytes) },
        label: '|EC2 discrepancy ratio|',
        period: Duration.seconds(p),
      }),
      threshold: t.ec2MismatchRatio,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `${cluster}: EC2 NetworkIn+NetworkOut and the corrected ENI bytes differ by more than ${pct(t.ec2MismatchRatio)} in ${dataWindow}. Usually an ENI the agent does not collect (check its "resources" and the interface rules) or nodes without the agent.`,
    });
    const agentCoverage = !can.agentRequired ? undefined : this.alarm(scope, 'AgentCoverage', {
      ...data,
      suffix: `${cluster}-agent-coverage`,
      metric: metric(CLUSTER_METRICS.agentCoveragePercent, cw.Stats.MINIMUM),
      threshold: settings.minAgentCoveragePercent,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      description: `${cluster}: fewer than ${settings.minAgentCoveragePercent} % of the nodes that ran for a whole period published per-interface counters in ${dataWindow}. Check the CloudWatch agent on the nodes that are missing (NodeCount with Status=missingAgent).`,
    });
    const containerInsightsResidual = !settings.residualAlarm || !can.residual ? undefined : this.alarm(scope, 'ContainerInsightsResidual', {
      ...data,
      suffix: `${cluster}-ci-residual`,
      // A fraction of Container Insights' own total over the same complete node-periods as the residual, and only
      // once the residual is big enough to matter.
      metric: new cw.MathExpression({
        expression: `IF(ABS(residual) >= ${t.residualMinBytes}, ABS(residual) / ci, 0)`,
        usingMetrics: {
          residual: metric(CLUSTER_METRICS.containerInsightsResidualBytes),
          ci: metric(CLUSTER_METRICS.completeContainerInsightsTotalBytes),
        },
        label: '|Container Insights residual| / Container Insights',
        period: Duration.seconds(p),
      }),
      threshold: t.residualRatio,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `${cluster}: more than ${pct(t.residualRatio)} of Container Insights' node_network_total_bytes (and at least ${t.residualMinBytes} bytes) is not explained by the per-interface counters in ${dataWindow}. Usually interfaces the agent does not collect, or an unclassified interface name.`,
    });
    const heartbeat = this.alarm(scope, 'Heartbeat', {
      suffix: `${cluster}-heartbeat`,
      metric: outputMetric(HEARTBEAT_METRIC, { namespace: ns, cluster, statistic: cw.Stats.SAMPLE_COUNT, periodSeconds: w.heartbeatPeriodSeconds }),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: w.heartbeatEvaluationPeriods,
      datapointsToAlarm: w.heartbeatEvaluationPeriods,
      treatMissingData: cw.TreatMissingData.BREACHING,
      description: `${cluster}: no reconciler run finished for this cluster in ${w.heartbeatEvaluationPeriods} schedule intervals of ${w.heartbeatPeriodSeconds} s (the function timeout plus two runs). Right after the first deploy this is expected until the first run.`,
    });

    const composite = new cw.CompositeAlarm(scope, 'Health', {
      compositeAlarmName: `${this.prefix}-${cluster}`,
      alarmDescription: `netrecon for ${cluster} (source profile ${profile}): one of its alarms (${[
        ec2Discrepancy && 'EC2 discrepancy',
        agentCoverage && 'agent coverage',
        containerInsightsResidual && 'Container Insights residual',
        'heartbeat',
      ]
        .filter(Boolean)
        .join(', ')}) or the reconciler's error alarm is in ALARM.`,
      alarmRule: cw.AlarmRule.anyOf(
        ...clusterAlarmList({ ec2Discrepancy, agentCoverage, containerInsightsResidual, heartbeat }, this.functionErrors).map((a) => cw.AlarmRule.fromAlarm(a, cw.AlarmState.ALARM)),
      ),
    });
    if (this.topic) {
      composite.addAlarmAction(new cwActions.SnsAction(this.topic));
      composite.addOkAction(new cwActions.SnsAction(this.topic));
    }
    return { ec2Discrepancy, agentCoverage, containerInsightsResidual, heartbeat, composite };
  }

  /** The one alarm factory: every alarm gets its name, description and missing-data treatment here. */
  private alarm(scope: Construct, id: string, spec: AlarmSpec): cw.Alarm {
    return new cw.Alarm(scope, id, {
      alarmName: `${this.prefix}-${spec.suffix}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
    });
  }

  private emailTopic(email: string): sns.Topic {
    const stack = Stack.of(this);
    // Encrypted at rest with a key of its own: the AWS managed key of SNS (alias/aws/sns) cannot be used, because
    // CloudWatch, which publishes the alarms, must be allowed to use the key, and only a customer managed key's
    // policy can say so (docs/deploy.md, "What appears in the account"). About $1 a month.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'netrecon: encrypts the alarm topic; CloudWatch alarms of this account may use it to publish',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    const topic = new sns.Topic(this, 'Topic', { displayName: 'netrecon alarms', enforceSSL: true, masterKey: key });
    // The topic policy (created for enforceSSL) replaces SNS's default one, so CloudWatch is allowed to publish
    // explicitly, and only for this stack's alarms in this account (the confused-deputy conditions).
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisStack',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${this.prefix}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
    const subscription = new sns.Subscription(this, 'EmailSubscription', { topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: email });
    Validations.of(subscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason: 'An email that cannot be delivered has nowhere useful to be redriven; the alarm state stays visible in the console.',
    });
    return topic;
  }
}

/** A cluster's own alarms in a fixed order, then the shared function-errors alarm. */
/**
 * The reconciler function's errors alarm, shared by the per-account stack and the StackSet instance: a failed run
 * after Lambda's two retries in the given share of the schedule intervals.
 */
export function functionErrorsAlarm(fn: lambda.IFunction, settings: ReconcilerSettings): { props: cw.CreateAlarmOptions & { metric: cw.IMetric; datapointsToAlarm: number; treatMissingData: cw.TreatMissingData; comparisonOperator: cw.ComparisonOperator }; description: string } {
  const w = settings.windows;
  return {
    props: {
      metric: fn.metricErrors({ statistic: cw.Stats.SUM, period: Duration.seconds(w.errorsPeriodSeconds) }),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: w.errorsEvaluationPeriods,
      datapointsToAlarm: w.errorsDatapoints,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    },
    description: `The reconciler function failed in ${w.errorsDatapoints} of the last ${w.errorsEvaluationPeriods} schedule intervals (Lambda retries each failed run twice). See its log group and the failed-invocations queue.`,
  };
}

export function clusterAlarmList(alarms: Omit<ClusterAlarms, 'composite'>, functionErrors: cw.IAlarm): cw.IAlarm[] {
  return [alarms.ec2Discrepancy, alarms.agentCoverage, alarms.containerInsightsResidual, alarms.heartbeat, functionErrors].filter((a): a is cw.IAlarm => a !== undefined);
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10} %`;
}
