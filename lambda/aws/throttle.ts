/**
 * Staying inside the API quotas and surviving throttling: a token bucket per quota, retries with backoff for
 * throttled or failed calls, and a bounded-concurrency map. The SDK clients also retry (adaptive mode, see
 * clients.ts); this layer adds the quota pacing they lack and a last retry around a whole call, so that a
 * throttled call is retried, then reported, never silently lost.
 */
import { isClockSkewRejection } from './server-clock';

export interface Clock {
  /** Milliseconds, monotonic enough for pacing. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A FIFO token bucket: `take(n)` resolves once n tokens are available (n above capacity waits for a full bucket). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number = ratePerSecond,
    private readonly clock: Clock = realClock,
  ) {
    if (!(ratePerSecond > 0) || !(capacity > 0)) throw new RangeError(`rate and capacity must be positive: ${ratePerSecond}, ${capacity}`);
    this.tokens = capacity;
    this.last = clock.now();
  }

  take(n = 1, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.acquire(Math.min(n, this.capacity), signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async acquire(n: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= n) {
        this.tokens -= n;
        return;
      }
      await this.clock.sleep(Math.ceil(((n - this.tokens) / this.ratePerSecond) * 1000), signal);
    }
  }
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServiceError',
  'InternalServiceFault',
  'RequestTimeout',
  'TimeoutError',
]);

interface SdkLikeError {
  name?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Throttling, 5xx, timeouts and skew refusals are worth another try; validation and permission errors are not. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  if (e.name === 'AbortError') return false;
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  // Refused for its signing time: the SDK has the service's time from the refusal, so the next try is signed right.
  if (isClockSkewRejection(error)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

export function isThrottling(error: unknown): boolean {
  const name = (error as SdkLikeError | null)?.name ?? '';
  return /throttl|RequestLimitExceeded|TooManyRequests/i.test(name);
}

export interface RetryOptions {
  /** Tries in all, including the first. Default 4. */
  readonly attempts?: number;
  /** First backoff in ms; doubles each try, with full jitter. Default 250. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** Called before each retry (for counters and logs). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
  /** Source of randomness for jitter; tests pass a constant. */
  readonly random?: () => number;
  /** Which errors are worth another try. Default isRetryable. */
  readonly retryable?: (error: unknown) => boolean;
}

/** withRetry's tries in all, the first included, unless told otherwise. */
export const DEFAULT_ATTEMPTS = 4;

export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 10_000;
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !(options.retryable ?? isRetryable)(error) || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt);
      await clock.sleep(Math.round(random() * Math.min(max, base * 2 ** (attempt - 1))), options.signal);
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. The first error rejects. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
