/**
 * The PromQL reader at the HTTP boundary: a fault-injecting proxy (a plain HTTP server, not a PromQL fake) stands
 * in front of a REAL Prometheus 2.42 and answers what a query API can answer instead of it: 5xx, throttling, a body
 * cut short, no answer at all. The 4xx with Prometheus' JSON error body is the real server's own.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromqlRejectedError, PromqlServerError, PromqlThrottledError, PromqlTransportError } from '../../../lambda/sources/promql/errors';
import { PromqlHttpReader } from '../../../lambda/sources/promql/http-reader';
import { prometheusMissing, startPrometheus, type RunningPrometheus } from '../../helpers/prometheus';
import { scenarioSamples, T0 } from './scenarios';

type Fault = 'none' | '503' | '429' | 'cut' | 'short' | 'hang';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

function faultProxy(upstream: string) {
  const plan: Fault[] = [];
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => void (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const fault = plan.shift() ?? 'none';
      if (fault === 'hang') return; // never answered: the reader's timeout must end it
      if (fault === '503') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream unavailable');
      if (fault === '429') return void res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"status":"error","errorType":"too_many_requests","error":"rate exceeded"}');
      const up = new URL(upstream);
      const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { 'content-type': req.headers['content-type'] ?? '' } }, (ur) => {
        const chunks: Buffer[] = [];
        ur.on('data', (c: Buffer) => chunks.push(c));
        ur.on('end', () => {
          const full = Buffer.concat(chunks);
          const half = full.subarray(0, Math.floor(full.length / 2));
          if (fault === 'cut') {
            // Promises the whole body, sends half, closes: the connection ends before the answer does.
            res.writeHead(ur.statusCode ?? 200, { 'content-type': 'application/json', 'content-length': String(full.length) });
            res.write(half);
            return void res.socket?.destroy();
          }
          if (fault === 'short') return void res.writeHead(ur.statusCode ?? 200, { 'content-type': 'application/json', 'content-length': String(half.length) }).end(half);
          res.writeHead(ur.statusCode ?? 200, { 'content-type': 'application/json' }).end(full);
        });
      });
      fwd.end(body);
    });
  });
  return {
    plan,
    seen,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`))),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const missing = prometheusMissing();
const QUERY = 'node_network_receive_bytes_total{device="eth0"}[600s]';

describe.runIf(missing === null)('the PromQL reader against a real Prometheus behind a fault proxy', () => {
  let prom: RunningPrometheus;
  let proxy: ReturnType<typeof faultProxy>;
  let url: string;
  beforeAll(async () => {
    prom = await startPrometheus(scenarioSamples());
    proxy = faultProxy(prom.url);
    url = await proxy.listen();
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await prom?.stop();
  });
  const reader = (timeoutMs = 5_000) => new PromqlHttpReader({ baseUrl: url, timeoutMs, sleep: async () => {} });

  it('sends one POST of a form with query, time and limit to /api/v1/query, and gets the matrix', async () => {
    proxy.plan.length = 0;
    const r = reader();
    const body = (await r.instant(QUERY, T0 + 600, 500)) as { status: string; data: { resultType: string; result: unknown[] } };
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('matrix');
    expect(body.data.result).toHaveLength(6);
    const last = proxy.seen.at(-1)!;
    expect(last.method).toBe('POST');
    expect(last.path).toBe('/api/v1/query');
    expect(last.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(last.body))).toEqual({ query: QUERY, time: String(T0 + 600), limit: '500' });
  });

  it("4xx: the server's JSON error body becomes PromqlRejectedError with its errorType, never retried", async () => {
    const r = reader();
    const error = await r.instant('{"node_network_receive_bytes_total","@resource.host.id"="i-1"}[60s]', T0 + 600).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromqlRejectedError);
    expect(error).toMatchObject({ httpStatus: 400, errorType: 'bad_data', retryable: false });
    expect((error as Error).message).toMatch(/parse error/);
    expect(r.counters).toMatchObject({ requests: 1, retries: 0 });
  });

  it('5xx once: retried, and the second answer is used', async () => {
    proxy.plan.push('503');
    const r = reader();
    await expect(r.instant(QUERY, T0 + 600)).resolves.toMatchObject({ status: 'success' });
    expect(r.counters).toMatchObject({ requests: 2, retries: 1 });
  });

  it('5xx on every try: PromqlServerError after 3 tries', async () => {
    proxy.plan.push('503', '503', '503');
    const r = reader();
    await expect(r.instant(QUERY, T0 + 600)).rejects.toBeInstanceOf(PromqlServerError);
    expect(r.counters).toMatchObject({ requests: 3, retries: 2 });
  });

  it('429: PromqlThrottledError with the Retry-After the server gave, retried', async () => {
    proxy.plan.push('429', '429', '429');
    const r = reader();
    const error = await r.instant(QUERY, T0 + 600).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromqlThrottledError);
    expect(error).toMatchObject({ retryAfterSeconds: 0, retryable: true });
    expect(r.counters.requests).toBe(3);
  });

  it('a connection cut before the body ends: PromqlTransportError', async () => {
    proxy.plan.push('cut', 'cut', 'cut');
    await expect(reader().instant(QUERY, T0 + 600)).rejects.toBeInstanceOf(PromqlTransportError);
  });

  it('a body cut short (half the JSON, a consistent length): PromqlTransportError "not JSON … cut short?"', async () => {
    proxy.plan.push('short', 'short', 'short');
    await expect(reader().instant(QUERY, T0 + 600)).rejects.toThrow(/is not JSON .*cut short\?/);
  });

  it('no answer: the timeout ends the request with PromqlTransportError', async () => {
    proxy.plan.push('hang', 'hang', 'hang');
    await expect(reader(300).instant(QUERY, T0 + 600)).rejects.toThrow(/no answer from .* within 300 ms/);
  });
});
