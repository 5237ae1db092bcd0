/**
 * What every adapter needs to call AWS: the two SDK clients (only their `send`), the quota buckets, retry
 * settings, the abort signal and the call counters that end up in the run summary and the benchmark.
 * The adapters never construct clients themselves, so tests pass aws-sdk-client-mock'ed clients and the
 * benchmark an in-process fake.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import {
  DESCRIBE_INSTANCES_TPS,
  GET_METRIC_DATA_DPS_RECENT,
  GET_METRIC_DATA_TPS,
  LIST_METRICS_TPS,
  PUT_METRIC_DATA_TPS,
} from '../plan/limits';
import { DEFAULT_ATTEMPTS, realClock, TokenBucket, withRetry, isThrottling, type Clock, type RetryOptions } from './throttle';
import { displayName } from '../core/display-text';
import { NetReconError } from '../core/errors';
import { serverClockOf, type ServerClock } from './server-clock';

export type CloudWatchSender = Pick<CloudWatchClient, 'send'>;
export type Ec2Sender = Pick<EC2Client, 'send'>;
/** Only with `clusters=auto` (lambda/aws/cluster-list.ts). */
export type EksSender = Pick<EKSClient, 'send'>;

export const OPERATIONS = [
  'DescribeInstances',
  'ListMetrics',
  'GetMetricData',
  'PutMetricData',
  'ListClusters',
  'DescribeCluster',
  // The ledger store (aws/ledger-store.ts), when the run has one.
  'UpdateItem',
  'GetItem',
  'Query',
  'TransactWriteItems',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface ApiCounters {
  /** Calls that reached the client, retries included. */
  readonly calls: Record<Operation, number>;
  /** MetricStat queries sent in GetMetricData calls (first pages only: NextToken pages repeat the same queries and are not billed again). */
  metricsRequested: number;
  /** Datapoints GetMetricData returned. */
  datapointsReturned: number;
  /** MetricDatum entries sent with PutMetricData, ledger markers included. */
  metricsEmitted: number;
  /** Calls answered with a throttling error. */
  throttled: number;
  /** Calls retried by our own layer (the SDK's own retries are not visible here). */
  retries: number;
}

export function newCounters(): ApiCounters {
  return {
    calls: Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<Operation, number>,
    metricsRequested: 0,
    datapointsReturned: 0,
    metricsEmitted: 0,
    throttled: 0,
    retries: 0,
  };
}

/** Per-second quotas to pace our calls to; defaults are the documented account defaults (limits.ts). */
export interface Quotas {
  readonly getMetricDataTps: number;
  /** Datapoints a second GetMetricData may return (the recent-data quota, the stricter of the two). */
  readonly getMetricDataDps: number;
  readonly listMetricsTps: number;
  readonly putMetricDataTps: number;
  readonly describeInstancesTps: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  getMetricDataTps: GET_METRIC_DATA_TPS,
  getMetricDataDps: GET_METRIC_DATA_DPS_RECENT,
  listMetricsTps: LIST_METRICS_TPS,
  putMetricDataTps: PUT_METRIC_DATA_TPS,
  describeInstancesTps: DESCRIBE_INSTANCES_TPS,
};

export interface AwsRuntime {
  readonly cloudWatch: CloudWatchSender;
  /**
   * The client PutMetricData goes through: without SDK retries, because a put that timed out may have landed,
   * and a blind retry would add its values a second time. The sink retries only throttling (a definite
   * rejection) and leaves any other doubt to the ledger, read by the next run.
   */
  readonly cloudWatchPut: CloudWatchSender;
  readonly ec2: Ec2Sender;
  readonly clock: Clock;
  /** The service's time as the SDK clients measured it (server-clock.ts): what decides which periods are closed. */
  readonly serverClock: ServerClock;
  readonly signal?: AbortSignal;
  readonly counters: ApiCounters;
  readonly retry: Omit<RetryOptions, 'clock' | 'signal' | 'onRetry'>;
  /** GetMetricData calls in flight at once (paced by the quotas anyway). */
  readonly readConcurrency: number;
  readonly buckets: {
    readonly getMetricDataCalls: TokenBucket;
    readonly getMetricDataPoints: TokenBucket;
    readonly listMetrics: TokenBucket;
    readonly putMetricData: TokenBucket;
    readonly describeInstances: TokenBucket;
  };
  /** Progress lines for long work (the CLI prints them on stderr; the handler logs them at debug). */
  readonly progress: (message: string) => void;
}

export interface AwsRuntimeInput {
  readonly cloudWatch: CloudWatchSender;
  /** Default: `cloudWatch` (tests); the handler and the CLI pass a client with SDK retries off (clients.ts). */
  readonly cloudWatchPut?: CloudWatchSender;
  readonly ec2: Ec2Sender;
  readonly clock?: Clock;
  /** Default: the offset the SDK clients above measure (serverClockOf). */
  readonly serverClock?: ServerClock;
  readonly signal?: AbortSignal;
  readonly quotas?: Partial<Quotas>;
  readonly retry?: AwsRuntime['retry'];
  readonly readConcurrency?: number;
  readonly progress?: (message: string) => void;
  readonly counters?: ApiCounters;
}

export function makeAwsRuntime(input: AwsRuntimeInput): AwsRuntime {
  const clock = input.clock ?? realClock;
  const q = { ...DEFAULT_QUOTAS, ...input.quotas };
  return {
    cloudWatch: input.cloudWatch,
    cloudWatchPut: input.cloudWatchPut ?? input.cloudWatch,
    ec2: input.ec2,
    clock,
    serverClock: input.serverClock ?? serverClockOf(input.cloudWatch, input.cloudWatchPut ?? input.cloudWatch, input.ec2),
    ...(input.signal ? { signal: input.signal } : {}),
    counters: input.counters ?? newCounters(),
    retry: input.retry ?? {},
    readConcurrency: input.readConcurrency ?? 8,
    buckets: {
      getMetricDataCalls: new TokenBucket(q.getMetricDataTps, q.getMetricDataTps, clock),
      getMetricDataPoints: new TokenBucket(q.getMetricDataDps, q.getMetricDataDps, clock),
      listMetrics: new TokenBucket(q.listMetricsTps, q.listMetricsTps, clock),
      putMetricData: new TokenBucket(q.putMetricDataTps, q.putMetricDataTps, clock),
      describeInstances: new TokenBucket(q.describeInstancesTps, q.describeInstancesTps, clock),
    },
    progress: input.progress ?? (() => undefined),
  };
}

/** One paced, counted, retried call. `pace` waits for the quota buckets before each try. */
export function callAws<T>(
  rt: AwsRuntime,
  operation: Operation,
  pace: () => Promise<void>,
  send: () => Promise<T>,
  retryable?: (error: unknown) => boolean,
): Promise<T> {
  return withRetry(
    async () => {
      await pace();
      rt.counters.calls[operation]++;
      try {
        return await send();
      } catch (error) {
        if (isThrottling(error)) rt.counters.throttled++;
        throw error;
      }
    },
    {
      ...rt.retry,
      clock: rt.clock,
      ...(rt.signal ? { signal: rt.signal } : {}),
      ...(retryable ? { retryable } : {}),
      onRetry: (error, attempt) => {
        rt.counters.retries++;
        // Throttling is the quota's back-pressure and is absorbed; anything else (a timeout, a 5xx) is said, so a
        // call that keeps failing is never a silent wait.
        if (!isThrottling(error)) rt.progress(`${operation}: ${causeOf(error)}; trying again (${attempt + 1} of ${rt.retry.attempts ?? DEFAULT_ATTEMPTS})`);
      },
    },
  );
}

/** `{ abortSignal }` for `client.send(cmd, options)` when the run has a signal. */
export function sendOptions(rt: AwsRuntime): { abortSignal?: AbortSignal } {
  return rt.signal ? { abortSignal: rt.signal } : {};
}

/** A typed error for an AWS step that failed after its retries, with the operation and what to do. */
export class AwsStepError extends NetReconError {
  constructor(
    readonly operation: Operation,
    message: string,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: ${message}. ${hint}`, { hint, cause: options?.cause });
    this.name = 'AwsStepError';
  }
}

/**
 * A failed call's cause in one line: the error's name, the HTTP status and the first line of its message. The SDK
 * appends a second line to an answer it could not parse ("Deserialization error: ... inspect the hidden field
 * {error}.$response"), which tells a user of the CLI nothing: that case is said in words instead.
 */
export function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return displayName(String(error), 300);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const first = error.message.split('\n')[0]!.trim();
  const http = status === undefined ? '' : ` (HTTP ${status})`;
  const text = /Deserialization error/.test(error.message) ? `the answer${http} could not be parsed: ${error.name}: ${first}` : `${error.name}${http}${first ? `: ${first}` : ''}`;
  return displayName(text, 300);
}

const CALL_PERMISSION: Partial<Record<Operation, string>> = { DescribeInstances: 'ec2:DescribeInstances', ListMetrics: 'cloudwatch:ListMetrics' };

/**
 * A DescribeInstances or ListMetrics call that failed after its retries, as the GetMetricData failures are worded
 * (metric-reader.ts): the operation, what it was for, the cause, and that nothing was published. The SDK's error
 * stays the cause, so a caller can still tell a permission error (lambda/cli/commands/live.ts).
 */
export class AwsCallError extends AwsStepError {
  constructor(operation: Operation, purpose: string, cause: unknown) {
    super(
      operation,
      `${purpose} failed after its retries (${causeOf(cause)})`,
      `Nothing was published: no period is sealed on a failed read, so the next run reads it again. If it persists, check the service's health and that the role may call ${CALL_PERMISSION[operation] ?? operation}.`,
      { cause },
    );
    this.name = 'AwsCallError';
  }
}

/**
 * callAws for a call whose failure fails the step: the call's own typed errors (a source role that cannot be
 * assumed, ...) and an abort pass as they are; any other failure becomes an AwsCallError saying `purpose`.
 */
export async function callAwsOrFail<T>(rt: AwsRuntime, operation: Operation, purpose: () => string, pace: () => Promise<void>, send: () => Promise<T>): Promise<T> {
  try {
    return await callAws(rt, operation, pace, send);
  } catch (error) {
    if (error instanceof NetReconError || (error instanceof Error && error.name === 'AbortError')) throw error;
    throw new AwsCallError(operation, purpose(), error);
  }
}
