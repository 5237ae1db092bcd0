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
