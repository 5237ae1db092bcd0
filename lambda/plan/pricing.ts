/**
 * CloudWatch list prices netrecon's cost estimates use (us-east-1, standard tier), in one place.
 * Source: aws.amazon.com/cloudwatch/pricing and the AWS Knowledge Center: "GetMetricData: $0.01 per 1,000 metrics
 * requested"; "You can request up to five statistics for the same metric in a single GetMetricData API request.
 * Additional statistics are billed as an additional metric." Each price, its source and how it was checked:
 * docs/limits.md, "Prices (us-east-1)".
 *
 * What changes the read bill (GetMetricData is billed per metric requested, whatever the time range):
 * - the number of series requested per read (agent `resources`, per-node vs cluster series);
 * - how often each series is requested, i.e. the periods per read (NETRECON_PERIODS_PER_READ): one query
 *   over 12 periods costs what one query over 1 period costs;
 * - SEARCH / Metrics Insights expressions, whose billing per metric analyzed is not settled in public sources,
 *   which is one reason the planner uses ListMetrics + MetricStat instead.
 * What changes only the call count, not the bill: how queries are packed into calls (500 a call), NextToken
 * pages, the datapoints per call, retries of throttled calls (a throttled call is not billed as a request of
 * metrics), and the query period (60 s or P).
 */
export const PRICES_USD = {
  /** GetMetricData, per metric (MetricStat query) requested. */
  getMetricDataPerMetric: 0.01 / 1000,
  /** PutMetricData, ListMetrics and other standard API requests, per request (beyond the free 1M a month). */
  apiRequest: 0.01 / 1000,
  /** Custom metric, per metric-month, first 10,000 metrics (prorated hourly). */
  customMetricMonth: 0.3,
  /** Standard-resolution alarm, per alarm metric-month (a metric-math alarm pays for each metric it reads); 10 free. */
  alarmMetricMonth: 0.1,
  /** Composite alarm, per alarm-month. */
  compositeAlarmMonth: 0.5,
  /** Dashboard, per dashboard-month beyond the 3 free ones. */
  dashboardMonth: 3,
  /** Amazon Managed Service for Prometheus, per query sample processed (QSP): $0.10 per billion; 200 billion a month free. */
  ampQuerySample: 0.1 / 1e9,
  /** CloudWatch PromQL API queries, per sample scanned: free while OTLP ingestion and PromQL queries are in public preview. */
  cloudWatchPromqlSample: 0,
} as const;

/** A month as CloudWatch prorates it: 730 hours. */
export const HOURS_PER_MONTH = 730;

export interface ApiUsage {
  readonly getMetricDataCalls: number;
  readonly metricsRequested: number;
  readonly listMetricsCalls: number;
  readonly putMetricDataCalls: number;
  readonly describeInstancesCalls: number;
}

/** Dollars one run costs in API charges (DescribeInstances is free; custom-metric storage is per month, not per run). */
export function runCostUsd(usage: ApiUsage): number {
  return (
    usage.metricsRequested * PRICES_USD.getMetricDataPerMetric +
    (usage.listMetricsCalls + usage.putMetricDataCalls) * PRICES_USD.apiRequest
  );
}
