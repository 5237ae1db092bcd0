import { GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FakeAws } from './helpers/fake-aws';
import { makeCluster } from './helpers/synthetic-cluster';
import { exactlyOnce, maxAttemptsOf, mockAccount } from './aws/account';

describe('the deployed handler (middy + Powertools)', () => {
  const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 2, launchSeconds: Date.now() / 1000 - 86_400 }));
  const account = mockAccount(fake);
  afterAll(() => {
    account.restore();
    vi.unstubAllEnvs();
  });

  it('reads its configuration from the environment at cold start and runs a scheduled event end to end', async () => {
    vi.stubEnv('NETRECON_CLUSTERS', 'c1');
    vi.stubEnv('NETRECON_BACKFILL_SECONDS', '3600');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const { handler } = await import('../lambda/handler');
    const context = { functionName: 'netrecon', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:netrecon', memoryLimitInMB: '1024', functionVersion: '$LATEST' };
    const summary = await handler({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as never, context as never);
    expect(summary.trigger).toBe('schedule');
    expect(summary.clusters[0]).toMatchObject({ cluster: 'c1', outcome: 'emitted', nodes: 2 });
    expect(summary.clusters[0]!.periodsEmitted).toBeGreaterThanOrEqual(9);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    // Its puts go through the client without SDK retries, its reads through the retrying one.
    expect(await maxAttemptsOf(account.cw, PutMetricDataCommand)).toEqual([1]);
    expect(new Set(await maxAttemptsOf(account.cw, GetMetricDataCommand))).toEqual(new Set([3]));
  });
});
