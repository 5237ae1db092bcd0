import { afterEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { makeCluster } from '../helpers/synthetic-cluster';
import { LedgerMemory } from '../../lambda/plan/ledger-memory';
import { runConfig } from '../helpers/run-config';
import type { RunSettingsInput } from '../../lambda/settings';
import { makeRunner } from '../../lambda/runner';
import { exactlyOnce, mockAccount, storedCounts, type AccountHooks } from './account';
import { NOW_SECONDS, sdkClients, virtualClock } from './helpers';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let restore: () => void = () => undefined;
afterEach(() => restore());

function setup(opts: { nodes: number; settings?: RunSettingsInput } & AccountHooks) {
  const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: opts.nodes, launchSeconds: NOW_SECONDS - 10 * 86_400 }));
  const account = mockAccount(fake, opts);
  restore = account.restore;
  const config = runConfig({ clusters: ['c1'], sourceProfile: 'full', ...opts.settings });
  const runner = (now: number, memory = new LedgerMemory()) =>
    makeRunner({ config, ...sdkClients(), logger: quiet, ledgerMemory: memory, now: () => new Date(now * 1000), clock: virtualClock(), retry: { attempts: 2, baseDelayMs: 1 } });
  const ledgerCount = () => storedCounts(fake).filter((s) => s.key.includes('EmitLedger') && s.count >= s.max).length;
  return { fake, runner, ledgerCount };
}

describe('exactly-once emission', () => {
  it('a Lambda retry of the same scheduled run emits nothing twice', async () => {
    const { fake, runner, ledgerCount } = setup({ nodes: 5, settings: { backfillSeconds: 7200 } });
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
      settings: { perNodeMetrics: true, backfillSeconds: 7200, maxPeriodsPerRun: 4, periodsPerRead: 4 },
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
    const { fake, runner, ledgerCount } = setup({ nodes: 3, settings: { maxPeriodsPerRun: 100 } });
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
    const { fake, runner } = setup({ nodes: 3, settings: { backfillSeconds: 7200 } });
    await runner(NOW_SECONDS)({});
    const manual = await runner(NOW_SECONDS + 60)({ start: new Date((NOW_SECONDS - 7200) * 1000).toISOString(), end: new Date(NOW_SECONDS * 1000).toISOString(), cluster: 'c1' });
    expect(manual.trigger).toBe('manual');
    expect(manual.clusters[0]!.periodsEmitted).toBe(0);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });
});

describe('a put in doubt (it may have landed) while the ledger is not yet visible', () => {
  const serverError = (): Error => Object.assign(new Error('We encountered an internal error.'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } });
  const INVISIBLE_SECONDS = 20 * 60;

  /**
   * 170 nodes with per-node output (18 + 170 x 6 datums: 2 requests a period), 4 periods a run. Everything up to NOW - 2400 is published
   * first; then, at NOW, request 3 (period 2's first, P2 = NOW - 2100) fails with a 5xx, after or before it lands.
   * Every EmitLedger marker stays invisible to GetMetricData for 20 minutes after its put (CloudWatch's
   * read-after-write delay). A warm container then runs every 5 minutes.
   */
  const P2 = NOW_SECONDS - 2100;
  function inDoubtSetup(lands: boolean) {
    let clock = NOW_SECONDS;
    let puts = 0;
    let failAt = -1;
    const putAt = new Map<number, number>(); // period start -> last time one of its markers was put
    const markers = (input: unknown): number[] =>
      ((input as { MetricData: { MetricName: string; Timestamp: Date }[] }).MetricData ?? []).filter((d) => d.MetricName === 'EmitLedger').map((d) => d.Timestamp.getTime() / 1000);
    const fail = (n: number) => {
      if (n !== failAt) return;
      failAt = -1;
      throw serverError();
    };
    const settings = { perNodeMetrics: true, backfillSeconds: 5400, maxPeriodsPerRun: 4, periodsPerRead: 1 };
    const t = setup({
      nodes: 170,
      settings,
      beforePut: (input, n) => {
        puts = n;
        for (const start of markers(input)) putAt.set(start, clock);
        if (!lands) fail(n);
      },
      afterPut: (_input, n) => {
        if (lands) fail(n);
      },
      getMetricData: async (input, real) => {
        const answer = await real();
        if (!input.MetricDataQueries?.some((q) => q.MetricStat?.Metric?.MetricName === 'EmitLedger')) return answer;
        const visible = (ts: Date) => (putAt.get(ts.getTime() / 1000) ?? -Infinity) <= clock - INVISIBLE_SECONDS;
        const results = (answer.MetricDataResults ?? []).map((r) => {
          const keep = (r.Timestamps ?? []).map(visible);
          return { ...r, Timestamps: r.Timestamps?.filter((_, i) => keep[i]), Values: r.Values?.filter((_, i) => keep[i]) };
        });
        return { ...answer, MetricDataResults: results };
      },
    });
    const run = async (at: number, memory: LedgerMemory) => {
      clock = at;
      return t.runner(at, memory)({}).catch((e: unknown) => e);
    };
    const ledgerOf = (start: number) => storedCounts(t.fake).find((s) => s.key.includes('EmitLedger') && s.minute === start);
    const doubled = () => storedCounts(t.fake).filter((s) => (s.key.includes('EmitLedger') ? s.count > s.max : s.count > 1));
    const memory = new LedgerMemory();
    const start = async () => {
      for (let r = 0; r < 5; r++) await run(NOW_SECONDS - 1800, memory);
      expect(ledgerOf(NOW_SECONDS - 2700)).toMatchObject({ count: 2, max: 2 });
      expect(ledgerOf(NOW_SECONDS - 2400)).toBeUndefined();
      failAt = puts + 3;
      return run(NOW_SECONDS, memory);
    };
    return { ...t, run, ledgerOf, doubled, memory, start };
  }

  it('a put that landed but answered 5xx is not sent again by warm retries while the ledger cannot show it', async () => {
    const { fake, run, ledgerOf, doubled, memory, start } = inDoubtSetup(true);
    const p2 = P2;
    const first = await start();
    expect(String(first)).toMatch(/PutMetricData: request 3 of 8 failed/);
    expect(ledgerOf(p2)).toMatchObject({ count: 1, max: 2 }); // it landed, unknown to the run

    // Lambda's retry a minute later, then the schedule: the ledger shows period 2 only from NOW + 20 min, and the
    // container holds it until its in-doubt request can be seen (15 min after the latest it can have been sent).
    const held: number[] = [];
    for (const at of [NOW_SECONDS + 60, NOW_SECONDS + 300, NOW_SECONDS + 600, NOW_SECONDS + 900, NOW_SECONDS + 1200, NOW_SECONDS + 1500]) {
      const r = await run(at, memory);
      expect(r).not.toBeInstanceOf(Error);
      held.push((r as { clusters: { periodsHeld: number }[] }).clusters[0]!.periodsHeld);
      expect(doubled()).toEqual([]);
    }
    expect(held).toEqual([1, 1, 1, 1, 1, 1]);
    expect(ledgerOf(p2)).toMatchObject({ count: 1, max: 2 });

    // Once the ledger is trusted, it decides: request 1 of period 2 landed, so the run resumes with request 2.
    await run(NOW_SECONDS + 1800, memory);
    expect(ledgerOf(p2)).toMatchObject({ count: 2, max: 2 });
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    const physical = storedCounts(fake).filter((s) => s.key.includes('PhysicalRxBytes') && s.key.includes('InstanceId') && s.minute === p2);
    expect(physical).toHaveLength(170);
  });

  it('a put that answered 5xx without landing is sent again once the ledger is trusted: nothing is lost', async () => {
    const { fake, run, ledgerOf, memory, start } = inDoubtSetup(false);
    const p2 = P2;
    await start();
    expect(ledgerOf(p2)).toBeUndefined();
    await run(NOW_SECONDS + 60, memory);
    expect(ledgerOf(p2)).toBeUndefined(); // held, although nothing of it landed
    await run(NOW_SECONDS + 1800, memory);
    expect(ledgerOf(p2)).toMatchObject({ count: 2, max: 2 });
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    expect(storedCounts(fake).filter((s) => s.key.includes('PhysicalRxBytes') && s.key.includes('InstanceId') && s.minute === p2)).toHaveLength(170);
  });
});

describe('the read budget of a run', () => {
  it('spreads a catch-up too big for one invocation over several runs, oldest first, each period once', async () => {
    const { fake, runner, ledgerCount } = setup({ nodes: 3, settings: { maxPeriodsPerRun: 288 } });
    // 3 nodes x (2 EC2 + Container Insights and its probe + 8 agent series and their probe, one point each at P)
    // = 3 x 13 = 39 datapoints a period. 8.8 ms left at the default share 0.5 of 180,000 datapoints/s, half of the
    // time for the read: 90,000 x 0.0088 x 0.5 = 396 datapoints, 10 periods.
    const context = { getRemainingTimeInMillis: () => 8.8 };
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

  it('plans the read at its share of the datapoints-per-second quota (readQuotaShare)', async () => {
    // The same 8.8 ms at share 0.25: 45,000 x 0.0088 x 0.5 = 198 datapoints, floor(198 / 39) = 5 periods.
    const { runner } = setup({ nodes: 3, settings: { maxPeriodsPerRun: 288, readQuotaShare: 0.25 } });
    const first = await runner(NOW_SECONDS, new LedgerMemory())({}, { getRemainingTimeInMillis: () => 8.8 } as never);
    expect(first.clusters[0]!.periodsEmitted).toBe(5);
  });
});
