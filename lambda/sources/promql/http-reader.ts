/**
 * The HTTP boundary of the PromQL source: one POST of a form (`query`, `time`, `limit`) to a Prometheus-compatible
 * `/api/v1/query` (never `query_range`: at each step it answers the last sample within the lookback, which hides a
 * missed scrape; docs/sources.md, "The queries"), signed when the kind asks for it, with a timeout, and every answer
 * that is not a success turned into a typed error (errors.ts). Retries what may succeed when sent again.
 */
import {
  PromqlRejectedError,
  PromqlServerError,
  PromqlThrottledError,
  PromqlTransportError,
  type PromqlError,
} from './errors';

export interface HttpRequest {
  readonly method: 'POST';
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Adds authentication headers (SigV4 for CloudWatch and Amazon Managed Service for Prometheus). */
export type RequestSigner = (request: HttpRequest) => Promise<Record<string, string>>;

export interface ReaderOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly signer?: RequestSigner;
  /** Tries per request, the first included. Default 3. */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly fetch?: typeof fetch;
  readonly abortSignal?: AbortSignal;
}

export interface ReaderCounters {
  requests: number;
  retries: number;
  bytes: number;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const n = Number(header);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The typed error of a non-2xx answer, or null for a success. */
export function errorOfAnswer(status: number, text: string, query: string, retryAfter: string | null): PromqlError | null {
  if (status >= 200 && status < 300) return null;
  const body = parseJson(text);
  const errorType = isRecord(body) ? (typeof body.errorType === 'string' ? body.errorType : typeof body.__type === 'string' ? body.__type : typeof body.code === 'string' ? body.code : undefined) : undefined;
  const detail = isRecord(body) && typeof body.error === 'string' ? body.error : isRecord(body) && typeof body.message === 'string' ? body.message : text;
  if (status === 429 || (errorType !== undefined && /throttl/i.test(errorType))) return new PromqlThrottledError(retryAfterSeconds(retryAfter), detail);
  if (status >= 500) return new PromqlServerError(status, detail);
  return new PromqlRejectedError(status, errorType, detail, query);
}

export class PromqlHttpReader {
  readonly counters: ReaderCounters = { requests: 0, retries: 0, bytes: 0 };
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ReaderOptions) {
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** An instant query at `timeSeconds`; the parsed JSON body of its success. */
  instant(query: string, timeSeconds: number, limit?: number): Promise<unknown> {
    return this.post('/api/v1/query', { query, time: String(timeSeconds), ...(limit === undefined ? {} : { limit: String(limit) }) });
  }

  private async post(path: string, form: Record<string, string>): Promise<unknown> {
    const attempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(path, form);
      } catch (error) {
        const e = error as PromqlError;
        if (!(e && 'retryable' in e && e.retryable) || attempt >= attempts || this.options.abortSignal?.aborted) throw error;
        this.counters.retries++;
        const wait = e instanceof PromqlThrottledError && e.retryAfterSeconds !== undefined ? e.retryAfterSeconds * 1000 : 200 * 2 ** attempt;
        await this.sleep(Math.min(wait, 20_000));
      }
    }
  }

  private async once(path: string, form: Record<string, string>): Promise<unknown> {
    const url = new URL(this.options.baseUrl + path);
    const body = new URLSearchParams(form).toString();
    const request: HttpRequest = { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', host: url.host }, body };
    const headers = { ...request.headers, ...(this.options.signer ? await this.options.signer(request) : {}) };
    delete (headers as Record<string, string | undefined>).host; // fetch sets it; it is only signed
    const signals = [AbortSignal.timeout(this.options.timeoutMs), ...(this.options.abortSignal ? [this.options.abortSignal] : [])];
    this.counters.requests++;
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, { method: 'POST', headers, body, signal: AbortSignal.any(signals) });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new PromqlTransportError(
        timedOut
          ? `no answer from ${url.origin}${path} within ${this.options.timeoutMs} ms (query ${form.query}); raise the timeout or read fewer nodes per query`
          : `the connection to ${url.origin}${path} failed or was cut before the answer ended: ${(error as Error).message}`,
        error,
      );
    }
    this.counters.bytes += text.length;
    const failed = errorOfAnswer(response.status, text, form.query ?? '', response.headers.get('retry-after'));
    if (failed) throw failed;
    const json = parseJson(text);
    if (json === undefined) {
      throw new PromqlTransportError(`the answer of ${url.origin}${path} is not JSON (${text.length} characters, ending ${JSON.stringify(text.slice(-40))}): cut short?`);
    }
    return json;
  }
}
