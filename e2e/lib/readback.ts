/**
 * Reads what netrecon published for the seeded periods (namespace NetRecon, dimension ClusterName) with
 * GetMetricData, Sum and SampleCount of every cluster metric and of NodeCount per status, and compares it
 * with the hand formula (expected.ts). SampleCount is what proves "no doubling": CloudWatch adds a second put
 * of the same timestamp to the first, so a period emitted twice has SampleCount 2 even if a Sum looked right.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { NODE_STATUSES } from '../../lambda/core/model';
import { CLUSTER_METRICS, DEFAULT_OUTPUT_NAMESPACE, DIMENSION } from '../../lambda/output-metrics';
import { closeEnough, type ExpectedPeriod } from './expected';

export interface Reading {
  /** `${metric}` or `NodeCount/${status}` -> period start (ISO) -> { sum, samples }. */
  readonly values: ReadonlyMap<string, ReadonlyMap<string, { sum: number; samples: number }>>;
}

interface Series {
  readonly key: string;
  readonly metricName: string;
  readonly dims: Record<string, string>;
}

function seriesOf(cluster: string, extraDims: Readonly<Record<string, string>>): Series[] {
  const out: Series[] = Object.values(CLUSTER_METRICS)
    .filter((m) => m.name !== CLUSTER_METRICS.nodeCount.name)
    .map((m) => ({ key: m.name, metricName: m.name, dims: { [DIMENSION.cluster]: cluster, ...extraDims } }));
  for (const status of NODE_STATUSES) {
    out.push({ key: `${CLUSTER_METRICS.nodeCount.name}/${status}`, metricName: CLUSTER_METRICS.nodeCount.name, dims: { [DIMENSION.cluster]: cluster, ...extraDims, [DIMENSION.status]: status } });
  }
  return out;
}

export async function readPublished(
  cloudwatch: CloudWatchClient,
  cluster: string,
  window: { startEpochSeconds: number; endEpochSeconds: number },
  periodSeconds: number,
  namespace = DEFAULT_OUTPUT_NAMESPACE,
  /** Dimensions besides ClusterName: the central reconciler's AccountId. */
  extraDims: Readonly<Record<string, string>> = {},
): Promise<Reading> {
  const series = seriesOf(cluster, extraDims);
  const queries: MetricDataQuery[] = series.flatMap((s, i) =>
    (['Sum', 'SampleCount'] as const).map((stat) => ({
      Id: `${stat === 'Sum' ? 's' : 'c'}${i}`,
      MetricStat: {
        Metric: { Namespace: namespace, MetricName: s.metricName, Dimensions: Object.entries(s.dims).map(([Name, Value]) => ({ Name, Value })) },
        Period: periodSeconds,
        Stat: stat,
      },
    })),
  );
  const answer = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(window.startEpochSeconds * 1000),
      EndTime: new Date(window.endEpochSeconds * 1000),
      MetricDataQueries: queries,
    }),
  );
  const byId = new Map((answer.MetricDataResults ?? []).map((r) => [r.Id!, r]));
  const values = new Map<string, Map<string, { sum: number; samples: number }>>();
  series.forEach((s, i) => {
    const sums = byId.get(`s${i}`);
    const counts = byId.get(`c${i}`);
    const perPeriod = new Map<string, { sum: number; samples: number }>();
    (sums?.Timestamps ?? []).forEach((t, k) => {
      const at = t.toISOString();
      const c = counts?.Timestamps?.findIndex((u) => u.getTime() === t.getTime()) ?? -1;
      perPeriod.set(at, { sum: sums!.Values![k]!, samples: c >= 0 ? counts!.Values![c]! : NaN });
    });
    values.set(s.key, perPeriod);
  });
  return { values };
}

export interface Comparison {
  readonly compared: number;
  readonly problems: readonly string[];
  readonly rows: readonly string[];
}

/** Every expected value must be there, equal within tolerance, from exactly one datum. */
export function compareWithExpected(reading: Reading, expected: readonly ExpectedPeriod[]): Comparison {
  const problems: string[] = [];
  const rows: string[] = [];
  let compared = 0;
  const check = (key: string, periodStart: string, want: number) => {
    compared += 1;
    const got = reading.values.get(key)?.get(periodStart);
    if (!got) problems.push(`${key} @${periodStart}: expected ${want}, nothing published`);
    else if (!closeEnough(got.sum, want)) problems.push(`${key} @${periodStart}: expected ${want}, published ${got.sum}`);
    else if (got.samples !== 1) problems.push(`${key} @${periodStart}: published ${got.samples} times (SampleCount), expected exactly once`);
  };
  for (const period of expected) {
    for (const [name, want] of Object.entries(period.cluster)) check(name, period.periodStart, want);
    for (const status of NODE_STATUSES) check(`${CLUSTER_METRICS.nodeCount.name}/${status}`, period.periodStart, period.nodeCountByStatus[status] ?? 0);
    const c = period.cluster;
    const m = CLUSTER_METRICS;
    rows.push(
      `${period.periodStart}  EC2 ${fmt(c[m.ec2TotalBytes.name])}  CI ${fmt(c[m.containerInsightsTotalBytes.name])}  corrected ${fmt(
        c[m.physicalRxBytes.name]! + c[m.physicalTxBytes.name]!,
      )}  pod ${fmt(c[m.podRxBytes.name]! + c[m.podTxBytes.name]!)}  double-counted ${fmt(c[m.doubleCountedBytes.name])}`,
    );
  }
  return { compared, problems, rows };
}

function fmt(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Clusters that appear in any published NetRecon series (the other cluster must never be one). */
export async function publishedClusters(cloudwatch: CloudWatchClient, namespace = DEFAULT_OUTPUT_NAMESPACE): Promise<Set<string>> {
  const clusters = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await cloudwatch.send(new ListMetricsCommand({ Namespace: namespace, NextToken }));
    for (const m of page.Metrics ?? []) {
      for (const d of m.Dimensions ?? []) if (d.Name === DIMENSION.cluster && d.Value) clusters.add(d.Value);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return clusters;
}
