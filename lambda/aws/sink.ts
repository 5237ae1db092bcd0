/**
 * The PutMetricData sink with the exactly-once ledger (plan/pending-periods.ts). It sends the requests of an
 * emission plan (plan/emission-plan.ts) one at a time; the first that fails after its retries stops the emission,
 * and the next run resumes after the last chunk that landed.
 */
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AwsStepError, callAws, sendOptions, type AwsRuntime } from './api';
import { isThrottling } from './throttle';
import { isClockSkewRejection } from './server-clock';
import type { EmissionPlan } from '../plan/emission-plan';

export interface EmissionResult {
  readonly requestsSent: number;
  readonly datumsSent: number;
  /** Set when a request failed after its retries; later requests were not sent. */
  readonly error?: AwsStepError;
}

export interface EmissionObserver {
  /** Once per chunk that landed, so the caller can keep its own copy of the ledger (CloudWatch may show fresh markers late). */
  readonly landed?: (periodStartSeconds: number) => void;
  /** The periods of a request that failed in a way that may have landed (anything but throttling or a skew refusal). */
  readonly inDoubt?: (periodStartSeconds: readonly number[]) => void;
}

/**
 * A request the service refused before acting on it: throttled, or refused for its signing time (a skewed clock;
 * the SDK takes the service's time from the refusal, so the next try is signed right). Nothing of it landed, so
 * it is retried, and if it still fails it is not in doubt. After any other failure (a 5xx, a timeout, a reset, an
 * abort) it may have landed.
 */
export const refusedUnsent = (error: unknown): boolean => isThrottling(error) || isClockSkewRejection(error);

/** Sends the plan's requests in order, one at a time, telling `observer` what landed and what is in doubt. */
export async function sendEmission(rt: AwsRuntime, plan: EmissionPlan, observer: EmissionObserver = {}): Promise<EmissionResult> {
  let requestsSent = 0;
  let datumsSent = 0;
  for (const [i, request] of plan.requests.entries()) {
    try {
      await callAws(
        rt,
        'PutMetricData',
        async () => {
          await rt.buckets.putMetricData.take(1, rt.signal);
          // The put client is answered only by puts: give it the offset the reads measured (server-clock.ts).
          rt.serverClock.share();
        },
        () => rt.cloudWatchPut.send(new PutMetricDataCommand(request.input), sendOptions(rt)),
        refusedUnsent,
      );
    } catch (error) {
      const unsent = refusedUnsent(error) && !rt.signal?.aborted;
      if (!unsent) observer.inDoubt?.([...new Set(request.periods)]);
      if (rt.signal?.aborted) throw error;
      return {
        requestsSent,
        datumsSent,
        error: new AwsStepError(
          'PutMetricData',
          `request ${i + 1} of ${plan.requests.length} failed after retries (${error instanceof Error ? error.message : String(error)})`,
          unsent
            ? `The service refused it unprocessed (${isClockSkewRejection(error) ? "its signing time was too far from the service's: check the machine's clock" : 'throttled'}): it did not land, ` +
                'and nothing after it was sent. The next run publishes its periods and the rest; nothing needs waiting for.'
            : 'Nothing after it was sent, and it may have landed: a warm function holds its periods back until the ledger can show it, ' +
                'then resumes after the last request that landed (docs/aws.md, "In-doubt puts"). A new process (a cold start, the CLI) ' +
                'cannot tell: wait 30 minutes (2 h for periods older than 3 h) before publishing the same periods again.',
          { cause: error },
        ),
      };
    }
    requestsSent++;
    const n = request.input.MetricData?.length ?? 0;
    datumsSent += n;
    rt.counters.metricsEmitted += n;
    for (const start of request.periods) observer.landed?.(start);
    if (plan.requests.length >= 20 && (i + 1) % Math.ceil(plan.requests.length / 10) === 0) {
      rt.progress(`emit: ${i + 1}/${plan.requests.length} PutMetricData requests`);
    }
  }
  return { requestsSent, datumsSent };
}
