/**
 * Issue 18 item 2: two publishers at once, and a cold retry while CloudWatch does not show the ledger yet, must
 * never publish a period twice. The simulated account (test/helpers/fake-aws.ts) adds a second put of the same
 * timestamp to the first, as CloudWatch does; the ledger store runs its real DynamoDB commands against a simulated
 * table (test/helpers/fake-ledger-table.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GetMetricDataCommandInput, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { FakeLedgerTable } from '../helpers/fake-ledger-table';
import { makeCluster } from '../helpers/synthetic-cluster';
import { LedgerMemory } from '../../lambda/plan/ledger-memory';
import { parseHandlerConfig } from '../../lambda/handler-config';
import { makeRunner } from '../../lambda/runner';
import { LedgerStore, partitionOf } from '../../lambda/aws/ledger-store';
import { CLOCK_SKEW_ALLOWANCE_SECONDS, LEASE_SECONDS } from '../../lambda/plan/limits';
import { exactlyOnce, mockAccount, storedCounts, type AccountHooks } from './account';
import { NOW_SECONDS, sdkClients, testRuntime, virtualClock } from './helpers';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const TABLE = 'netrecon-ledger-test';
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events' };
let restore: () => void = () => undefined;
afterEach(() => restore());

/** Hides every EmitLedger datapoint from GetMetricData while `hidden()` says so: CloudWatch's read-after-write delay. */
const hideLedger =
  (hidden: () => boolean) =>
  async (input: GetMetricDataCommandInput, real: () => Promise<GetMetricDataCommandOutput>): Promise<GetMetricDataCommandOutput> => {
    const answer = await real();
    if (!hidden() || !input.MetricDataQueries?.every((q) => q.MetricStat?.Metric?.MetricName === 'EmitLedger')) return answer;
    return { ...answer, MetricDataResults: (answer.MetricDataResults ?? []).map((r) => ({ ...r, Timestamps: [], Values: [] })) };
  };

/** Holds the first PutMetricData back until `release()`; `inPut` resolves once a publisher is inside it. */
function heldFirstPut() {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered: () => void = () => undefined;
  const inPut = new Promise<void>((resolve) => (entered = resolve));
  const holdPut = async (_input: unknown, n: number) => {
    if (n !== 1) return;
    entered();
    await held;
  };
  return { holdPut, inPut, release: () => release() };
}

function setup(opts: { nodes?: number; env?: Record<string, string>; store?: boolean } & AccountHooks) {
  const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: opts.nodes ?? 5, launchSeconds: NOW_SECONDS - 10 * 86_400 }));
  const account = mockAccount(fake, opts);
  const table = new FakeLedgerTable();
  const dynamo = table.install();
  restore = () => {
    account.restore();
    dynamo.restore();
  };
  const env = { NETRECON_CLUSTERS: 'c1', NETRECON_SOURCE_PROFILE: 'full', NETRECON_BACKFILL_SECONDS: '7200', NETRECON_LEDGER_TABLE: TABLE, ...opts.env };
  const config = parseHandlerConfig(env);
  const store = new LedgerStore(new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } }), TABLE);
  /** One container: its own memory, the same table and account as every other. */
  const runner = (now: number, memory = new LedgerMemory()) =>
    makeRunner({
      config,
      ...sdkClients(),
      logger: quiet,
      ledgerMemory: memory,
      ...(opts.store === false ? {} : { ledgerStore: store }),
      now: () => new Date(now * 1000),
      clock: virtualClock(),
      retry: { attempts: 2, baseDelayMs: 1 },
    });
  const completePeriods = () => storedCounts(fake).filter((s) => s.key.includes('EmitLedger') && s.count >= s.max).length;
  return { fake, table, store, runner, completePeriods };
}

describe('the ledger lease: two publishers at once', () => {
  it('a second handler process while the first is publishing skips the cluster and publishes nothing', async () => {
    const { holdPut, inPut, release } = heldFirstPut();
    const { fake, runner, completePeriods } = setup({
      holdPut,
    });
    const first = runner(NOW_SECONDS)(scheduled);
    await inPut; // the first process has decided and is inside its first put
    const second = await runner(NOW_SECONDS)(scheduled);
    expect(second.clusters[0]).toMatchObject({ outcome: 'skipped', periodsEmitted: 0, putRequests: 0 });
    expect(second.clusters[0]!.skipReason).toMatch(/another publisher holds the ledger lease of cluster c1 \(function netrecon request unknown/);
    expect(second.apiCalls.GetMetricData).toBe(0); // not even the ledger: nothing was decided
    release();
    const done = await first;
    expect(done.clusters[0]!.periodsEmitted).toBe(22);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    expect(completePeriods()).toBe(22);
    // The lease was given back: the next run decides (everything is published already) instead of skipping.
    const third = await runner(NOW_SECONDS)(scheduled);
    expect(third.clusters[0]).toMatchObject({ outcome: 'waiting', periodsAlreadyComplete: 22 });
  });

  it('without a ledger store the same overlap doubles every value (the behaviour the store replaces)', async () => {
    const { holdPut, inPut, release } = heldFirstPut();
    const { fake, runner } = setup({
      store: false,
      holdPut,
    });
    const first = runner(NOW_SECONDS)(scheduled);
    await inPut;
    await runner(NOW_SECONDS)(scheduled);
    release();
    await first;
    expect(exactlyOnce(fake).ok).toBe(false);
  });

  it('a lease left by a process that died blocks others until it expires, then the next run publishes once', async () => {
    const { fake, table, store, runner } = setup({});
    // A process that took the lease and was killed before it could release it.
    await store.acquire(testRuntime(), { namespace: 'NetRecon', cluster: 'c1' }, { owner: 'dead', holder: 'cli pid 4242', nowSeconds: NOW_SECONDS, leaseSeconds: LEASE_SECONDS, skewSeconds: CLOCK_SKEW_ALLOWANCE_SECONDS });
    const blocked = await runner(NOW_SECONDS + 60)(scheduled);
    expect(blocked.clusters[0]).toMatchObject({ outcome: 'skipped', putRequests: 0 });
    expect(blocked.clusters[0]!.skipReason).toMatch(/cli pid 4242, until 2026-03-01T12:15:00\.000Z/);
    // Expired, but within the clock-skew allowance: a publisher whose clock runs ahead must not take it yet.
    expect((await runner(NOW_SECONDS + LEASE_SECONDS + 60)(scheduled)).clusters[0]!.outcome).toBe('skipped');
    table.age(0);
    const after = await runner(NOW_SECONDS + LEASE_SECONDS + CLOCK_SKEW_ALLOWANCE_SECONDS + 1)(scheduled);
    expect(after.clusters[0]!.outcome).toBe('emitted');
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });

  it('a publisher that lost its lease while paused writes no intent and sends nothing more', async () => {
    const { holdPut, inPut, release } = heldFirstPut();
    // 300 nodes with per-node output: 2 requests a period, so the paused run has more to send after its first put.
    const { fake, table, runner } = setup({
      nodes: 300,
      env: { NETRECON_PER_NODE_METRICS: 'true', NETRECON_MAX_PERIODS_PER_RUN: '4', NETRECON_PERIODS_PER_READ: '1' },
      holdPut,
    });
    const paused = runner(NOW_SECONDS)(scheduled).catch((e: unknown) => e);
    await inPut;
    // The paused run's lease runs out (simulated: the records aged past lease and skew allowance), another takes over.
    table.age(LEASE_SECONDS + CLOCK_SKEW_ALLOWANCE_SECONDS + 1);
    const other = await runner(NOW_SECONDS)(scheduled);
    expect(other.clusters[0]!.outcome).toBe('emitted');
    // The first request of the paused run (period 1, chunk 1) has an intent: the other run holds that period.
    expect(other.clusters[0]!.periodsHeld).toBe(1);
    release();
    const result = await paused;
    expect(String(result)).toMatch(/no longer holds the lease/);
    // Its first request landed and was recorded; the rest of that period is the next run's, once.
    const next = await runner(NOW_SECONDS)(scheduled);
    expect(next.clusters[0]!.outcome).toBe('emitted');
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });
});

describe('the ledger store: its writes are safe to retry', () => {
  it('a lease taken again by the same owner (a retried call that had succeeded) is still its own; another owner is refused', async () => {
    const { store } = setup({});
    const key = { namespace: 'NetRecon', cluster: 'c1' };
    const lease = { owner: 'run-1', holder: 'test', nowSeconds: NOW_SECONDS, leaseSeconds: LEASE_SECONDS, skewSeconds: CLOCK_SKEW_ALLOWANCE_SECONDS };
    await store.acquire(testRuntime(), key, lease);
    await expect(store.acquire(testRuntime(), key, lease)).resolves.toMatchObject({ owner: 'run-1' });
    await expect(store.acquire(testRuntime(), key, { ...lease, owner: 'run-2' })).rejects.toThrow(/another publisher holds the ledger lease/);
  });
});

describe('the ledger store: a cold retry while CloudWatch does not show the ledger', () => {
  it('a new container after a complete run publishes nothing again although the ledger reads empty', async () => {
    let hidden = false;
    const { fake, runner } = setup({ getMetricData: hideLedger(() => hidden) });
    const first = await runner(NOW_SECONDS)(scheduled);
    expect(first.clusters[0]!.periodsEmitted).toBe(22);
    hidden = true;
    const cold = await runner(NOW_SECONDS)(scheduled);
    expect(cold.clusters[0]).toMatchObject({ periodsEmitted: 0, periodsAlreadyComplete: 22 });
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });

  it('an in-doubt put that landed is held by a cold retry, then settled as landed: never sent again', async () => {
    let hidden = true;
    let failAfter = 2;
    const { fake, runner, completePeriods } = setup({
      nodes: 300,
      env: { NETRECON_PER_NODE_METRICS: 'true', NETRECON_MAX_PERIODS_PER_RUN: '4', NETRECON_PERIODS_PER_READ: '1' },
      getMetricData: hideLedger(() => hidden),
      afterPut: (_input, n) => {
        if (n === failAfter) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      },
    });
    await expect(runner(NOW_SECONDS)(scheduled)).rejects.toThrow(/request 2 of 8 failed/);
    failAfter = -1;
    // Lambda's retry in a new container: CloudWatch shows nothing of the ledger yet.
    const cold = await runner(NOW_SECONDS)(scheduled);
    expect(cold.clusters[0]!.periodsHeld).toBe(1);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    // CloudWatch shows it now: the intent settles as landed at once, the period resumes after it.
    hidden = false;
    const later = await runner(NOW_SECONDS)(scheduled);
    expect(later.clusters[0]!.periodsHeld).toBe(0);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    expect(completePeriods()).toBeGreaterThanOrEqual(5);
  });

  it('an in-doubt put that never landed is held until CloudWatch could show it, then sent once', async () => {
    let failBefore = 2;
    const { fake, table, runner } = setup({
      nodes: 300,
      env: { NETRECON_PER_NODE_METRICS: 'true', NETRECON_MAX_PERIODS_PER_RUN: '4', NETRECON_PERIODS_PER_READ: '1' },
      beforePut: (_input, n) => {
        if (n === failBefore) throw Object.assign(new Error('internal failure'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } });
      },
    });
    await expect(runner(NOW_SECONDS)(scheduled)).rejects.toThrow(/request 2 of 8 failed/);
    failBefore = -1;
    const cold = await runner(NOW_SECONDS)(scheduled);
    expect(cold.clusters[0]!.periodsHeld).toBe(1); // it may have landed: a cold start cannot tell yet
    const key = partitionOf({ namespace: 'NetRecon', cluster: 'c1' });
    expect([...table.items.values()].filter((i) => i.ledger?.S === key && i.intentAt !== undefined)).toHaveLength(1);
    // Simulated: the hold passed (15 min + send deadline + signature validity + skew allowance) with nothing shown.
    table.age(3 * 3600);
    const after = await runner(NOW_SECONDS)(scheduled);
    expect(after.clusters[0]!.periodsHeld).toBe(0);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    expect([...table.items.values()].filter((i) => i.intentAt !== undefined)).toHaveLength(0);
  });
});
