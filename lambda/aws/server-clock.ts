/**
 * The service's time, not this machine's. What is closed (and so may be read and sealed) is decided against the
 * time CloudWatch keeps its data by: a machine clock 14 minutes fast is still inside SigV4's signing tolerance,
 * so every call succeeds, yet a period would look closed 14 minutes before it is (docs/aws.md, "Whose clock").
 *
 * The SDK already measures the difference: after every answer that carries a `Date` header (and after a skew
 * rejection, from the error's `ServerTime` or `Date`), @aws-sdk/core's SigV4 signer sets its client's
 * `config.systemClockOffset` to server time minus local time, and signs later requests with the corrected time.
 * This reads that offset; it sends nothing itself. A sender without an SDK config (a test fake) reads as 0.
 */
interface ClockOffsetCarrier {
  config?: { systemClockOffset?: number };
}

export interface ServerClock {
  /** Server time minus this machine's, in ms, as the latest answer said; 0 before any answer. */
  offsetMs(): number;
  /**
   * Gives every client the offset the others measured, so a client that has not been answered yet (the
   * PutMetricData client, which sends nothing before the emission) signs its first request with the right time.
   */
  share(): void;
}

const offsetOf = (client: unknown): number | undefined => {
  const value = (client as ClockOffsetCarrier | null)?.config?.systemClockOffset;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};

/**
 * The clock of a set of SDK clients: the first one's offset once it has been answered (non-zero), else the first
 * non-zero offset of the others. They all talk to AWS, whose clocks agree far closer than a second (the `Date`
 * header's resolution).
 */
export function serverClockOf(...clients: readonly unknown[]): ServerClock {
  const offsetMs = (): number => {
    for (const c of clients) {
      const o = offsetOf(c);
      if (o !== undefined && o !== 0) return o;
    }
    return 0;
  };
  return {
    offsetMs,
    share: () => {
      const o = offsetMs();
      if (o === 0) return;
      for (const c of clients) {
        const config = (c as ClockOffsetCarrier | null)?.config;
        if (config && typeof config.systemClockOffset === 'number') config.systemClockOffset = o;
      }
    },
  };
}

/** A server clock at a fixed offset (tests, and a caller that measured the offset itself). */
export function fixedServerClock(offsetMs: number): ServerClock {
  return { offsetMs: () => offsetMs, share: () => undefined };
}

/** `localNow` as the server reads it. */
export function serverTime(clock: ServerClock, localNow: Date): Date {
  return new Date(localNow.getTime() + clock.offsetMs());
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { clockSkewCorrected?: boolean };
}

/** Error codes AWS answers a request whose signing time is too far from its own with. */
const SKEW_CODES = new Set(['RequestExpired', 'RequestTimeTooSkewed', 'RequestInTheFuture']);
/** Signature errors that are a skew rejection when their message or the SDK says so (else a wrong key, a wrong region). */
const SIGNATURE_CODES = new Set(['InvalidSignatureException', 'SignatureDoesNotMatch', 'AuthFailure']);
const SKEW_WORDS = /expired|skew|in the future|time stamp|timestamp|date/i;

/**
 * A request refused because its signature's time was too far from the service's. The service refused it before
 * acting on it: it did **not** land, and once the SDK has taken the offset from the answer (it does, for every
 * answer), the same request signed again goes through. So a put refused this way is retried, never "in doubt".
 */
export function isClockSkewRejection(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorLike;
  if (e.name && SKEW_CODES.has(e.name)) return true;
  if (e.name && SIGNATURE_CODES.has(e.name)) return e.$metadata?.clockSkewCorrected === true || SKEW_WORDS.test(e.message ?? '');
  return false;
}
