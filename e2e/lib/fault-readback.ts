/**
 * After a fault scenario: every series netrecon published in the scenario's own namespace, read straight from
 * the emulator (not through the fault proxy), Sum, SampleCount and Maximum per period, and judged:
 *   - the seeded periods equal the hand formula (expected.ts), each value from exactly one datum;
 *   - every other published datum is there exactly once (SampleCount 1: CloudWatch adds a second put of the same
 *     timestamp to the first), and each period's EmitLedger count equals the requests it needs (a request sent
 *     twice would count twice);
 *   - nothing is missing: every period the last clean run's window covers is published, with a NodeCount per
 *     status summing to the cluster's nodes;
 *   - no other series (another cluster, per-node series nobody asked for).
 * The run's Heartbeat is left out: one datum per run, at the run's time, so two runs in one period are two datums.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { NODE_STATUSES } from '../../lambda/core/model';
import { CLUSTER_METRICS, DIMENSION, HEARTBEAT_METRIC, LEDGER_METRIC } from '../../lambda/output-metrics';
import type { ExpectedPeriod } from './expected';
import { compareWithExpected, type Reading } from './readback';

export interface PeriodValue {
  sum: number;
  samples: number;
  max: number;
}

export interface NamespaceReading extends Reading {
  readonly values: ReadonlyMap<string, ReadonlyMap<string, PeriodValue>>;
  /** Series whose dimensions are not the cluster's (named `metric{dims}`). */
  readonly strangers: readonly string[];
}

interface Listed {
  readonly key: string;
  readonly metricName: string;
  readonly dims: { Name: string; Value: string }[];
}

/** What readback.ts and expected.ts call a series: `Metric` (ClusterName only) or `NodeCount/<status>`. */
function keyOf(metricName: string, dims: Record<string, string>, cluster: string): string | undefined {
  const names = Object.keys(dims).sort().join(',');
  if (dims[DIMENSION.cluster] !== cluster) return undefined;
  if (names === DIMENSION.cluster) return metricName;
  if (metricName === CLUSTER_METRICS.nodeCount.name && names === [DIMENSION.cluster, DIMENSION.status].sort().join(',')) return `${metricName}/${dims[DIMENSION.status]}`;
  return undefined;
}

async function listSeries(cloudwatch: CloudWatchClient, namespace: string): Promise<Map<string, Listed>> {
  const out = new Map<string, Listed>();
  let NextToken: string | undefined;
  do {
    const page = await cloudwatch.send(new ListMetricsCommand({ Namespace: namespace, NextToken }));
    for (const m of page.Metrics ?? []) {
      const dims = (m.Dimensions ?? []).map((d) => ({ Name: d.Name!, Value: d.Value! })).sort((a, b) => a.Name.localeCompare(b.Name));
      // moto lists a series with two or more dimensions once per datapoint (docs/testing.md): one entry each.
      const id = `${m.MetricName}${JSON.stringify(dims)}`;
      out.set(id, { key: id, metricName: m.MetricName!, dims });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** Reads every series of `namespace` over the window, period by period. */
export async function readNamespace(
  cloudwatch: CloudWatchClient,
  namespace: string,
  cluster: string,
  window: { startEpochSeconds: number; endEpochSeconds: number },
  periodSeconds: number,
): Promise<NamespaceReading> {
  const series = [...(await listSeries(cloudwatch, namespace)).values()].filter((s) => s.metricName !== HEARTBEAT_METRIC.name);
  const values = new Map<string, Map<string, PeriodValue>>();
  const strangers: string[] = [];
  const stats = ['Sum', 'SampleCount', 'Maximum'] as const;
  const perCall = Math.floor(500 / stats.length);
  for (let at = 0; at < series.length; at += perCall) {
    const batch = series.slice(at, at + perCall);
    const queries: MetricDataQuery[] = batch.flatMap((s, i) =>
      stats.map((stat, j) => ({
        Id: `q${i}_${j}`,
        MetricStat: { Metric: { Namespace: namespace, MetricName: s.metricName, Dimensions: s.dims }, Period: periodSeconds, Stat: stat },
      })),
    );
    const answer = await cloudwatch.send(
      new GetMetricDataCommand({ StartTime: new Date(window.startEpochSeconds * 1000), EndTime: new Date(window.endEpochSeconds * 1000), MetricDataQueries: queries }),
    );
    const byId = new Map((answer.MetricDataResults ?? []).map((r) => [r.Id!, r]));
    batch.forEach((s, i) => {
      const dims = Object.fromEntries(s.dims.map((d) => [d.Name, d.Value]));
      const key = keyOf(s.metricName, dims, cluster) ?? `${s.metricName}{${s.dims.map((d) => `${d.Name}=${d.Value}`).join(',')}}`;
      if (!keyOf(s.metricName, dims, cluster)) strangers.push(key);
      const perPeriod = values.get(key) ?? new Map<string, PeriodValue>();
      const [sums, counts, maxes] = stats.map((_, j) => byId.get(`q${i}_${j}`));
      (sums?.Timestamps ?? []).forEach((t, k) => {
        const find = (r: typeof sums) => {
          const idx = r?.Timestamps?.findIndex((u) => u.getTime() === t.getTime()) ?? -1;
          return idx >= 0 ? r!.Values![idx]! : NaN;
        };
        perPeriod.set(t.toISOString(), { sum: sums!.Values![k]!, samples: find(counts), max: find(maxes) });
      });
      values.set(key, perPeriod);
    });
  }
  return { values, strangers };
}

export interface ExactlyOnceVerdict {
  readonly compared: number;
  readonly problems: readonly string[];
  /** One line: what was read and what held. */
  readonly summary: string;
  /** The seeded periods as read back (Sum, and SampleCount where not 1), for the suite's output. */
  readonly rows: readonly string[];
}

/**
 * Judges a namespace reading. `required` are the period starts (epoch seconds) that must be published: the
 * closed periods of the last clean run's window.
 */
export function judgeExactlyOnce(reading: NamespaceReading, expected: readonly ExpectedPeriod[], required: readonly number[], nodes: number): ExactlyOnceVerdict {
  const seeded = compareWithExpected(reading, expected);
  const once = judgeOnceEach(reading, new Set(expected.map((p) => p.periodStart)));
  const problems = [...seeded.problems, ...once.problems];
  let compared = seeded.compared + once.compared;
  const { datums, periods } = once;
  for (const start of required) {
    const at = new Date(start * 1000).toISOString();
    compared += 1;
    if (!reading.values.get(LEDGER_METRIC.name)?.has(at)) {
      problems.push(`period ${at}: no ${LEDGER_METRIC.name} mark, the period was never published`);
      continue;
    }
    const counted = NODE_STATUSES.reduce((t, s) => t + (reading.values.get(`${CLUSTER_METRICS.nodeCount.name}/${s}`)?.get(at)?.sum ?? 0), 0);
    if (counted !== nodes) problems.push(`period ${at}: NodeCount over the statuses is ${counted}, the cluster has ${nodes} nodes`);
  }
  for (const s of reading.strangers) problems.push(`unexpected series ${s}`);

  const rows = expected.map((p) => {
    const get = (key: string) => reading.values.get(key)?.get(p.periodStart);
    const show = (key: string, label = key) => {
      const v = get(key);
      return `${label} ${v ? `${v.sum}${v.samples === 1 ? '' : ` (SampleCount ${v.samples})`}` : '-'}`;
    };
    const m = CLUSTER_METRICS;
    return `${p.periodStart} read back: ${show(m.ec2TotalBytes.name)}, ${show(m.physicalRxBytes.name)}, ${show(m.podRxBytes.name)}, ${show(`${m.nodeCount.name}/ok`, 'NodeCount/ok')}`;
  });
  const summary =
    `read back ${reading.values.size} series over ${periods.size} periods (${datums} datapoints, Sum + SampleCount + Maximum): ` +
    `${expected.length} seeded periods against the hand formula, ${required.length} periods required` +
    (problems.length === 0 ? ', every value right and from exactly one datum' : `, ${problems.length} problem(s)`);
  return { compared, problems, summary, rows };
}

/**
 * Every datum of the reading outside the `judged` periods (ISO starts, compared elsewhere) from exactly one put
 * (SampleCount 1: CloudWatch adds a second put of a timestamp to the first), and every period's EmitLedger count
 * equal to the requests it needs (a request that landed twice counts twice).
 */
export function judgeOnceEach(reading: NamespaceReading, judged: ReadonlySet<string>): { compared: number; problems: string[]; datums: number; periods: Set<string> } {
  const problems: string[] = [];
  let compared = 0;
  let datums = 0;
  const periods = new Set<string>();
  for (const [key, perPeriod] of reading.values) {
    for (const [at, v] of perPeriod) {
      datums += 1;
      periods.add(at);
      if (key === LEDGER_METRIC.name) {
        compared += 1;
        if (v.samples !== v.max) problems.push(`${key} @${at}: ${v.samples} request(s) landed for a period that needs ${v.max}`);
      } else if (!judged.has(at)) {
        compared += 1;
        if (v.samples !== 1) problems.push(`${key} @${at}: published ${v.samples} times (SampleCount), expected exactly once`);
      }
    }
  }
  return { compared, problems, datums, periods };
}

/** The closed periods a run's window covered for the whole run, which started at `fromSeconds` and ended at `toSeconds`. */
export function periodsCovered(fromSeconds: number, toSeconds: number, s: { periodSeconds: number; lagSeconds: number; backfillSeconds: number }): number[] {
  const P = s.periodSeconds;
  const oldest = Math.ceil((toSeconds - s.backfillSeconds) / P) * P;
  const closedEnd = Math.floor((fromSeconds - s.lagSeconds) / P) * P;
  const out: number[] = [];
  for (let t = oldest; t < closedEnd; t += P) out.push(t);
  return out;
}
