import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI_TIMEOUTS, createClients } from '../../lambda/aws/clients';
import { liveRuntime } from '../../lambda/cli/commands/live';

describe('SDK clients', () => {
  it('gives PutMetricData a client without SDK retries, and the reads the SDK retries in adaptive mode', async () => {
    // The exactly-once ledger depends on it: a put that timed out may have landed, and only the sink may decide
    // to send it again (it retries throttling only, a definite rejection).
    const c = createClients({ region: 'eu-west-1' });
    expect(await c.cloudWatchPut.config.maxAttempts()).toBe(1);
    expect(await c.cloudWatch.config.maxAttempts()).toBe(3);
    expect(await c.ec2.config.maxAttempts()).toBe(3);
    expect(c.cloudWatch.config.retryMode).toBe('adaptive');
    expect(await c.cloudWatchPut.config.region()).toBe('eu-west-1');
  });

  it('keeps PutMetricData at one attempt whatever the reads are given', async () => {
    const c = createClients({ region: 'eu-west-1', maxAttempts: 5 });
    expect(await c.cloudWatch.config.maxAttempts()).toBe(5);
    expect(await c.cloudWatchPut.config.maxAttempts()).toBe(1);
  });
});

describe('request timeouts', () => {
  /** A server that accepts every connection and never answers: a hung endpoint. */
  let server: Server;
  let port = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer();
    server.on('connection', (s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => vi.unstubAllEnvs());

  it('a client given timeouts gives up on an endpoint that never answers, with a TimeoutError', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);
    const c = createClients({ region: 'eu-west-1', maxAttempts: 1, timeouts: { connectionTimeoutMs: 200, requestTimeoutMs: 500 } });
    const started = Date.now();
    const error = await c.cloudWatch.send(new ListMetricsCommand({ Namespace: 'CWAgent' })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toContain('500 ms requestTimeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  }, 10_000);

  it("the CLI's clients carry the documented timeouts (5 s to connect, 30 s for an answer); the function's none", async () => {
    expect(CLI_TIMEOUTS).toEqual({ connectionTimeoutMs: 5_000, requestTimeoutMs: 30_000 });
    const rt = liveRuntime({ stdout: () => undefined, stderr: () => undefined }, 'eu-west-1', undefined);
    const handlerOf = async (client: unknown) => (await ((client as CloudWatchClient).config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider);
    for (const client of [rt.cloudWatch, rt.cloudWatchPut, rt.ec2]) {
      expect(await handlerOf(client)).toMatchObject({ connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true });
    }
    expect(await handlerOf(createClients({ region: 'eu-west-1' }).cloudWatch)).toMatchObject({ requestTimeout: undefined });
  });
});
