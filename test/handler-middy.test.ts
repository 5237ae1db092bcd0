import { GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeAws } from './helpers/fake-aws';
import { makeCluster } from './helpers/synthetic-cluster';
import { exactlyOnce, maxAttemptsOf, mockAccount } from './aws/account';
import { NOW_SECONDS } from './aws/helpers';

/** Mid-period (12:02:30 UTC), so the few milliseconds the clock moves during the run cannot cross a period edge. */
const START_SECONDS = NOW_SECONDS + 150;

describe('the deployed handler (middy + Powertools)', () => {
  const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 }));
  const account = mockAccount(fake);
  beforeAll(() => {
    // The deployed handler takes "now" from the machine's clock: pin it. Only Date is faked, and it moves on with
    // real time, since the quota pacing measures elapsed time with it.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(START_SECONDS * 1000);
  });
  afterAll(() => {
    account.restore();
    vi.unstubAllEnvs();
    vi.useRealTimers();
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
    // 12:02:30 less the 600 s default lag closes the window at 11:50; the 3,600 s backfill opens it at 11:02:30,
    // rounded up to the whole period at 11:05: 45 minutes, 9 periods of 300 s.
    expect(summary.clusters[0]).toMatchObject({ cluster: 'c1', outcome: 'emitted', nodes: 2, periodsEmitted: 9 });
    expect(summary.clusters[0]!.readWindow).toEqual({ start: '2026-03-01T11:05:00.000Z', end: '2026-03-01T11:50:00.000Z' });
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    // Its puts go through the client without SDK retries, its reads through the retrying one.
    expect(await maxAttemptsOf(account.cw, PutMetricDataCommand)).toEqual([1]);
    expect(new Set(await maxAttemptsOf(account.cw, GetMetricDataCommand))).toEqual(new Set([3]));
  });
});
