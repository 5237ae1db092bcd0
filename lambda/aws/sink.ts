/**
 * The PutMetricData sink with the exactly-once ledger (plan/pending-periods.ts). It sends the requests of an
 * emission plan (plan/emission-plan.ts) one at a time; the first that fails after its retries stops the emission,
 * and the next run resumes after the last chunk that landed.
 */
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AwsStepError, callAws, sendOptions, type AwsRuntime } from './api';
import { isThrottling } from './throttle';
import { isClockSkewRejection } from './server-clock';
import type { EmissionPlan, PlannedRequest } from '../plan/emission-plan';
import { NetReconError } from '../core/errors';

export interface EmissionResult {
  readonly requestsSent: number;
  readonly datumsSent: number;
  /** Set when a request failed after its retries, or the ledger store refused a record; later requests were not sent. */
  readonly error?: AwsStepError | NetReconError;
}

/** A put whose send deadline (the intent's, aws/ledger-store.ts) passed before it was sent: it was not sent. */
class SendDeadlineError extends NetReconError {
  constructor() {
    super('the send deadline of the request passed before it was sent (the process was paused or waited on the quota too long); it was not sent');
    this.name = 'SendDeadlineError';
  }
}

export interface EmissionObserver {
  /** Once per chunk that landed, so the caller can keep its own copy of the ledger (CloudWatch may show fresh markers late). */
  readonly landed?: (periodStartSeconds: number) => void;
  /** The periods of a request that failed in a way that may have landed (anything but throttling or a skew refusal). */
  readonly inDoubt?: (periodStartSeconds: readonly number[]) => void;
  /**
   * Before a request is sent (the ledger store's intent). Returns the time (rt.clock, ms) after which it may no
   * longer be sent, if any; throws to stop the emission with nothing more sent.
   */
  readonly beforeSend?: (request: PlannedRequest) => Promise<number | undefined>;
  /** After a request landed; a failure stops the emission (the put itself stays landed). */
  readonly confirmed?: (request: PlannedRequest) => Promise<void>;
  /** A request that definitely did not land (throttled to the end, or its send deadline passed). */
  readonly notSent?: (request: PlannedRequest) => Promise<void>;
}

/**
 * A request the service refused before acting on it: throttled, or refused for its signing time (a skewed clock;
 * the SDK takes the service's time from the refusal, so the next try is signed right). Nothing of it landed, so
 * it is retried, and if it still fails it is not in doubt. After any other failure (a 5xx, a timeout, a reset, an
 * abort) it may have landed.
 */
export const refusedUnsent = (error: unknown): boolean => isThrottling(error) || isClockSkewRejection(error);

const stopped = (i: number, total: number, error: unknown): NetReconError =>
  error instanceof NetReconError ? error : new NetReconError(`emission stopped before request ${i + 1} of ${total}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });

/** Sends the plan's requests in order, one at a time, telling `observer` what landed and what is in doubt. */
export async function sendEmission(rt: AwsRuntime, plan: EmissionPlan, observer: EmissionObserver = {}): Promise<EmissionResult> {
  let requestsSent = 0;
  let datumsSent = 0;
  for (const [i, request] of plan.requests.entries()) {
    let deadlineMs: number | undefined;
    try {
      deadlineMs = await observer.beforeSend?.(request);
    } catch (error) {
      if (rt.signal?.aborted) throw error;
      return { requestsSent, datumsSent, error: stopped(i, plan.requests.length, error) };
    }
    try {
      await callAws(
        rt,
        'PutMetricData',
        async () => {
          await rt.buckets.putMetricData.take(1, rt.signal);
          // The put client is answered only by puts: give it the offset the reads measured (server-clock.ts).
          rt.serverClock.share();
          // Checked before every try: a try that starts late could land after its intent's hold.
          if (deadlineMs !== undefined && rt.clock.now() > deadlineMs) throw new SendDeadlineError();
        },
        () => rt.cloudWatchPut.send(new PutMetricDataCommand(request.input), sendOptions(rt)),
        refusedUnsent,
      );
    } catch (error) {
      // Refused unprocessed (throttled, a skewed signing time) or never sent: known not to have landed. A 5xx, a
      // timeout, a reset or an abort may have.
      const neverSent = error instanceof SendDeadlineError;
      const unsent = neverSent || (refusedUnsent(error) && !rt.signal?.aborted);
      if (!unsent) observer.inDoubt?.([...new Set(request.periods)]);
      if (unsent) await observer.notSent?.(request).catch(() => undefined);
      if (rt.signal?.aborted) throw error;
      return {
        requestsSent,
        datumsSent,
        error: new AwsStepError(
          'PutMetricData',
          `request ${i + 1} of ${plan.requests.length} failed after retries (${error instanceof Error ? error.message : String(error)})`,
          unsent
            ? `${neverSent ? 'It was not sent' : `The service refused it unprocessed (${isClockSkewRejection(error) ? "its signing time was too far from the service's: check the machine's clock" : 'throttled'})`}: it did not land, ` +
                'and nothing after it was sent. The next run publishes its periods and the rest; nothing needs waiting for.'
            : 'Nothing after it was sent, and it may have landed: its periods are held until the ledger can show it, ' +
                'then the run resumes after the last request that landed (docs/aws.md, "In-doubt puts"). With the ledger table every ' +
                'publisher knows; without it a new process (a cold start, the CLI without --ledger-table) cannot tell: wait 30 minutes ' +
                '(2 h for periods older than 3 h) before publishing the same periods again.',
          { cause: error },
        ),
      };
    }
    requestsSent++;
    const n = request.input.MetricData?.length ?? 0;
    datumsSent += n;
    rt.counters.metricsEmitted += n;
    for (const start of request.periods) observer.landed?.(start);
    try {
      await observer.confirmed?.(request);
    } catch (error) {
      if (rt.signal?.aborted) throw error;
      return { requestsSent, datumsSent, error: stopped(i + 1, plan.requests.length, error) };
    }
    if (plan.requests.length >= 20 && (i + 1) % Math.ceil(plan.requests.length / 10) === 0) {
      rt.progress(`emit: ${i + 1}/${plan.requests.length} PutMetricData requests`);
    }
  }
  return { requestsSent, datumsSent };
}
