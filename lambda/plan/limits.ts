import { DEFAULT_PERIOD_SECONDS } from '../core/config';

/**
 * Every AWS API limit and quota the adapters rely on, each with the documentation it comes from; docs/limits.md
 * lists them with their sources, what they were checked against and where sources disagree.
 * Per-call limits are hard (the API rejects a bigger call); per-second quotas are account-and-Region defaults
 * that users can raise, so the rate limiter takes them as settings with these defaults.
 */

/**
 * GetMetricData: "A GetMetricData operation that does not include a query can retrieve as many as 500
 * different metrics in a single request, with a total of as many as 100,800 data points."
 * (CloudWatch API Reference, GetMetricData; AWS Knowledge Center "cloudwatch-getmetricdata-api": 500 metrics and
 * 100,800 data points per call.)
 */
export const GET_METRIC_DATA_MAX_QUERIES = 500;
export const GET_METRIC_DATA_MAX_DATAPOINTS = 100_800;

/**
 * GetMetricData quotas: "50 transactions per second (TPS)"; "180,000 data points per second (DPS), if the
 * StartTime in the API request is less than or equal to three hours from the current time"; "396,000 DPS, if
 * the StartTime is more than three hours from the current time." (AWS Knowledge Center,
 * "Which API should I use, GetMetricData or GetMetricStatistics?"; CloudWatch service quotas.)
 * The reads are paced to the recent-data quota, the stricter one, whatever their StartTime.
 */
export const GET_METRIC_DATA_TPS = 50;
export const GET_METRIC_DATA_DPS_RECENT = 180_000;

/**
 * ListMetrics: "Up to 500 results are returned for any one call. To retrieve additional results, use the
 * returned token with subsequent calls." RecentlyActive: "specify this parameter with a value of PT3H. This is
 * the only valid value" and "there is a low probability that the returned results include metrics with last
 * published data as much as 50 minutes more than the specified time interval". "After you create a metric,
 * allow up to 15 minutes for the metric to appear." (CloudWatch API Reference, ListMetrics.)
 * Quota 25 TPS (CloudWatch service quotas; docs/limits.md, "Per-second quotas").
 */
export const LIST_METRICS_PAGE_SIZE = 500;
export const LIST_METRICS_RECENTLY_ACTIVE = 'PT3H';
export const LIST_METRICS_RECENTLY_ACTIVE_SECONDS = 3 * 3600;
export const LIST_METRICS_TPS = 25;

/**
 * PutMetricData: "Each PutMetricData request is limited to 1 MB in size for HTTP POST requests. You can send a
 * payload compressed by gzip. Each request is also limited to no more than 1000 different metrics."
 * "Values must be in the range of -2^360 to 2^360. In addition, special values (for example, NaN, +Infinity,
 * -Infinity) are not supported." "You can use up to 30 dimensions per metric." (CloudWatch API Reference,
 * PutMetricData.) We count 1 MB as 1,000,000 bytes of the uncompressed body, the conservative reading.
 * Quota 500 TPS (CloudWatch service quotas; docs/limits.md, "Per-second quotas"). Older documentation gave 40 KB
 * and 20 datums a request: docs/limits.md, "Per-call limits".
 */
export const PUT_METRIC_DATA_MAX_METRICS = 1000;
export const PUT_METRIC_DATA_MAX_BYTES = 1_000_000;
export const PUT_METRIC_DATA_TPS = 500;

/**
 * DescribeInstances: MaxResults "can be between 5 and 1000"; "We strongly recommend using only paginated
 * requests. Unpaginated requests are susceptible to throttling and timeouts." (EC2 API Reference,
 * DescribeInstances.) Its token bucket holds 100 and refills at 20 per second (Request throttling for the Amazon
 * EC2 API; docs/limits.md, "Per-second quotas").
 */
export const DESCRIBE_INSTANCES_MAX_RESULTS = 1000;
export const DESCRIBE_INSTANCES_TPS = 20;

/**
 * Retention of 1-minute data: "Data points with a period of 60 seconds (1-minute) are available for 15 days."
 * PutMetricData accepts timestamps up to two weeks in the past. (CloudWatch API Reference, GetMetricData and
 * PutMetricData.) The backfill bound must stay inside both.
 */
export const MAX_BACKFILL_SECONDS = 14 * 86_400;

/**
 * PutMetricData read-after-write delay: "Data points with time stamps from 24 hours ago or longer can take at
 * least 48 hours to become available for GetMetricData or GetMetricStatistics from the time they are submitted.
 * Data points with time stamps between 3 and 24 hours ago can take as much as 2 hours to become available"
 * (CloudWatch API Reference, PutMetricData). For fresher data no bound is stated; markers of recent periods
 * show within a minute or two in practice, and netrecon holds an in-doubt recent period 15 minutes, a margin of
 * several times that (docs/aws.md, "In-doubt puts").
 */
export const PUT_VISIBLE_AFTER_SECONDS = { olderThan3Hours: 2 * 3600, olderThanADay: 48 * 3600 } as const;
export const IN_DOUBT_HOLD_RECENT_SECONDS = 15 * 60;

/** The longest a Lambda invocation runs (the 15-minute timeout): a request of a run was sent before its start plus this. */
export const MAX_RUN_SECONDS = 900;

/**
 * The most periods one run takes: the backfill bound in periods of the default 300 s (4,032). A run reads and
 * holds all its periods at once, so the bound stays a count of periods whatever the period, and a longer
 * window is published over several runs.
 */
export const MAX_PERIODS_PER_RUN = MAX_BACKFILL_SECONDS / DEFAULT_PERIOD_SECONDS;

/**
 * "In most cases, a request must reach AWS within five minutes of the time stamp in the request. Otherwise, AWS
 * denies the request" (IAM User Guide, "AWS Signature Version 4 for API requests"): a put signed before its send
 * deadline cannot land later than this after it.
 */
export const SIGV4_VALIDITY_SECONDS = 300;

/**
 * How far two publishers' clocks may disagree and both still sign requests AWS accepts (netrecon allows the
 * 15 minutes issue reports give as inside the signing tolerance). Every time one process writes to the ledger
 * store and another compares with its own clock (a lease's expiry, an intent's hold) carries this margin.
 */
export const CLOCK_SKEW_ALLOWANCE_SECONDS = 900;

/**
 * A put whose intent was written to the ledger store must be sent within this many seconds of the intent, or
 * not at all (the sink checks before every try): it bounds when an intent's request can still land.
 */
export const PUT_SEND_DEADLINE_SECONDS = 120;

/** A publisher's lease on a cluster's ledger: the longest invocation, renewed with every intent. */
export const LEASE_SECONDS = MAX_RUN_SECONDS;
