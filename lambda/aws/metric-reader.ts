/**
 * Runs a query plan with GetMetricData and turns the answers into capture series. Calls run with bounded
 * concurrency, each paced by the TPS and datapoints-per-second quotas, retried when throttled, and every
 * NextToken page is followed.
 *
 * A series whose read failed (the call still failed after its retries, or CloudWatch answered the query with
 * StatusCode InternalError or Forbidden) is a read failure, never a series without data: an empty series would
 * reconcile as a node missing that source and be published as a figure. Once a call has failed the calls not yet
 * sent are not sent (their answers could not be used), and the caller gets every failure to act on
 * (docs/aws.md, "A failed read").
 */
import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { CaptureSeries } from '../capture/capture';
import type { AwsRuntime } from './api';
import { getMetricDataPages } from './get-metric-data';
import type { PlannedCall, ReadWindow } from '../plan/query-plan';
import { mapConcurrent } from './throttle';
import { NetReconError } from '../core/errors';

/** Series of one call that could not be read, and why. */
export interface ReadFailure {
  /** `namespace metric {dimensions}` of each series not read. */
  readonly series: readonly string[];
  readonly reason: string;
}

export interface ReadResult {
  readonly series: CaptureSeries[];
  readonly failures: ReadFailure[];
  /** Calls not sent because an earlier call had failed. */
  readonly callsNotSent: number;
}

/** Some series of a read could not be read: nothing built on the read may be published or reported as data. */
export class ReadFailedError extends NetReconError {
  readonly seriesNotRead: number;
  constructor(
    readonly failures: readonly ReadFailure[],
    readonly callsNotSent: number,
    /** What the read was for, e.g. "cluster prod, 2026-03-01T10:00:00.000Z .. 2026-03-01T11:00:00.000Z". */
    readonly context: string,
  ) {
    const seriesNotRead = failures.reduce((a, f) => a + f.series.length, 0);
    const first = failures[0];
    super(
      `GetMetricData: ${seriesNotRead} series of ${context} could not be read` +
        (first ? ` (${first.reason}; e.g. ${first.series[0] ?? '?'})` : '') +
        (callsNotSent > 0 ? `; ${callsNotSent} later call(s) were not sent` : '') +
        '. Nothing was published for these periods: they stay pending and the next run reads them again. ' +
        'If it persists, check CloudWatch service health and that the role may call cloudwatch:GetMetricData on every source namespace.',
    );
    this.name = 'ReadFailedError';
    this.seriesNotRead = seriesNotRead;
  }
}

/** ISO strings are shared between series: a 100k-node read repeats the same few hundred timestamps. */
class IsoCache {
  private readonly byMs = new Map<number, string>();
  of(date: Date): string {
    const ms = date.getTime();
    let iso = this.byMs.get(ms);
    if (iso === undefined) {
      iso = date.toISOString();
      this.byMs.set(ms, iso);
    }
    return iso;
  }
}

function describe(call: PlannedCall, id: string): string {
  const q = call.queries.find((x) => x.id === id);
  if (!q) return id;
  const dims = Object.entries(q.spec.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${q.spec.namespace} ${q.spec.metricName} {${dims}}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function readCall(rt: AwsRuntime, call: PlannedCall, window: ReadWindow, iso: IsoCache): Promise<{ series: CaptureSeries[]; failures: ReadFailure[] }> {
  const queries: MetricDataQuery[] = call.queries.map((q) => ({
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: q.spec.namespace,
        MetricName: q.spec.metricName,
        Dimensions: Object.entries(q.spec.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: q.spec.periodSeconds,
      Stat: q.spec.stat,
    },
    ReturnData: true,
    // A source account's series, read from the monitoring account through OAM (docs/central.md).
    ...(q.spec.accountId === undefined ? {} : { AccountId: q.spec.accountId }),
  }));
  const merged = new Map<string, { timestamps: string[]; values: number[]; statusCode: string | undefined }>();
  try {
    await getMetricDataPages(
      rt,
      { queries, startSeconds: window.startSeconds, endSeconds: window.endSeconds, datapoints: call.datapoints, billedMetrics: call.billedMetrics },
      (results) => {
        for (const r of results) mergeResult(merged, r, iso);
      },
    );
  } catch (error) {
    if (rt.signal?.aborted) throw error;
    const reason = `the call failed after retries: ${errorText(error)}`;
    return { series: [], failures: [{ series: call.queries.map((q) => describe(call, q.id)), reason }] };
  }

  const series: CaptureSeries[] = [];
  const refused = new Map<string, string[]>();
  for (const q of call.queries) {
    const got = merged.get(q.id);
    if (got && (got.statusCode === 'Forbidden' || got.statusCode === 'InternalError')) {
      const list = refused.get(got.statusCode) ?? [];
      list.push(describe(call, q.id));
      refused.set(got.statusCode, list);
      continue;
    }
    series.push({
      id: q.id,
      source: q.spec.source,
      direction: q.spec.direction,
      namespace: q.spec.namespace,
      metricName: q.spec.metricName,
      dimensions: q.spec.dimensions,
      stat: q.spec.stat,
      periodSeconds: q.spec.periodSeconds,
      ...(q.spec.sampleSeconds === undefined ? {} : { sampleSeconds: q.spec.sampleSeconds }),
      unit: q.spec.unit,
      timestamps: got?.timestamps ?? [],
      values: got?.values ?? [],
      ...(got?.statusCode ? { statusCode: got.statusCode } : {}),
    });
  }
  const failures = [...refused].map(([status, refs]) => ({ series: refs, reason: `CloudWatch answered StatusCode ${status}` }));
  return { series, failures };
}

function mergeResult(merged: Map<string, { timestamps: string[]; values: number[]; statusCode: string | undefined }>, r: MetricDataResult, iso: IsoCache): void {
  if (!r.Id) return;
  let entry = merged.get(r.Id);
  if (!entry) {
    entry = { timestamps: [], values: [], statusCode: undefined };
    merged.set(r.Id, entry);
  }
  const ts = r.Timestamps ?? [];
  const vs = r.Values ?? [];
  const n = Math.min(ts.length, vs.length);
  for (let i = 0; i < n; i++) {
    entry.timestamps.push(iso.of(ts[i]!));
    entry.values.push(vs[i]!);
  }
  // The last page's status is the one that tells whether the answer is complete.
  if (r.StatusCode) entry.statusCode = r.StatusCode;
}

/** Reads every planned call; answers come back in plan order. */
export async function readMetrics(rt: AwsRuntime, calls: readonly PlannedCall[], window: ReadWindow): Promise<ReadResult> {
  const iso = new IsoCache();
  let done = 0;
  let failed = false;
  let callsNotSent = 0;
  const results = await mapConcurrent(calls, rt.readConcurrency, async (call) => {
    if (failed) {
      callsNotSent++;
      return { series: [], failures: [] };
    }
    const r = await readCall(rt, call, window, iso);
    if (r.failures.length > 0) failed = true;
    done++;
    if (calls.length >= 20 && done % Math.ceil(calls.length / 10) === 0) rt.progress(`metrics: ${done}/${calls.length} GetMetricData calls`);
    return r;
  });
  return { series: results.flatMap((r) => r.series), failures: results.flatMap((r) => r.failures), callsNotSent };
}
