/**
 * The SigV4 signature of the PromQL reader's requests, checked by a verifier written here from the published
 * algorithm (canonical request, string to sign, derived key; node:crypto only), independent of the signer
 * (@smithy/signature-v4). The verifier itself is checked first against AWS's own test vector ("get-vanilla" of
 * the Signature Version 4 test suite). The request checked is the one a local server received, headers and body
 * as they came over the wire.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromqlHttpReader } from '../../../lambda/sources/promql/http-reader';
import { sigv4Signer } from '../../../lambda/sources/promql/sigv4';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

interface Received {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The signature a request should carry, from its own bytes and the secret key. */
function expectedSignature(r: Received, secret: string): { signature: string; signedHeaders: string; scope: string } {
  const auth = String(r.headers.authorization);
  const m = /^AWS4-HMAC-SHA256 Credential=[^/]+\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) throw new Error(`not a SigV4 Authorization header: ${auth}`);
  const scope = m[1]!;
  const signedHeaders = m[2]!;
  const [date, region, service] = scope.split('/');
  const amzDate = String(r.headers['x-amz-date']);
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((h) => `${h}:${String(r.headers[h]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalQuery = r.query
    .split('&')
    .filter((x) => x !== '')
    .map((kv) => kv.split('=').map((x) => enc(decodeURIComponent(x))).join('='))
    .sort()
    .join('&');
  const canonicalRequest = [r.method, r.path, canonicalQuery, canonicalHeaders, signedHeaders, sha256(r.body)].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  return { signature: createHmac('sha256', key).update(stringToSign).digest('hex'), signedHeaders, scope };
}

const signatureOf = (r: Received) => /Signature=([0-9a-f]{64})$/.exec(String(r.headers.authorization))![1];

describe('the independent SigV4 verifier', () => {
  it("reproduces AWS's get-vanilla test vector", () => {
    const r: Received = {
      method: 'GET',
      path: '/',
      query: '',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      body: '',
    };
    expect(expectedSignature(r, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY').signature).toBe(signatureOf(r));
  });
});

describe('the PromQL reader signs its POST for the service of its kind', () => {
  const received: Received[] = [];
  let url: string;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => void (body += c.toString()));
    req.on('end', () => {
      const [path, query = ''] = (req.url ?? '').split('?');
      received.push({ method: req.method ?? '', path: path!, query, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"resultType":"matrix","result":[]}}');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };

  it.each([
    ['cloudwatch', 'monitoring', ''],
    ['amp', 'aps', '/workspaces/ws-0123abcd-4567-89ef-0123-456789abcdef'],
  ] as const)('%s: service %s, the signature the verifier recomputes from the received bytes', async (kind, service, prefix) => {
    const signer = sigv4Signer({ kind, region: 'us-east-1', credentials, now: () => new Date(Date.UTC(2026, 2, 1, 10, 0, 0)) });
    const reader = new PromqlHttpReader({ baseUrl: url + prefix, timeoutMs: 5_000, signer });
    await reader.instant('{"node_network_receive_bytes_total","@resource.k8s.cluster.name"="prod"}[300s]', 1_772_359_500, 500);
    const r = received.at(-1)!;
    expect(r.path).toBe(`${prefix}/api/v1/query`);
    const want = expectedSignature(r, credentials.secretAccessKey);
    expect(want.scope).toBe(`20260301/us-east-1/${service}/aws4_request`);
    expect(want.signedHeaders.split(';')).toEqual(expect.arrayContaining(['host', 'content-type', 'x-amz-date']));
    expect(r.headers['x-amz-security-token']).toBe('session-token-example');
    expect(signatureOf(r)).toBe(want.signature);
    // The verifier can fail: the same request with one byte of the body changed does not verify.
    expect(expectedSignature({ ...r, body: r.body.replace('prod', 'prox') }, credentials.secretAccessKey).signature).not.toBe(signatureOf(r));
  });
});
