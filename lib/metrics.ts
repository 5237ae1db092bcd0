/**
 * CloudWatch metric objects for what netrecon publishes, built from lambda/output-metrics.ts so the alarms and
 * the dashboard read exactly the names the sink writes.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { clusterDimensions, type OutputMetricSpec } from '../lambda/output-metrics';
import { clusterTargetOf } from '../lambda/core/cluster-target';

export interface OutputMetricOptions {
  readonly namespace: string;
  /** The cluster target: `CLUSTER`, or `ACCOUNT_ID/CLUSTER` (a source account's, dimension AccountId too). */
  readonly cluster: string;
  readonly statistic: string;
  readonly periodSeconds: number;
  /** Dimensions besides ClusterName (e.g. Status). */
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly label?: string;
  readonly color?: string;
}

/**
 * One output metric of one cluster. No `unit` is set: a unit on an alarm's metric filters datapoints, and a
 * filter that disagrees with the sink would silently starve the alarm.
 */
export function outputMetric(spec: OutputMetricSpec, options: OutputMetricOptions): cw.Metric {
  return new cw.Metric({
    namespace: options.namespace,
    metricName: spec.name,
    dimensionsMap: { ...targetDimensions(options.cluster), ...options.dimensions },
    statistic: options.statistic,
    period: Duration.seconds(options.periodSeconds),
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.color === undefined ? {} : { color: options.color }),
  });
}

/** The dimensions the function publishes a cluster target's metrics under (lambda/output-metrics.ts). */
export function targetDimensions(target: string): Record<string, string> {
  const { cluster, accountId } = clusterTargetOf(target);
  return clusterDimensions(cluster, accountId);
}

/**
 * Bytes per second from per-period byte sums: the sum of the given metrics divided by PERIOD() of the first, so
 * the graph stays right when the console widens the period for a long time range.
 */
export function bytesPerSecond(label: string, color: string, periodSeconds: number, metrics: Record<string, cw.IMetric>): cw.MathExpression {
  const ids = Object.keys(metrics);
  if (ids.length === 0) throw new Error('bytesPerSecond needs at least one metric');
  const sum = ids.length === 1 ? ids[0] : `(${ids.join(' + ')})`;
  return new cw.MathExpression({
    expression: `${sum} / PERIOD(${ids[0]})`,
    usingMetrics: metrics,
    label,
    color,
    period: Duration.seconds(periodSeconds),
  });
}
