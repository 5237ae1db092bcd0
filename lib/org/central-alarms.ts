/**
 * Alarms of the central view, in the monitoring account, over every target's NetRecon metrics.
 *
 * A metric alarm in a monitoring account may watch a metric of a linked source account: the alarm's metric
 * query carries the source account id (MetricDataQuery.AccountId, rendered from the metric's `account`). A
 * composite alarm can only combine alarms of its own account and region, which is why the per-target metric
 * alarms live here too and not in the source accounts. Per target: the EC2 discrepancy (where the profile
 * computes it), agent coverage (where the profile requires the agent) and the heartbeat, behind one composite;
 * one composite over all targets is what notifies. Thresholds and M-of-N windows are the per-account stack's
 * (lib/alarms.ts, lib/alarm-windows.ts), so both judge the same way.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { clusterCapabilities, type SourceProfile } from '../../lambda/core/source-profile';
import { CLUSTER_METRICS, HEARTBEAT_METRIC, type OutputMetricSpec } from '../../lambda/output-metrics';
import { outputMetric } from '../metrics';
import type { ReconcilerSettings } from '../props';
import { targetKey, type ClusterTarget } from './central-targets';

export interface TargetAlarms {
  readonly ec2Discrepancy: cw.Alarm | undefined;
  readonly agentCoverage: cw.Alarm | undefined;
  readonly heartbeat: cw.Alarm;
  readonly composite: cw.CompositeAlarm;
}

export interface CentralAlarmsProps {
  readonly settings: ReconcilerSettings;
  readonly targets: readonly ClusterTarget[];
  /** The profile the stack set deploys with (one for all clusters). */
  readonly sourceProfile: SourceProfile;
  /** Alarm names start with it. */
  readonly prefix: string;
}

/** One target's metric, read from its account. */
export function targetMetric(settings: ReconcilerSettings, target: ClusterTarget, spec: OutputMetricSpec, statistic: string, periodSeconds = settings.periodSeconds): cw.Metric {
  return outputMetric(spec, { namespace: settings.outputNamespace, cluster: target.cluster, statistic, periodSeconds }).with({ account: target.account });
}

export class CentralAlarms extends Construct {
  readonly targets: ReadonlyMap<string, TargetAlarms>;
  /** ALARM when any target's composite is in ALARM. */
  readonly organization: cw.CompositeAlarm;

  constructor(scope: Construct, id: string, props: CentralAlarmsProps) {
    super(scope, id);
    const map = new Map<string, TargetAlarms>();
    for (const target of props.targets) map.set(targetKey(target), this.targetAlarms(props, target));
    this.targets = map;
    this.organization = new cw.CompositeAlarm(this, 'Organization', {
      compositeAlarmName: `${props.prefix}-organization`,
      alarmDescription: `netrecon: at least one of ${props.targets.length} account/cluster targets is in ALARM (see the central dashboard's alarm column).`,
      alarmRule: cw.AlarmRule.anyOf(...[...map.values()].map((t) => cw.AlarmRule.fromAlarm(t.composite, cw.AlarmState.ALARM))),
    });
  }

  private targetAlarms(props: CentralAlarmsProps, target: ClusterTarget): TargetAlarms {
    const { settings } = props;
    const key = targetKey(target);
    const name = `${props.prefix}-${target.account}-${target.cluster}`;
    const scope = new Construct(this, `Target-${target.account}-${target.cluster}`);
    const w = settings.windows;
    const t = settings.thresholds;
    const p = settings.periodSeconds;
    const can = clusterCapabilities(props.sourceProfile);
    const data = { evaluationPeriods: w.dataEvaluationPeriods, datapointsToAlarm: settings.alarmDatapoints, treatMissingData: cw.TreatMissingData.NOT_BREACHING };
    const window = `${settings.alarmDatapoints} of the last ${w.dataEvaluationPeriods} periods of ${p} s`;

    const ec2Discrepancy = !can.ec2Check ? undefined : new cw.Alarm(scope, 'Ec2Discrepancy', {
      ...data,
      alarmName: `${name}-ec2-discrepancy`,
      alarmDescription: `${key}: EC2 NetworkIn+NetworkOut and the corrected ENI bytes differ by more than ${t.ec2MismatchRatio} in ${window}.`,
      metric: new cw.MathExpression({
        expression: `IF(ABS(ratio * ec2) >= ${t.ec2MismatchMinBytes}, ABS(ratio), 0)`,
        usingMetrics: {
          ratio: targetMetric(settings, target, CLUSTER_METRICS.ec2DiscrepancyRatio, cw.Stats.AVERAGE),
          ec2: targetMetric(settings, target, CLUSTER_METRICS.completeEc2TotalBytes, cw.Stats.AVERAGE),
        },
        label: `${key} |EC2 discrepancy ratio|`,
        period: Duration.seconds(p),
      }),
      threshold: t.ec2MismatchRatio,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    const agentCoverage = !can.agentRequired ? undefined : new cw.Alarm(scope, 'AgentCoverage', {
      ...data,
      alarmName: `${name}-agent-coverage`,
      alarmDescription: `${key}: fewer than ${settings.minAgentCoveragePercent} % of the nodes published per-interface counters in ${window}.`,
      metric: targetMetric(settings, target, CLUSTER_METRICS.agentCoveragePercent, cw.Stats.MINIMUM),
      threshold: settings.minAgentCoveragePercent,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    const heartbeat = new cw.Alarm(scope, 'Heartbeat', {
      alarmName: `${name}-heartbeat`,
      alarmDescription: `${key}: no reconciler run finished for this cluster in ${w.heartbeatEvaluationPeriods} schedule intervals of ${w.heartbeatPeriodSeconds} s (or the account is not linked to this monitoring account).`,
      metric: targetMetric(settings, target, HEARTBEAT_METRIC, cw.Stats.SAMPLE_COUNT, w.heartbeatPeriodSeconds),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: w.heartbeatEvaluationPeriods,
      datapointsToAlarm: w.heartbeatEvaluationPeriods,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });
    const members = [ec2Discrepancy, agentCoverage, heartbeat].filter((a): a is cw.Alarm => a !== undefined);
    const composite = new cw.CompositeAlarm(scope, 'Health', {
      compositeAlarmName: name,
      alarmDescription: `netrecon for cluster ${target.cluster} of account ${target.account} (source profile ${props.sourceProfile}): one of its alarms is in ALARM.`,
      alarmRule: cw.AlarmRule.anyOf(...members.map((a) => cw.AlarmRule.fromAlarm(a, cw.AlarmState.ALARM))),
    });
    return { ec2Discrepancy, agentCoverage, heartbeat, composite };
  }
}
