/**
 * What can go wrong between netrecon and a Prometheus-compatible query API, each with the offending value and
 * what to do. `retryable` says whether sending the same request again may succeed (5xx, 429, a timeout, a cut
 * body); a 4xx says the query or the credentials are wrong and is never retried.
 */
import { previewValue } from '../../core/display-text';

export class PromqlError extends Error {
  readonly retryable: boolean;
  readonly value?: unknown;
  constructor(message: string, options: { retryable: boolean; value?: unknown; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable;
    if (options.value !== undefined) this.value = options.value;
  }
}

/** 4xx with Prometheus' JSON error body (`{"status":"error","errorType":"bad_data","error":"..."}`) or another body. */
export class PromqlRejectedError extends PromqlError {
  constructor(
    readonly httpStatus: number,
    readonly errorType: string | undefined,
    readonly detail: string,
    readonly query: string,
  ) {
    const hint =
      httpStatus === 401 || httpStatus === 403
        ? 'check the credentials and the IAM permission (cloudwatch:GetMetricData for CloudWatch, aps:QueryMetrics for the workspace) and that the request is signed for the right region and service'
        : 'check the label settings (promqlClusterLabel, promqlNodeLabel, promqlDeviceLabel) and the kind (--promql-kind): CloudWatch needs the quoted Prometheus 3 syntax';
    super(`the query API answered HTTP ${httpStatus}${errorType ? ` ${errorType}` : ''}: ${previewValue(detail, 300)} (query ${previewValue(query, 200)}); ${hint}`, { retryable: false, value: query });
  }
}

/** 5xx: the service failed; the read may be retried. */
export class PromqlServerError extends PromqlError {
  constructor(
    readonly httpStatus: number,
    detail: string,
  ) {
    super(`the query API answered HTTP ${httpStatus}: ${previewValue(detail, 300)}; retry later`, { retryable: true, value: httpStatus });
  }
}

/** 429 (or CloudWatch's ThrottlingException): slow down and retry. */
export class PromqlThrottledError extends PromqlError {
  constructor(
    readonly retryAfterSeconds: number | undefined,
    detail: string,
  ) {
    super(`the query API throttled the request (HTTP 429${retryAfterSeconds === undefined ? '' : `, retry after ${retryAfterSeconds} s`}): ${previewValue(detail, 200)}; lower the read rate or ask for a higher quota`, {
      retryable: true,
      value: retryAfterSeconds,
    });
  }
}

/** No complete answer: a timeout, a connection cut, a body cut short or not JSON. */
export class PromqlTransportError extends PromqlError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/** The answer is JSON but not what the API documents. */
export class PromqlAnswerError extends PromqlError {
  constructor(what: string, value: unknown) {
    super(`the query API's answer is not usable: ${what} (got ${previewValue(JSON.stringify(value) ?? String(value), 120)})`, { retryable: false, value });
  }
}

/** One selector still matches more series than one answer may hold, and cannot be split further. */
export class PromqlTooManySeriesError extends PromqlError {
  constructor(query: string, limit: number) {
    super(`${previewValue(query, 200)} matches ${limit} series or more even for one node and one device prefix, and an answer holds at most ${limit}: no answer can hold them all (report it: the split needs a finer key)`, { retryable: false, value: query });
  }
}
