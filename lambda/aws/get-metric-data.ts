/**
 * One GetMetricData request, followed through its NextToken pages, in one place for the ledger read and the
 * metric reader. Every page is a call (the TPS quota, and a retry of its own when throttled); the
 * datapoints-per-second quota is taken once for the whole request, before its first page, because the pages
 * only split the datapoints the request returns between them. Billing counts the metrics of the request once:
 * NextToken pages continue the same request.
 */
import { GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { callAws, sendOptions, type AwsRuntime } from './api';

export interface MetricDataRequest {
  readonly queries: MetricDataQuery[];
  /** Epoch seconds, [start, end). */
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** Datapoints the request can return at most, over all its pages: what the DPS quota is paced on. */
  readonly datapoints: number;
  /** Metrics the request is billed for (five statistics of one metric count as one). */
  readonly billedMetrics: number;
}

/** Sends the request and every NextToken page, oldest datapoints first, handing each page's results to `onPage`. */
export async function getMetricDataPages(rt: AwsRuntime, request: MetricDataRequest, onPage: (results: readonly MetricDataResult[]) => void): Promise<void> {
  let nextToken: string | undefined;
  let first = true;
  do {
    const input = {
      MetricDataQueries: request.queries,
      StartTime: new Date(request.startSeconds * 1000),
      EndTime: new Date(request.endSeconds * 1000),
      ScanBy: 'TimestampAscending' as const,
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
    const firstPage = first;
    const page = await callAws(
      rt,
      'GetMetricData',
      async () => {
        await rt.buckets.getMetricDataCalls.take(1, rt.signal);
        if (firstPage) await rt.buckets.getMetricDataPoints.take(request.datapoints, rt.signal);
      },
      () => rt.cloudWatch.send(new GetMetricDataCommand(input), sendOptions(rt)),
    );
    if (first) rt.counters.metricsRequested += request.billedMetrics;
    first = false;
    const results = page.MetricDataResults ?? [];
    for (const r of results) rt.counters.datapointsReturned += Math.min(r.Timestamps?.length ?? 0, r.Values?.length ?? 0);
    onPage(results);
    nextToken = page.NextToken;
  } while (nextToken);
}

/** What one query of readQueries returned: its datapoints, oldest first. */
export interface QueryAnswer {
  readonly timestampsSeconds: number[];
  readonly values: number[];
}

/**
 * Sends the queries in calls of at most `maxQueries` (every page followed) and returns each query's datapoints by
 * id; a query CloudWatch did not answer is absent. `datapointsPerQuery` paces the DPS quota. Progress every 10 calls.
 */
export async function readQueries(
  rt: AwsRuntime,
  queries: readonly MetricDataQuery[],
  window: { readonly startSeconds: number; readonly endSeconds: number; readonly datapointsPerQuery: number; readonly maxQueries: number },
  label: string,
): Promise<Map<string, QueryAnswer>> {
  const answers = new Map<string, QueryAnswer>();
  const calls = Math.ceil(queries.length / window.maxQueries);
  for (let c = 0; c < calls; c++) {
    const chunk = queries.slice(c * window.maxQueries, (c + 1) * window.maxQueries);
    await getMetricDataPages(
      rt,
      { queries: [...chunk], startSeconds: window.startSeconds, endSeconds: window.endSeconds, datapoints: chunk.length * window.datapointsPerQuery, billedMetrics: chunk.length },
      (results) => {
        for (const r of results) {
          if (!r.Id) continue;
          const entry = answers.get(r.Id) ?? { timestampsSeconds: [], values: [] };
          answers.set(r.Id, entry);
          const n = Math.min(r.Timestamps?.length ?? 0, r.Values?.length ?? 0);
          for (let i = 0; i < n; i++) {
            entry.timestampsSeconds.push(r.Timestamps![i]!.getTime() / 1000);
            entry.values.push(r.Values![i]!);
          }
        }
      },
    );
    if ((c + 1) % 10 === 0) rt.progress(`${label}… ${(c + 1).toLocaleString('en-US')} of ${calls.toLocaleString('en-US')} GetMetricData calls`);
  }
  return answers;
}
