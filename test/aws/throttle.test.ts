import { describe, expect, it } from 'vitest';
import { isRetryable, mapConcurrent, TokenBucket, withRetry } from '../../lambda/aws/throttle';
import { virtualClock } from './helpers';

describe('quota pacing and retries', () => {
  it('lets a full second of calls through, then paces to the rate', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(50, 50, clock);
    for (let i = 0; i < 150; i++) await bucket.take(1);
    // 50 from the full bucket, then 100 more at 50 a second: 2 s of virtual time.
    expect(clock.now()).toBeGreaterThanOrEqual(2000);
    expect(clock.now()).toBeLessThan(2100);
  });

  it('paces by datapoints: 3 calls of 100,800 under a 180,000 a second quota take over a second', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(180_000, 180_000, clock);
    for (let i = 0; i < 3; i++) await bucket.take(100_800);
    // 302,400 datapoints - 180,000 in the bucket = 122,400 at 180,000/s = 680 ms.
    expect(clock.now()).toBe(680);
  });

  it('retries throttling and 5xx, not validation errors', async () => {
    expect(isRetryable(Object.assign(new Error(), { name: 'ThrottlingException' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error(), { name: 'X', $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetryable(Object.assign(new Error(), { name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    let tries = 0;
    const clock = virtualClock();
    const result = await withRetry(
      async () => {
        if (++tries < 3) throw Object.assign(new Error('slow down'), { name: 'Throttling' });
        return 'ok';
      },
      { clock, random: () => 1, baseDelayMs: 100 },
    );
    expect(result).toBe('ok');
    expect(clock.slept).toEqual([100, 200]);
    let validationTries = 0;
    const invalid = withRetry(
      async () => {
        validationTries++;
        throw Object.assign(new Error('no'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
      },
      { clock },
    );
    await expect(invalid).rejects.toThrow('no');
    expect(validationTries).toBe(1);
    expect(clock.slept).toEqual([100, 200]); // no backoff before giving up
  });

  it('keeps at most the given number of tasks in flight and the results in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapConcurrent([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return x * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(peak).toBe(3);
  });
});
