/**
 * The high-water mark, kept in CloudWatch itself (docs/aws.md, "Exactly once"). Every PutMetricData request
 * carries, for each period whose data it holds, one `EmitLedger` datum (timestamp = period start, value = the
 * number of requests that period's data takes). Data and marker land together or not at all, so per period:
 * SampleCount = requests that landed, Maximum = requests needed. Requests go out one by one in a fixed order,
 * so the landed requests of a period are always a prefix, and a run resumes after it.
 *
 * This file reads the ledger: one GetMetricData call, two statistics of one metric (billed as one metric). What a run
 * decides from it is plan/pending-periods.ts; what a warm container remembers of it, plan/ledger-memory.ts.
 */
import { clusterDimensions, HEARTBEAT_METRIC, LEDGER_METRIC } from '../output-metrics';
import type { AwsRuntime } from './api';
import { getMetricDataPages } from './get-metric-data';
import type { LedgerEntry } from '../plan/pending-periods';
import { NetReconError } from '../core/errors';

export interface LedgerQuery {
  readonly namespace: string;
  readonly cluster: string;
  /** A source account's cluster (central reconciler): its ledger carries the AccountId dimension too. */
  readonly accountId?: string | undefined;
  readonly periodSeconds: number;
  /** Epoch seconds, aligned to the period. */
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/**
 * The ledger could not be read in full. Never taken as "nothing was emitted": that would publish complete
 * periods again and double them. The cluster fails and the next run reads the ledger again.
 */
export class LedgerReadError extends NetReconError {
  constructor(cluster: string, reason: string) {
    super(
      `the EmitLedger read for cluster ${cluster} failed (${reason}). Nothing was published: without the ledger a run ` +
        'cannot tell published periods from pending ones. The next run reads it again; if it persists, check CloudWatch ' +
        'service health and that the role may call cloudwatch:GetMetricData.',
    );
    this.name = 'LedgerReadError';
  }
}

export async function readLedger(rt: AwsRuntime, q: LedgerQuery): Promise<Map<number, LedgerEntry>> {
  const metric = {
    Namespace: q.namespace,
    MetricName: LEDGER_METRIC.name,
    Dimensions: Object.entries(clusterDimensions(q.cluster, q.accountId)).map(([Name, Value]) => ({ Name, Value })),
  };
  const landed = new Map<number, number>();
  const total = new Map<number, number>();
  if (q.endSeconds <= q.startSeconds) return new Map();
  // The last page's StatusCode of each query says whether its answer is whole; a query missing from the answer is not.
  const status = new Map<string, string | undefined>();
  try {
    await getMetricDataPages(
      rt,
      {
        queries: [
          { Id: 'landed', MetricStat: { Metric: metric, Period: q.periodSeconds, Stat: 'SampleCount' }, ReturnData: true },
          { Id: 'total', MetricStat: { Metric: metric, Period: q.periodSeconds, Stat: 'Maximum' }, ReturnData: true },
        ],
        startSeconds: q.startSeconds,
        endSeconds: q.endSeconds,
        datapoints: 2 * Math.ceil((q.endSeconds - q.startSeconds) / q.periodSeconds),
        // Two statistics of the same metric in one request are billed as one metric.
        billedMetrics: 1,
      },
      (results) => {
        for (const r of results) {
          const into = r.Id === 'landed' ? landed : r.Id === 'total' ? total : undefined;
          if (!into) continue;
          status.set(r.Id!, r.StatusCode ?? status.get(r.Id!));
          (r.Timestamps ?? []).forEach((t, i) => {
            const v = r.Values?.[i];
            if (v !== undefined) into.set(Math.round(t.getTime() / 1000), v);
          });
        }
      },
    );
  } catch (error) {
    if (rt.signal?.aborted) throw error;
    throw new LedgerReadError(q.cluster, `GetMetricData failed after retries: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  for (const id of ['landed', 'total']) {
    if (!status.has(id)) throw new LedgerReadError(q.cluster, `the answer has no result for the query ${id}`);
    const code = status.get(id);
    if (code === 'InternalError' || code === 'Forbidden') throw new LedgerReadError(q.cluster, `CloudWatch answered StatusCode ${code}`);
  }
  const ledger = new Map<number, LedgerEntry>();
  for (const [start, n] of landed) ledger.set(start, { landed: n, total: total.get(start) ?? n });
  return ledger;
}


/**
 * The latest run of a deployed function that published `cluster`'s Heartbeat to `namespace` in
 * [startSeconds, endSeconds) (epoch seconds of its period), or undefined. The CLI without a ledger table reads it
 * to tell whether a function may be publishing the same cluster (docs/aws.md, "Exactly once"): one GetMetricData
 * call, one metric.
 */
export async function lastHeartbeatSeconds(rt: AwsRuntime, q: Omit<LedgerQuery, 'periodSeconds'>): Promise<number | undefined> {
  const metric = {
    Namespace: q.namespace,
    MetricName: HEARTBEAT_METRIC.name,
    Dimensions: Object.entries(clusterDimensions(q.cluster, q.accountId)).map(([Name, Value]) => ({ Name, Value })),
  };
  let latest: number | undefined;
  await getMetricDataPages(
    rt,
    {
      queries: [{ Id: 'beats', MetricStat: { Metric: metric, Period: 300, Stat: 'SampleCount' }, ReturnData: true }],
      startSeconds: q.startSeconds,
      endSeconds: q.endSeconds,
      datapoints: Math.ceil((q.endSeconds - q.startSeconds) / 300),
      billedMetrics: 1,
    },
    (results) => {
      for (const r of results) for (const t of r.Timestamps ?? []) latest = Math.max(latest ?? 0, Math.round(t.getTime() / 1000));
    },
  );
  return latest;
}
