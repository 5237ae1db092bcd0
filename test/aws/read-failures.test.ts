import 'aws-sdk-client-mock-vitest/extend';
import { PutMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { makeCluster } from '../helpers/synthetic-cluster';
import { LedgerMemory } from '../../lambda/plan/ledger-memory';
import { main } from '../../lambda/cli/main';
import { runConfig } from '../helpers/run-config';
import type { RunSettingsInput } from '../../lambda/settings';
import { makeRunner } from '../../lambda/runner';
import { RunFailedError, type RunSummary } from '../../lambda/run-summary';
import { exactlyOnce, mockAccount, storedCounts, type AccountHooks } from './account';
import { NOW_SECONDS, sdkClients, virtualClock } from './helpers';

let restore: () => void = () => undefined;
afterEach(() => {
  restore();
  vi.unstubAllEnvs();
});

const serverError = (): Error => Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalServiceError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
const isLedgerRead = (input: GetMetricDataCommandInput): boolean => (input.MetricDataQueries ?? []).some((q) => q.MetricStat?.Metric?.MetricName === 'EmitLedger');
const instanceIds = (input: GetMetricDataCommandInput): string[] =>
  (input.MetricDataQueries ?? []).flatMap((q) => (q.MetricStat?.Metric?.Dimensions ?? []).filter((d) => d.Name === 'InstanceId').map((d) => d.Value!));

const NODES = 5;
const cluster = () => makeCluster({ cluster: 'c1', nodes: NODES, launchSeconds: NOW_SECONDS - 10 * 86_400 });

function setup(hooks: AccountHooks, settings: RunSettingsInput = {}) {
  const fake = new FakeAws(cluster());
  const account = mockAccount(fake, hooks);
  restore = account.restore;
  const config = runConfig({ clusters: ['c1'], backfillSeconds: 7200, ...settings });
  const logged: { message: string; data?: Record<string, unknown> }[] = [];
  const logger = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: (message: string, data?: Record<string, unknown>) => void logged.push({ message, ...(data ? { data } : {}) }) };
  const runner = (now: number, memory = new LedgerMemory()) =>
    makeRunner({ config, ...sdkClients(), logger, ledgerMemory: memory, now: () => new Date(now * 1000), clock: virtualClock(), retry: { attempts: 2, baseDelayMs: 1 }, nodeBatchSize: 2 });
  return { fake, account, runner, logged };
}

/** Every stored output datum (heartbeats left out) as "series @minute = sum / count", sorted. */
function published(fake: FakeAws): string[] {
  const out: string[] = [];
  for (const [key, byMinute] of fake.store) {
    if (key.includes('\u0000Heartbeat\u0000')) continue;
    for (const [minute, s] of byMinute) out.push(`${key.replaceAll('\u0000', ' ')} @${minute} = ${s.sum} / ${s.count}`);
  }
  return out.sort();
}

/** What an account with no fault publishes for the same runs: the values a faulty run must end up with. */
async function reference(settings: RunSettingsInput = {}, nows: readonly number[] = [NOW_SECONDS]): Promise<string[]> {
  const { fake, runner } = setup({}, settings);
  const memory = new LedgerMemory();
  for (const now of nows) await runner(now, memory)({});
  restore();
  return published(fake);
}

async function failedRun(run: Promise<RunSummary>): Promise<RunFailedError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunFailedError);
  return error as RunFailedError;
}

describe('a failed read is not data', () => {
  it('every metric read answered 500: nothing is published or sealed, the run fails, the next run publishes every period once', async () => {
    const expected = await reference();
    let faulty = true;
    const { fake, account, runner } = setup({
      getMetricData: async (input, real) => {
        if (faulty && !isLedgerRead(input)) throw serverError();
        return real();
      },
    });
    const memory = new LedgerMemory();
    const failed = await failedRun(runner(NOW_SECONDS, memory)({}));
    // 2 h back to the last closed period: 24 - 2 lag periods, none published.
    expect(failed.summary.clusters[0]).toMatchObject({ outcome: 'failed', periodsEmitted: 0, periodsNotRead: 22 });
    expect(failed.message).toMatch(/22 period\(s\) of cluster c1 were not published because a read failed: GetMetricData: \d+ series of cluster c1 \(node batch 1 of 3\)/);
    expect(failed.message).toMatch(/InternalServiceError/);
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
    expect(published(fake)).toEqual([]);

    faulty = false;
    const second = await runner(NOW_SECONDS, memory)({});
    expect(second.clusters[0]).toMatchObject({ outcome: 'emitted', periodsEmitted: 22 });
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    expect(published(fake)).toEqual(expected);
  });

  it('one read call of the second node batch answered 500: no period of the window is published', async () => {
    const expected = await reference();
    let faulty = true;
    const { fake, account, runner } = setup({
      getMetricData: async (input, real) => {
        // Nodes 2 and 3 of 5 are the second batch of 2; only their calls fail.
        if (faulty && instanceIds(input).some((id) => id.endsWith('2') || id.endsWith('3'))) throw serverError();
        return real();
      },
    });
    const memory = new LedgerMemory();
    const failed = await failedRun(runner(NOW_SECONDS, memory)({}));
    expect(failed.message).toMatch(/\(node batch 2 of 3\)/);
    expect(failed.summary.clusters[0]!.periodsNotRead).toBe(22);
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);

    faulty = false;
    const second = await runner(NOW_SECONDS, memory)({});
    expect(second.clusters[0]!.periodsEmitted).toBe(22);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
    expect(published(fake)).toEqual(expected);
  });

  it('a query answered StatusCode InternalError or Forbidden keeps the periods pending', async () => {
    for (const status of ['InternalError', 'Forbidden'] as const) {
      let faulty = true;
      const { fake, account, runner } = setup({
        getMetricData: async (input, real) => {
          const answer = await real();
          if (!faulty || isLedgerRead(input)) return answer;
          const [first, ...rest] = answer.MetricDataResults ?? [];
          return { ...answer, MetricDataResults: [{ ...first!, Timestamps: [], Values: [], StatusCode: status }, ...rest] };
        },
      });
      const failed = await failedRun(runner(NOW_SECONDS)({}));
      expect(failed.message).toMatch(new RegExp(`CloudWatch answered StatusCode ${status}`));
      expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
      faulty = false;
      expect((await runner(NOW_SECONDS)({})).clusters[0]!.periodsEmitted).toBe(22);
      expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
      restore();
    }
  });
});

describe('a failed ledger read is not an empty ledger', () => {
  it('a ledger answered StatusCode InternalError fails the cluster instead of publishing every period again', async () => {
    let ledgerFault: 'none' | 'status' | 'error' = 'none';
    const { fake, account, runner } = setup({
      getMetricData: async (input, real) => {
        if (ledgerFault === 'error' && isLedgerRead(input)) throw serverError();
        const answer = await real();
        if (ledgerFault !== 'status' || !isLedgerRead(input)) return answer;
        return { ...answer, MetricDataResults: (answer.MetricDataResults ?? []).map((r) => ({ ...r, Timestamps: [], Values: [], StatusCode: 'InternalError' as const })) };
      },
    });
    await runner(NOW_SECONDS)({});
    const puts = account.cw.commandCalls(PutMetricDataCommand).length;
    const before = storedCounts(fake);
    for (const fault of ['status', 'error'] as const) {
      ledgerFault = fault;
      // A cold start, so no container memory stands in for the ledger.
      const failed = await failedRun(runner(NOW_SECONDS + 60)({}));
      expect(failed.message).toMatch(/the EmitLedger read for cluster c1 failed/);
      expect(account.cw.commandCalls(PutMetricDataCommand)).toHaveLength(puts);
    }
    expect(storedCounts(fake)).toEqual(before);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });
});

describe('the backfill horizon', () => {
  it('a period that cannot be read before it leaves the backfill window is never published, and the run says so', async () => {
    const settings = { backfillSeconds: 3600, periodsPerRead: 1 };
    let faulty = true;
    const { fake, runner, logged } = setup(
      {
        getMetricData: async (input, real) => {
          if (faulty && !isLedgerRead(input)) throw serverError();
          return real();
        },
      },
      settings,
    );
    const memory = new LedgerMemory();
    // The window is [NOW - 3600, NOW - 600): 10 periods. The oldest, NOW - 3600, is inside it until NOW.
    const failed = await failedRun(runner(NOW_SECONDS, memory)({}));
    const oldest = new Date((NOW_SECONDS - 3600) * 1000).toISOString();
    expect(failed.message).toContain(`The oldest, ${oldest}, reaches the end of the backfill window (3600 s)`);
    expect(logged).toContainEqual({ message: 'period leaving the backfill window unread', data: { cluster: 'c1', periods: 10, oldest, oldestLeavesWindowAt: new Date(NOW_SECONDS * 1000).toISOString() } });

    // Five minutes later the fault has cleared, and that period is outside the window.
    faulty = false;
    const next = await runner(NOW_SECONDS + 300, memory)({});
    expect(next.clusters[0]!.periodsEmitted).toBe(10); // NOW - 3300 .. NOW - 600
    const minutes = new Set(storedCounts(fake).map((s) => s.minute));
    expect(minutes.has(NOW_SECONDS - 3600)).toBe(false);
    expect(minutes.has(NOW_SECONDS - 3300)).toBe(true);
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });

  it('a read failing while the oldest period is not yet at the horizon says until when it can be retried', async () => {
    let faulty = false;
    const { runner, logged } = setup({
      getMetricData: async (input, real) => {
        if (faulty && !isLedgerRead(input)) throw serverError();
        return real();
      },
    });
    // Backfill 2 h. An hour earlier everything up to then was published; now the hour since cannot be read.
    await runner(NOW_SECONDS - 3600)({});
    faulty = true;
    const failed = await failedRun(runner(NOW_SECONDS)({}));
    const oldest = new Date((NOW_SECONDS - 4200) * 1000).toISOString();
    expect(failed.message).toContain(`The oldest, ${oldest}, can be retried until ${new Date((NOW_SECONDS + 3000) * 1000).toISOString()}`);
    expect(logged.map((l) => l.message)).not.toContain('period leaving the backfill window unread');
  });
});

describe('the live CLI', () => {
  it('reconcile --cluster exits 1 naming the failed read, and publishes nothing', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 3, launchSeconds: Math.floor(Date.now() / 1000) - 86_400 }));
    const account = mockAccount(fake, {
      getMetricData: async (input, real) => {
        const answer = await real();
        if (isLedgerRead(input)) return answer;
        return { ...answer, MetricDataResults: (answer.MetricDataResults ?? []).map((r) => ({ ...r, Timestamps: [], Values: [], StatusCode: 'Forbidden' as const })) };
      },
    });
    restore = account.restore;
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1'], { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/netrecon reconcile: 12 period\(s\) of cluster c1 were not published because a read failed: GetMetricData: \d+ series .* could not be read \(CloudWatch answered StatusCode Forbidden/);
    expect(out.join('')).toBe('');
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });
});
