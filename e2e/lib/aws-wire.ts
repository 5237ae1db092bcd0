/**
 * What the fault proxy (fault-proxy.ts) needs to know about an AWS request on the wire: which service and
 * operation it is, in which protocol, its decoded body, and how that protocol spells an error. CloudWatch
 * speaks three protocols depending on the SDK's age: the query protocol (form body `Action=...`, XML answers;
 * SDK v3 before the JSON switch, the AWS CLI v1), JSON 1.0 with query compatibility (`X-Amz-Target:
 * GraniteServiceVersion20100801.<Operation>`, what the SDK in this repository sends) and Smithy RPC v2 CBOR
 * (`/service/<name>/operation/<Operation>`). The SDK gzips request bodies of 10 KiB or more
 * (`Content-Encoding: gzip`), which PutMetricData of a whole period often is.
 */
import { gunzipSync } from 'node:zlib';

export type Protocol = 'json' | 'query' | 'cbor' | 'rest';

export interface WireRequest {
  /** 1-based order of arrival at the proxy. */
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** From the SigV4 credential scope (`monitoring`, `ec2`, ...); `unsigned` without one. */
  readonly service: string;
  /** The API operation (`GetMetricData`), or `METHOD /path` for REST protocols. */
  readonly operation: string;
  readonly protocol: Protocol;
  /** The body as the client sent it (forwarded unchanged, compressed or not). */
  readonly rawBody: Buffer;
  /** The body inflated when it was gzip-encoded. */
  readonly body: Buffer;
}

const SCOPE = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//;

function header(headers: WireRequest['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function inflate(raw: Buffer, contentEncoding: string | undefined): Buffer {
  if (!contentEncoding || !/gzip/i.test(contentEncoding)) return raw;
  return gunzipSync(raw);
}

/** Classifies a request; `seq` is the proxy's counter. */
export function classify(seq: number, method: string, path: string, headers: WireRequest['headers'], rawBody: Buffer): WireRequest {
  const body = inflate(rawBody, header(headers, 'content-encoding'));
  const service = SCOPE.exec(header(headers, 'authorization') ?? '')?.[1] ?? 'unsigned';
  const target = header(headers, 'x-amz-target');
  let protocol: Protocol = 'rest';
  let operation = `${method} ${path.split('?')[0]}`;
  const cbor = /\/service\/[^/]+\/operation\/([^/?]+)/.exec(path);
  const form = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
  if (/x-www-form-urlencoded/.test(header(headers, 'content-type') ?? '')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) form.set(k, v);
  }
  if (target) {
    protocol = 'json';
    operation = target.slice(target.lastIndexOf('.') + 1);
  } else if (cbor) {
    protocol = 'cbor';
    operation = cbor[1]!;
  } else if (form.get('Action')) {
    protocol = 'query';
    operation = form.get('Action')!;
  }
  return { seq, method, path, headers, service, operation, protocol, rawBody, body };
}

/** The JSON body of a JSON-protocol request, or undefined (another protocol, or not JSON). */
export function jsonBody(req: WireRequest): Record<string, unknown> | undefined {
  if (req.protocol !== 'json') return undefined;
  try {
    const parsed = JSON.parse(req.body.toString('utf8') || '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

interface JsonMetric {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name?: string; Value?: string }[];
}

const refOf = (m: JsonMetric | undefined, namespace?: string): MetricRef => ({
  namespace: m?.Namespace ?? namespace ?? '',
  metricName: m?.MetricName ?? '',
  dimensions: Object.fromEntries((m?.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
});

/** GetMetricData's MetricStat queries by Id (JSON protocol); expressions have no metric and are left out. */
export function metricQueries(req: WireRequest): Map<string, MetricRef> {
  const out = new Map<string, MetricRef>();
  if (req.operation !== 'GetMetricData') return out;
  const queries = (jsonBody(req)?.MetricDataQueries ?? []) as { Id?: string; MetricStat?: { Metric?: JsonMetric } }[];
  for (const q of queries) if (q.Id && q.MetricStat) out.set(q.Id, refOf(q.MetricStat.Metric));
  return out;
}

/** The same GetMetricData request again (a retry or another page): its queries and time range, not its NextToken. */
export function readFingerprint(req: WireRequest): string {
  const b = jsonBody(req) ?? {};
  return JSON.stringify([b.MetricDataQueries, b.StartTime, b.EndTime]);
}

export interface PutDatum extends MetricRef {
  /** Epoch milliseconds. */
  readonly timestampMs: number;
  readonly value: number | undefined;
}

/** PutMetricData's datums (JSON protocol). */
export function putDatums(req: WireRequest): PutDatum[] {
  if (req.operation !== 'PutMetricData') return [];
  const b = jsonBody(req);
  const namespace = typeof b?.Namespace === 'string' ? b.Namespace : '';
  return ((b?.MetricData ?? []) as (JsonMetric & { Timestamp?: number | string; Value?: number })[]).map((d) => ({
    ...refOf(d, namespace),
    namespace,
    timestampMs: timestampMs(d.Timestamp),
    value: d.Value,
  }));
}

/** JSON 1.0 sends epoch seconds; some answers carry ISO strings. */
export function timestampMs(t: unknown): number {
  if (typeof t === 'number') return Math.round(t * 1000);
  if (typeof t === 'string') return /^\d+(\.\d+)?$/.test(t) ? Math.round(Number(t) * 1000) : Date.parse(t);
  return NaN;
}

export interface WireError {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * An error answer as the service would give it in the request's protocol. `code` is the query-protocol error
 * code (`Throttling`, `InternalFailure`); JSON 1.0 with query compatibility carries it in `x-amzn-query-error`,
 * which the SDK prefers to `__type`, so the client sees the same error name as a query-protocol client would.
 */
export function errorAnswer(req: WireRequest, status: number, code: string, message: string): WireError {
  const fault = status >= 500 ? 'Receiver' : 'Sender';
  const requestId = `e2e-fault-${req.seq}`;
  if (req.protocol === 'json') {
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};${fault}`, 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: `com.amazonaws.${req.service === 'monitoring' ? 'cloudwatch' : req.service}#${code}`, message }),
    };
  }
  if (req.protocol === 'query') {
    return {
      status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body:
        `<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>${fault}</Type><Code>${code}</Code>` +
        `<Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  // CBOR error bodies would need a CBOR encoder; the SDK in this repository does not send CBOR. Say so loudly.
  throw new Error(`the fault proxy cannot write a ${code} answer in the ${req.protocol} protocol (${req.service}:${req.operation}); only json and query`);
}

/** CloudWatch's throttling answer: HTTP 400, code Throttling, "Rate exceeded" (the query protocol's spelling). */
export const THROTTLING = { status: 400, code: 'Throttling', message: 'Rate exceeded' } as const;
/** A server-side failure: HTTP 500, code InternalFailure. */
export const INTERNAL_FAILURE = { status: 500, code: 'InternalFailure', message: 'injected by the e2e fault proxy' } as const;
