import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type GetMetricDataCommandInput, type GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { makeCluster } from '../helpers/synthetic-cluster';
import { LedgerMemory } from '../../lambda/plan/ledger-memory';
import { runConfig } from '../helpers/run-config';
import { makeRunner } from '../../lambda/runner';
import { sendEmission } from '../../lambda/aws/sink';
import { planEmission } from '../../lambda/plan/emission-plan';
import { isClockSkewRejection } from '../../lambda/aws/server-clock';
import { main } from '../../lambda/cli/main';
import { reconcileLastHour } from '../../lambda/doctor-read';
import { mockAccount, storedCounts } from './account';
import { NOW_SECONDS, sdkClients, testRuntime, testSettings, virtualClock } from './helpers';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let restore: () => void = () => undefined;
afterEach(() => restore());

const FOURTEEN_MINUTES_MS = 14 * 60_000;
const P = 300;
const LAG = 600;

/**
 * What @aws-sdk/core's SigV4 signer does after every answer with a Date header: sets the client's
 * systemClockOffset to server time minus local time (node_modules/@aws-sdk/core, AwsSdkSigV4Signer.successHandler).
 * aws-sdk-client-mock replaces `send`, so the signer never runs: the test plays its part, on the first answer.
 */
function answeredByServerAt(client: CloudWatchClient, offsetMs: number) {
  return async (_input: GetMetricDataCommandInput, real: () => Promise<GetMetricDataCommandOutput>) => {
    client.config.systemClockOffset = offsetMs;
    return real();
  };
}

describe('a machine clock off the service\'s', () => {
  it.each([
    ['14 minutes fast (inside the signing tolerance)', FOURTEEN_MINUTES_MS, /clock is 840 s ahead of the service's/],
    ['2 hours slow', -2 * 3600_000, /clock is 7200 s behind the service's/],
  ])('%s: closes periods by the service\'s clock, nothing read or sealed that closed less than the lag ago', async (_what, skewMs, said) => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 3, launchSeconds: NOW_SECONDS - 10 * 86_400 }));
    const clients = sdkClients();
    const put = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
    const account = mockAccount(fake, { getMetricData: answeredByServerAt(clients.cloudWatch, -skewMs) });
    restore = account.restore;
    const config = runConfig({ clusters: ['c1'], sourceProfile: 'full', backfillSeconds: 7200 });
    const progress: string[] = [];
    const runner = makeRunner({
      config,
      ...clients,
      cloudWatchPut: put,
      logger: { ...quiet, debug: (m: string) => void progress.push(m) },
      ledgerMemory: new LedgerMemory(),
      // The machine says 12:14 (or 10:00) when the service says 12:00.
      now: () => new Date(NOW_SECONDS * 1000 + skewMs),
      clock: virtualClock(),
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    const summary = await runner({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    const serverClosedEnd = NOW_SECONDS - LAG; // 11:50, period-aligned
    const published = storedCounts(fake).filter((s) => s.key.includes('EmitLedger'));
    expect(published.length).toBeGreaterThan(0);
    // By a clock 14 minutes fast the periods up to 12:00 looked closed (12:14 - 10 min = 12:04): two periods early;
    // by one 2 h slow, none after 9:50.
    expect(Math.max(...published.map((s) => s.minute)) + P).toBe(serverClosedEnd);
    expect(summary.clusters[0]!.readWindow?.end).toBe(new Date(serverClosedEnd * 1000).toISOString());
    // The heartbeat carries the service's time, not the machine's.
    const heartbeat = [...fake.store].find(([k]) => k.includes('\u0000Heartbeat\u0000'));
    expect(Math.max(...[...heartbeat![1].keys()])).toBeLessThanOrEqual(NOW_SECONDS);
    // The put client, answered by no read, was given the offset before its first put.
    expect(put.config.systemClockOffset).toBe(-skewMs);
    expect(progress.some((m) => said.test(m))).toBe(true);
  });
});

describe('a put refused for its signing time (a clock 2 h off)', () => {
  const skewed = () =>
    Object.assign(new Error('Signature expired: 20260301T140000Z is now later than 20260301T120500Z (20260301T120000Z + 5 min.)'), {
      name: 'InvalidSignatureException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, clockSkewCorrected: true },
    });
  const plan = () =>
    planEmission([{ periodStartSeconds: NOW_SECONDS - 900, datums: [{ MetricName: 'PhysicalRxBytes', Dimensions: [{ Name: 'ClusterName', Value: 'c1' }], Timestamp: new Date((NOW_SECONDS - 900) * 1000), Value: 1, Unit: 'Bytes' }] }], 'NetRecon', 'c1', null);

  it('is known not to have landed: retried once the SDK took the service\'s time, never held as in doubt', async () => {
    const fake = new FakeAws([]);
    const account = mockAccount(fake);
    restore = account.restore;
    let calls = 0;
    account.cw.on(PutMetricDataCommand).callsFake(async (input) => {
      calls++;
      if (calls === 1) throw skewed();
      return fake.handle('PutMetricData', input);
    });
    const inDoubt: number[] = [];
    const result = await sendEmission(testRuntime(), plan(), { inDoubt: (s) => void inDoubt.push(...s) });
    expect(result.error).toBeUndefined();
    expect(calls).toBe(2);
    expect(inDoubt).toEqual([]);
  });

  it('that keeps being refused says it did not land, and holds nothing back', async () => {
    const fake = new FakeAws([]);
    const account = mockAccount(fake);
    restore = account.restore;
    account.cw.on(PutMetricDataCommand).callsFake(async () => {
      throw Object.assign(new Error('Request has expired.'), { name: 'RequestExpired', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    });
    const inDoubt: number[] = [];
    const result = await sendEmission(testRuntime(), plan(), { inDoubt: (s) => void inDoubt.push(...s) });
    expect(result.error?.message).toMatch(/did not land/);
    expect(result.error?.message).not.toMatch(/may have landed|wait 30 minutes/);
    expect(inDoubt).toEqual([]);
  });

  it('is told from other signature errors', () => {
    expect(isClockSkewRejection(skewed())).toBe(true);
    expect(isClockSkewRejection({ name: 'RequestTimeTooSkewed' })).toBe(true);
    expect(isClockSkewRejection({ name: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' })).toBe(false);
    expect(isClockSkewRejection({ name: 'InternalFailure', message: 'expired' })).toBe(false);
  });
});

describe('the live CLI with the machine\'s clock 2 h fast', () => {
  const TWO_HOURS_MS = 2 * 3600_000;
  let fake: FakeAws;
  let account: ReturnType<typeof mockAccount>;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(NOW_SECONDS * 1000 + TWO_HOURS_MS);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 }));
    account = mockAccount(fake);
    account.cw.on(GetMetricDataCommand).callsFake((input, getClient) => {
      getClient().config.systemClockOffset = -TWO_HOURS_MS;
      return fake.handle('GetMetricData', input);
    });
  });
  afterEach(() => {
    account.restore();
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });

  it('reports the last hour closed by the service\'s clock, not 12 periods in its future', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--source-profile', 'full', '--dry-run', '--format', 'json'], {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
    });
    expect(code).toBe(0);
    const json = JSON.parse(out.join(''));
    const closedEnd = NOW_SECONDS - LAG;
    expect(json.window).toEqual({ start: new Date((closedEnd - 3600) * 1000).toISOString(), end: new Date(closedEnd * 1000).toISOString() });
    expect(json.publish.periods).toHaveLength(12);
    expect(json.summary.nodePeriodsByStatus.missingEc2).toBe(0);
  });
});

describe('doctor\'s last hour with the machine\'s clock 2 h fast', () => {
  it('is the last hour closed by the service\'s clock, which doctor\'s own reads have told the clients', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 2, launchSeconds: NOW_SECONDS - 86_400 }));
    const account = mockAccount(fake);
    restore = account.restore;
    const clients = sdkClients();
    clients.cloudWatch.config.systemClockOffset = -2 * 3600_000; // what the SDK set after doctor's first answers
    const report = await reconcileLastHour(testRuntime(clients.cloudWatch, clients.ec2), {
      cluster: 'c1',
      region: 'eu-west-1',
      settings: testSettings(),
      now: new Date(NOW_SECONDS * 1000 + 2 * 3600_000),
    });
    const closedEnd = NOW_SECONDS - LAG;
    expect(report?.window).toEqual({ start: new Date((closedEnd - 3600) * 1000).toISOString(), end: new Date(closedEnd * 1000).toISOString() });
  });
});
