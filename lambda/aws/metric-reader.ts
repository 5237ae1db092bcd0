/**
 * Runs a query plan with GetMetricData and turns the answers into capture series. Calls run with bounded
 * concurrency, each paced by the TPS and datapoints-per-second quotas, retried when throttled, and every
 * NextToken page is followed. A call that still fails is reported: its series are skipped with the reason, and
 * the rest of the run goes on (the core then reports the affected nodes as missing that source).
 */
import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { CaptureSeries } from '../capture/capture';
import type { SkippedItem, SkippedSeriesTarget } from '../core/model';
import type { AwsRuntime } from './api';
import { getMetricDataPages } from './get-metric-data';
import type { PlannedCall, ReadWindow } from './query-plan';
import { mapConcurrent } from './throttle';

export interface ReadResult {
  readonly series: CaptureSeries[];
  readonly skipped: SkippedItem[];
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

/** What a planned query measured, so that the core reports its node's source as a gap rather than as empty. */
function targetOf(call: PlannedCall, id: string): { series?: SkippedSeriesTarget } {
  const spec = call.queries.find((x) => x.id === id)?.spec;
  if (!spec) return {};
  const { instanceId, source, direction, interfaceName } = spec;
  return { series: { instanceId, source, direction, ...(interfaceName === undefined ? {} : { interfaceName }) } };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function readCall(rt: AwsRuntime, call: PlannedCall, window: ReadWindow, iso: IsoCache): Promise<ReadResult> {
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
  }));
  const merged = new Map<string, { timestamps: string[]; values: number[]; statusCode: string | undefined }>();
  const skipped: SkippedItem[] = [];
  try {
    await getMetricDataPages(
      rt,
      { queries, startSeconds: window.startSeconds, endSeconds: window.endSeconds, datapoints: call.datapoints, billedMetrics: call.queries.length },
      (results) => {
        for (const r of results) mergeResult(merged, r, iso);
      },
    );
  } catch (error) {
    if (rt.signal?.aborted) throw error;
    const reason = `GetMetricData failed after retries (${errorText(error)}); the series was not read`;
    return { series: [], skipped: call.queries.map((q) => ({ kind: 'series', ref: describe(call, q.id), reason, ...targetOf(call, q.id) })) };
  }

  const series: CaptureSeries[] = [];
  for (const q of call.queries) {
    const got = merged.get(q.id);
    if (got && (got.statusCode === 'Forbidden' || got.statusCode === 'InternalError')) {
      skipped.push({ kind: 'series', ref: describe(call, q.id), reason: `GetMetricData answered StatusCode ${got.statusCode}`, value: got.statusCode, ...targetOf(call, q.id) });
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
      unit: q.spec.unit,
      timestamps: got?.timestamps ?? [],
      values: got?.values ?? [],
      ...(got?.statusCode ? { statusCode: got.statusCode } : {}),
    });
  }
  return { series, skipped };
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
  const results = await mapConcurrent(calls, rt.readConcurrency, async (call) => {
    const r = await readCall(rt, call, window, iso);
    done++;
    if (calls.length >= 20 && done % Math.ceil(calls.length / 10) === 0) rt.progress(`metrics: ${done}/${calls.length} GetMetricData calls`);
    return r;
  });
  return { series: results.flatMap((r) => r.series), skipped: results.flatMap((r) => r.skipped) };
}
