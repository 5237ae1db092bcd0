// The e2e fault proxy, tested against a fake upstream with the real CloudWatch client: if the proxy forwarded
// a fault it claimed to hold back, or held back one it claimed to forward, the fault-injected suite would
// prove nothing.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRetryable, isThrottling } from '../../lambda/aws/throttle';
import { classify, errorAnswer, putDatums } from '../../e2e/lib/aws-wire';
import { dataRead, FaultProxy, ledgerRead, oneCall, operation } from '../../e2e/lib/fault-proxy';

interface Seen {
  readonly target: string | undefined;
  readonly encoding: string | undefined;
  readonly body: Buffer;
}

const PERIOD_START = 1_800_000_000; // epoch seconds, a multiple of 300
const seen: Seen[] = [];
let upstream: Server;
let upstreamUrl: string;
let clockMs = 0;
let proxy: FaultProxy;

/** Answers like CloudWatch's JSON 1.0: the ledger query gets one datapoint at PERIOD_START, others one at +300 s. */
function answer(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'] as string | undefined;
  if (target?.endsWith('.PutMetricData')) return '{}';
  const parsed = JSON.parse(body.toString('utf8')) as { MetricDataQueries: { Id: string; MetricStat: { Metric: { MetricName: string } } }[] };
  return JSON.stringify({
    MetricDataResults: parsed.MetricDataQueries.map((q) => ({
      Id: q.Id,
      Label: q.Id,
      Timestamps: [q.MetricStat.Metric.MetricName === 'EmitLedger' ? PERIOD_START : PERIOD_START + 300],
      Values: [1],
      StatusCode: 'Complete',
    })),
    Messages: [],
  });
}

beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const raw = Buffer.concat(parts);
    const encoding = req.headers['content-encoding'];
    seen.push({ target: req.headers['x-amz-target'] as string | undefined, encoding, body: raw });
    const plain = encoding === 'gzip' ? (await import('node:zlib')).gunzipSync(raw) : raw;
    const text = answer(req, plain);
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  });
  await new Promise<void>((resolve) => upstream.listen(0, 'localhost', () => resolve()));
  upstreamUrl = `http://localhost:${(upstream.address() as { port: number }).port}`;
  proxy = await FaultProxy.start(upstreamUrl, { now: () => clockMs });
});

afterEach(() => {
  proxy.clear();
  seen.length = 0;
  proxy.records.length = 0;
});

afterAll(async () => {
  await proxy.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const client = (maxAttempts = 1, extra: Record<string, unknown> = {}) =>
  new CloudWatchClient({ region: 'us-east-1', endpoint: proxy.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts, ...extra });

const ledgerMarker = (): MetricDatum => ({
  MetricName: 'EmitLedger',
  Dimensions: [{ Name: 'ClusterName', Value: 'c1' }],
  Timestamp: new Date(PERIOD_START * 1000),
  Value: 1,
  Unit: 'Count',
});

const put = (cw: CloudWatchClient, namespace = 'NS', extra: MetricDatum[] = []) =>
  cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: [...extra, ledgerMarker()] }));

const readLedger = (cw: CloudWatchClient, namespace = 'NS') =>
  cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(PERIOD_START * 1000),
      EndTime: new Date((PERIOD_START + 600) * 1000),
      MetricDataQueries: [
        { Id: 'landed', MetricStat: { Metric: { Namespace: namespace, MetricName: 'EmitLedger', Dimensions: [{ Name: 'ClusterName', Value: 'c1' }] }, Period: 300, Stat: 'SampleCount' } },
      ],
    }),
  );

const readData = (cw: CloudWatchClient, metricName = 'NetworkIn') =>
  cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(PERIOD_START * 1000),
      EndTime: new Date((PERIOD_START + 600) * 1000),
      MetricDataQueries: [{ Id: 'q0', MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: metricName, Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }] }, Period: 300, Stat: 'Sum' } }],
    }),
  );

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
  }
  throw new Error('expected the call to fail');
};

describe('forwarding', () => {
  it('forwards a gzip-compressed PutMetricData unchanged and reads its datums', async () => {
    const many: MetricDatum[] = Array.from({ length: 200 }, (_, i) => ({ MetricName: `M${i}`, Value: i, Timestamp: new Date(PERIOD_START * 1000) }));
    await put(client(1, { requestMinCompressionSizeBytes: 1024 }), 'NS', many);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.encoding).toBe('gzip');
    expect(seen[0]!.target).toBe('GraniteServiceVersion20100801.PutMetricData');
    expect(proxy.records).toMatchObject([{ service: 'monitoring', operation: 'PutMetricData', action: 'forward', landed: true, status: 200 }]);
    const req = classify(1, 'POST', '/', { 'content-encoding': 'gzip', 'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData' }, seen[0]!.body);
    const datums = putDatums(req);
    expect(datums).toHaveLength(201);
    expect(datums.at(-1)).toMatchObject({ namespace: 'NS', metricName: 'EmitLedger', dimensions: { ClusterName: 'c1' }, timestampMs: PERIOD_START * 1000, value: 1 });
  });
});

describe('faults', () => {
  it('fail: 500 InternalFailure, and the emulator never saw the request', async () => {
    proxy.inject({ name: 'put-500', match: operation('PutMetricData'), action: 'fail' });
    const error = await failure(put(client()));
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect(error.name).toBe('InternalFailure');
    expect(isRetryable(error)).toBe(true);
    expect(seen).toHaveLength(0);
    expect(proxy.records[0]).toMatchObject({ action: 'fail', rule: 'put-500', landed: false, status: 500 });
  });

  it('land-then-fail: the emulator got the put, the client got a 500', async () => {
    proxy.inject({ name: 'in-doubt', match: operation('PutMetricData'), action: 'land-then-fail' });
    expect((await failure(put(client()))).$metadata?.httpStatusCode).toBe(500);
    expect(seen).toHaveLength(1);
    expect(proxy.records[0]).toMatchObject({ landed: true, status: 500 });
  });

  it('throttle: a 400 the SDK and the product both take for throttling, so a retry gets through', async () => {
    proxy.inject({ name: 'burst', match: operation('GetMetricData'), action: 'throttle', times: 1 });
    const error = await failure(readData(client()));
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.name).toBe('Throttling');
    expect(isThrottling(error)).toBe(true);
    expect(seen).toHaveLength(0);
    // The rule applied once: the SDK's own retry (a throttling error is retryable) now succeeds.
    const answer = await readData(client(3));
    expect(answer.MetricDataResults?.[0]?.Values).toEqual([1]);
    expect(proxy.applied()).toEqual({ burst: 1 });
  });

  it('reset before and after landing: the client sees a broken connection either way', async () => {
    proxy.inject({ name: 'rst', match: operation('PutMetricData'), action: 'reset', times: 1 });
    expect((await failure(put(client()))).message).toMatch(/ECONNRESET|socket hang up/);
    expect(seen).toHaveLength(0);
    proxy.inject({ name: 'rst-after', match: operation('PutMetricData'), action: 'land-then-reset', times: 1 });
    expect((await failure(put(client()))).message).toMatch(/ECONNRESET|socket hang up/);
    expect(seen).toHaveLength(1);
  });

  it('skip and times: the second matching request only', async () => {
    proxy.inject({ name: 'second', match: operation('PutMetricData'), action: 'fail', skip: 1, times: 1 });
    const cw = client();
    await put(cw);
    await failure(put(cw));
    await put(cw);
    expect(proxy.records.map((r) => r.action)).toEqual(['forward', 'fail', 'forward']);
    expect(seen).toHaveLength(2);
  });

  it('hang: the harness hears of the request, which never lands (or lands first with land-then-hang)', async () => {
    for (const [action, landed] of [
      ['hang', 0],
      ['land-then-hang', 1],
    ] as const) {
      seen.length = 0;
      proxy.inject({ name: action, match: operation('PutMetricData'), action, times: 1 });
      const abort = new AbortController();
      const heard = new Promise<string>((resolve) => proxy.once('hang', (req) => (abort.abort(), resolve(req.operation))));
      const call = client().send(new PutMetricDataCommand({ Namespace: 'NS', MetricData: [ledgerMarker()] }), { abortSignal: abort.signal });
      expect(await heard).toBe('PutMetricData');
      await failure(call);
      expect(seen).toHaveLength(landed);
    }
  });

  it('oneCall: the same read fails on every retry, a different read goes through', async () => {
    proxy.inject({ name: 'one-read', match: oneCall(dataRead), action: 'fail' });
    const cw = client();
    await failure(readData(cw, 'NetworkIn'));
    await failure(readData(cw, 'NetworkIn'));
    expect((await readData(cw, 'NetworkOut')).MetricDataResults).toHaveLength(1);
    expect((await readLedger(cw)).MetricDataResults).toHaveLength(1);
    expect(proxy.applied()).toEqual({ 'one-read': 2 });
  });

  it('ledgerRead and dataRead tell the ledger read from a source read', async () => {
    proxy.inject({ name: 'ledger', match: ledgerRead, action: 'fail' });
    const cw = client();
    await failure(readLedger(cw));
    await readData(cw);
    expect(proxy.records.map((r) => r.action)).toEqual(['fail', 'forward']);
  });
});

describe('ledger invisibility', () => {
  it('hides a marker from ledger reads until the window after its put has passed, and nothing else', async () => {
    const cw = client();
    clockMs = 1_000_000;
    proxy.hideLedger(60_000);
    await put(cw, 'NS');
    clockMs += 59_000;
    const hidden = await readLedger(cw, 'NS');
    expect(hidden.MetricDataResults?.[0]?.Timestamps).toEqual([]);
    expect(proxy.records.at(-1)).toMatchObject({ hiddenLedgerPoints: 1 });
    // Another namespace's marker (never put through the proxy) and source reads are untouched.
    expect((await readLedger(cw, 'Other')).MetricDataResults?.[0]?.Values).toEqual([1]);
    expect((await readData(cw)).MetricDataResults?.[0]?.Values).toEqual([1]);
    clockMs += 1_000;
    const visible = await readLedger(cw, 'NS');
    expect(visible.MetricDataResults?.[0]?.Timestamps).toEqual([new Date(PERIOD_START * 1000)]);
  });

  it('clear makes every marker visible at once', async () => {
    const cw = client();
    proxy.hideLedger(600_000);
    await put(cw, 'NS');
    expect((await readLedger(cw, 'NS')).MetricDataResults?.[0]?.Values).toEqual([]);
    proxy.clear();
    expect((await readLedger(cw, 'NS')).MetricDataResults?.[0]?.Values).toEqual([1]);
  });
});

describe('the wire', () => {
  it('recognises the query protocol (form body, gzip too) and answers its errors in XML with the query error code', async () => {
    const form = Buffer.from('Action=GetMetricData&Version=2010-08-01');
    const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-encoding': 'gzip', authorization: 'AWS4-HMAC-SHA256 Credential=a/20270101/us-east-1/monitoring/aws4_request' };
    const req = classify(7, 'POST', '/', headers, gzipSync(form));
    expect(req).toMatchObject({ service: 'monitoring', operation: 'GetMetricData', protocol: 'query' });
    const e = errorAnswer(req, 400, 'Throttling', 'Rate exceeded');
    expect(e.status).toBe(400);
    expect(e.body).toContain('<Code>Throttling</Code>');
    expect(e.body).toContain('<Type>Sender</Type>');
  });

  it('recognises Smithy RPC v2 CBOR by its path, and refuses to fake an error body in it', () => {
    const req = classify(1, 'POST', '/service/GraniteServiceVersion20100801/operation/PutMetricData', { 'content-type': 'application/cbor' }, Buffer.alloc(0));
    expect(req).toMatchObject({ protocol: 'cbor', operation: 'PutMetricData' });
    expect(() => errorAnswer(req, 500, 'InternalFailure', 'x')).toThrow(/cbor/);
  });

  it('a query-protocol request through the proxy gets the XML throttling answer', async () => {
    proxy.inject({ name: 'q', match: operation('ListMetrics'), action: 'throttle' });
    const body = 'Action=ListMetrics&Version=2010-08-01';
    const url = new URL(proxy.endpoint);
    const status = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const r = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=a/20270101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x' },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      r.on('error', reject);
      r.end(body);
    });
    expect(status.status).toBe(400);
    expect(status.text).toContain('<Code>Throttling</Code>');
    expect(seen).toHaveLength(0);
  });
});
