import { afterEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../../bench/fake-aws';
import { makeCluster } from '../../bench/synthetic-cluster';
import { LedgerMemory } from '../../lambda/aws/ledger';
import { parseHandlerConfig } from '../../lambda/handler-config';
import { makeRunner } from '../../lambda/handler';
import { exactlyOnce, mockAccount, storedCounts } from './account';
import { NOW_SECONDS, sdkClients, virtualClock } from './helpers';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let restore: () => void = () => undefined;
afterEach(() => restore());

function setup(opts: { nodes: number; env?: Record<string, string>; beforePut?: (input: unknown, n: number) => void; afterPut?: (input: unknown, n: number) => void }) {
  const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: opts.nodes, launchSeconds: NOW_SECONDS - 10 * 86_400 }));
  const account = mockAccount(fake, opts);
  restore = account.restore;
  const config = parseHandlerConfig({ NETRECON_CLUSTERS: 'c1', NETRECON_SOURCE_PROFILE: 'full', ...opts.env });
  const runner = (now: number, memory = new LedgerMemory()) =>
    makeRunner({ config, ...sdkClients(), logger: quiet, ledgerMemory: memory, now: () => new Date(now * 1000), clock: virtualClock(), retry: { attempts: 2, baseDelayMs: 1 } });
  const ledgerCount = () => storedCounts(fake).filter((s) => s.key.includes('EmitLedger') && s.count >= s.max).length;
  return { fake, runner, ledgerCount };
}

describe('exactly-once emission', () => {
  it('a Lambda retry of the same scheduled run emits nothing twice', async () => {
    const { fake, runner, ledgerCount } = setup({ nodes: 5, env: { NETRECON_BACKFILL_SECONDS: '7200' } });
    const memory = new LedgerMemory();
    const first = await runner(NOW_SECONDS, memory)({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    expect(first.clusters[0]!.periodsEmitted).toBe(22); // 2 h back to the last closed period: 24 - 2 lag periods
    const before = storedCounts(fake);
    // The retry runs in a fresh container (no memory) as well as in the same one.
    const retryCold = await runner(NOW_SECONDS)({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    const retryWarm = await runner(NOW_SECONDS, memory)({});
    for (const r of [retryCold, retryWarm]) {
      expect(r.clusters[0]!.periodsEmitted).toBe(0);
      expect(r.clusters[0]!.periodsAlreadyComplete).toBe(22);
      expect(r.apiCalls.GetMetricData).toBe(1); // the ledger read only
    }
    expect(storedCounts(fake)).toEqual(before);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    expect(ledgerCount()).toBe(22);
  });

  it('a crash after a partial emit resumes after the last request that landed', async () => {
    // 300 nodes with per-node output: 18 cluster datums + 300 x 6 node datums = 1,818 a period: 2 requests each.
    let crashAt = 3;
    const { fake, runner, ledgerCount } = setup({
      nodes: 300,
      env: { NETRECON_PER_NODE_METRICS: 'true', NETRECON_BACKFILL_SECONDS: '7200', NETRECON_MAX_PERIODS_PER_RUN: '4', NETRECON_PERIODS_PER_READ: '4' },
      // The third request reaches CloudWatch, then the function dies before it hears back.
      afterPut: (_input, n) => {
        if (n === crashAt) throw Object.assign(new Error('Task timed out'), { name: 'TimeoutError' });
      },
    });
    const first = runner(NOW_SECONDS)({});
    await expect(first).rejects.toThrow(/1 of 1 cluster\(s\) failed: c1 \(PutMetricData: request 3 of 8 failed/);
    // Periods 1 and 2 of 4: 2 + 1 requests landed.
    expect(ledgerCount()).toBe(1);
    crashAt = -1;
    const second = await runner(NOW_SECONDS)({}); // a cold start: only CloudWatch's ledger is left
    expect(second.clusters[0]!.outcome).toBe('emitted');
    // The resumed run takes the 4 oldest pending periods: period 2's second request, then periods 3 to 5 with
    // 2 requests each: 1 + 3 x 2 = 7 requests.
    expect(second.clusters[0]!.putRequests).toBe(7);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    expect(ledgerCount()).toBe(5);
    const physical = storedCounts(fake).filter((s) => s.key.includes('PhysicalRxBytes') && s.key.includes('InstanceId'));
    expect(physical).toHaveLength(300 * 5);
  });

  it('after an outage, runs backfill every missed closed period up to 24 hours back, bounded per run, once each', async () => {
    const { fake, runner, ledgerCount } = setup({ nodes: 3, env: { NETRECON_MAX_PERIODS_PER_RUN: '100' } });
    const memory = new LedgerMemory();
    const emitted: number[] = [];
    for (let run = 0; run < 4; run++) {
      const r = await runner(NOW_SECONDS + run * 300, memory)({});
      emitted.push(r.clusters[0]!.periodsEmitted);
    }
    // 286 closed periods in the first run's 24 h window, 100 a run; one more closes before each later run,
    // so the third run takes 86 + 2 = 88, and the fourth finds one pending period and waits for 12.
    expect(emitted).toEqual([100, 100, 88, 0]);
    expect(ledgerCount()).toBe(288);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    // Everything up to NOW closed by the third run; 12 more periods are pending an hour later.
    const fifth = await runner(NOW_SECONDS + 600 + 3600, memory)({});
    expect(fifth.clusters[0]!.periodsEmitted).toBe(12);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });

  it('a manual backfill over periods the schedule already emitted emits nothing again', async () => {
    const { fake, runner } = setup({ nodes: 3, env: { NETRECON_BACKFILL_SECONDS: '7200' } });
    await runner(NOW_SECONDS)({});
    const manual = await runner(NOW_SECONDS + 60)({ start: new Date((NOW_SECONDS - 7200) * 1000).toISOString(), end: new Date(NOW_SECONDS * 1000).toISOString(), cluster: 'c1' });
    expect(manual.trigger).toBe('manual');
    expect(manual.clusters[0]!.periodsEmitted).toBe(0);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });
});

describe('the read budget of a run', () => {
  it('spreads a catch-up too big for one invocation over several runs, oldest first, each period once', async () => {
    const { fake, runner, ledgerCount } = setup({ nodes: 3, env: { NETRECON_MAX_PERIODS_PER_RUN: '288' } });
    // 3 nodes x (2 EC2 at P + 1 Container Insights and 8 agent series at 60 s, 5 points each) = 3 x 47 = 141
    // datapoints a period. 16 ms left at 180,000 datapoints/s, half of it for the read: 1,440 datapoints, 10 periods.
    const context = { getRemainingTimeInMillis: () => 16 };
    const memory = new LedgerMemory();
    const first = await runner(NOW_SECONDS, memory)({}, context as never);
    expect(first.clusters[0]!.periodsEmitted).toBe(10);
    expect(first.clusters[0]!.periodsDeferred).toBe(286 - 10);
    // Without a deadline (the CLI, or a generous one) the rest goes in one run.
    const second = await runner(NOW_SECONDS, memory)({});
    expect(second.clusters[0]!.periodsEmitted).toBe(276);
    expect(ledgerCount()).toBe(286);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });
});
