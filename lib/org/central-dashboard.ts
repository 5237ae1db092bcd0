/**
 * The central dashboard: every target's NetRecon metrics read from its own account (each metric carries the
 * account id). First two tables, worst first: metric math SORT orders the per-target series by their maximum
 * over the dashboard's time range, so the account and cluster that most needs a look is the top row whatever
 * order the targets were listed in. Then one row per account and cluster, in the order given: traffic, the EC2
 * discrepancy and the target's alarms.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { CLUSTER_METRICS } from '../../lambda/output-metrics';
import { bytesPerSecond } from '../metrics';
import type { ReconcilerSettings } from '../props';
import type { TargetAlarms } from './central-alarms';
import { targetMetric } from './central-alarms';
import { targetKey, type ClusterTarget } from './central-targets';

export interface CentralDashboardProps {
  readonly settings: ReconcilerSettings;
  readonly targets: readonly ClusterTarget[];
  readonly alarms: ReadonlyMap<string, TargetAlarms>;
  readonly dashboardName?: string | undefined;
}

/**
 * One expression per target (ids `<prefix>0..n`, each over its own metrics), then SORT over exactly those ids:
 * METRICS("<prefix>") selects the queries whose id contains the prefix, so the prefixes of the inputs must not
 * contain it.
 */
export function worstFirst(prefix: string, perTarget: readonly cw.MathExpression[]): cw.MathExpression {
  return new cw.MathExpression({
    expression: `SORT(METRICS("${prefix}"), MAX, DESC)`,
    usingMetrics: Object.fromEntries(perTarget.map((e, i) => [`${prefix}${i}`, e])),
    // A fixed label would name every sorted series alike (CDK writes the expression when none is given); the
    // dynamic label ${LABEL} is each series' own: ACCOUNT/CLUSTER.
    label: '${LABEL}',
  });
}

export class CentralDashboard extends Construct {
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: CentralDashboardProps) {
    super(scope, id);
    const { settings, targets } = props;
    const p = settings.periodSeconds;
    const period = Duration.seconds(p);
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName === undefined ? {} : { dashboardName: props.dashboardName }),
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cw.TextWidget({
        markdown:
          `### netrecon across the organization\n\n${targets.length} account/cluster targets, read from their accounts through CloudWatch cross-account observability. ` +
          'The tables list the worst first; below them, one row per account and cluster. Numbers and their meaning: docs/aws.md and docs/organization.md.',
        width: 24,
        height: 2,
      }),
    );

    const discrepancy = targets.map((t, i) =>
      new cw.MathExpression({
        expression: `ABS(r${i})`,
        usingMetrics: { [`r${i}`]: targetMetric(settings, t, CLUSTER_METRICS.ec2DiscrepancyRatio, cw.Stats.AVERAGE) },
        label: targetKey(t),
        period,
      }),
    );
    const doubleCounted = targets.map((t, i) =>
      new cw.MathExpression({
        expression: `100 * b${i} / c${i}`,
        usingMetrics: {
          [`b${i}`]: targetMetric(settings, t, CLUSTER_METRICS.doubleCountedBytes, cw.Stats.SUM),
          [`c${i}`]: targetMetric(settings, t, CLUSTER_METRICS.containerInsightsTotalBytes, cw.Stats.SUM),
        },
        label: targetKey(t),
        period,
      }),
    );
    const summary = { columns: [cw.TableSummaryColumn.MAXIMUM, cw.TableSummaryColumn.AVERAGE], hideNonSummaryColumns: true };
    const height = Math.min(12, 3 + targets.length);
    this.dashboard.addWidgets(
      new cw.TableWidget({ title: '|EC2 discrepancy ratio| by account/cluster, worst first', width: 12, height, metrics: [worstFirst('d', discrepancy)], summary }),
      new cw.TableWidget({ title: 'Double-counted share of Container Insights, % by account/cluster, worst first', width: 12, height, metrics: [worstFirst('x', doubleCounted)], summary }),
    );

    for (const target of targets) {
      const key = targetKey(target);
      const alarms = props.alarms.get(key);
      if (!alarms) throw new Error(`no alarms for target ${key}`);
      const m = (spec: Parameters<typeof targetMetric>[2], stat: string) => targetMetric(settings, target, spec, stat);
      this.dashboard.addWidgets(
        new cw.GraphWidget({
          title: `${key}: traffic, bytes/s`,
          width: 10,
          height: 6,
          left: [
            bytesPerSecond('EC2 NetworkIn + NetworkOut', '#1f77b4', p, { ec2: m(CLUSTER_METRICS.ec2TotalBytes, cw.Stats.SUM) }),
            bytesPerSecond('Container Insights', '#ff7f0e', p, { ci: m(CLUSTER_METRICS.containerInsightsTotalBytes, cw.Stats.SUM) }),
            bytesPerSecond('Double-counted', '#d62728', p, { dc: m(CLUSTER_METRICS.doubleCountedBytes, cw.Stats.SUM) }),
          ],
          leftYAxis: { label: 'bytes/s', showUnits: false, min: 0 },
        }),
        new cw.GraphWidget({
          title: `${key}: (EC2 - corrected) / EC2`,
          width: 7,
          height: 6,
          left: [m(CLUSTER_METRICS.ec2DiscrepancyRatio, cw.Stats.AVERAGE).with({ label: 'EC2 discrepancy ratio' })],
          leftAnnotations: [
            { value: settings.thresholds.ec2MismatchRatio, color: '#d62728' },
            { value: -settings.thresholds.ec2MismatchRatio, color: '#d62728' },
          ],
          leftYAxis: { showUnits: false },
        }),
        new cw.AlarmStatusWidget({
          title: `${key}: alarms`,
          width: 7,
          height: 6,
          alarms: [alarms.composite, ...[alarms.ec2Discrepancy, alarms.agentCoverage, alarms.heartbeat].filter((a): a is cw.Alarm => a !== undefined)],
        }),
      );
    }
  }
}
