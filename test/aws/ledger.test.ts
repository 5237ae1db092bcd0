import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readLedger } from '../../lambda/aws/ledger';
import { decidePending, mergeLedgers, type LedgerEntry, type ScheduleSettings } from '../../lambda/plan/pending-periods';
import { NOW_SECONDS, testRuntime } from './helpers';

const cw = mockClient(CloudWatchClient);
beforeEach(() => cw.reset());

const P = 300;
const schedule: ScheduleSettings = { periodSeconds: P, lagSeconds: 600, backfillSeconds: 86_400, maxPeriodsPerRun: 288, periodsPerRead: 12 };
// NOW is period-aligned: the last closed period past the 600 s lag ends at NOW - 600.
const closedEnd = NOW_SECONDS - 600;
const complete = (starts: number[]): Map<number, LedgerEntry> => new Map(starts.map((s) => [s, { landed: 1, total: 1 }]));
const range = (from: number, to: number): number[] => Array.from({ length: (to - from) / P }, (_, i) => from + i * P);

describe('which periods a run emits', () => {
  it('waits while fewer than the periods-per-read setting are pending', () => {
    const done = complete(range(NOW_SECONDS - 86_400, closedEnd - 11 * P));
    const d = decidePending(NOW_SECONDS, schedule, { kind: 'scheduled' }, done);
    expect(d.periods).toEqual([]);
    expect(d.waiting).toMatch(/11 period\(s\) pending, fewer than the 12/);
  });

  it('reads every pending period with one read once 12 are pending', () => {
    const done = complete(range(NOW_SECONDS - 86_400, closedEnd - 12 * P));
    const d = decidePending(NOW_SECONDS, schedule, { kind: 'scheduled' }, done);
    expect(d.periods).toEqual(range(closedEnd - 12 * P, closedEnd));
    // The window holds 288 - 2 (lag) = 286 closed periods, 12 of them pending.
    expect(d.alreadyComplete).toBe(274);
  });

  it('reads every period after an outage, bounded by the backfill window and the per-run cap', () => {
    const d = decidePending(NOW_SECONDS, { ...schedule, maxPeriodsPerRun: 100 }, { kind: 'scheduled' }, new Map());
    // 24 h back from now, up to the last closed period: 288 - 2 lag periods = 286 pending, oldest 100 first.
    expect(d.periods).toHaveLength(100);
    expect(d.periods[0]).toBe(NOW_SECONDS - 86_400);
    expect(d.deferred).toBe(186);
  });

  it('does not wait when the oldest pending period is about to leave the backfill window', () => {
    const start = NOW_SECONDS - 86_400;
    const done = complete(range(start + P, closedEnd)); // only the oldest period is missing
    const d = decidePending(NOW_SECONDS, schedule, { kind: 'scheduled' }, done);
    expect(d.periods).toEqual([start]);
  });

  it('treats a period whose requests only partly landed as pending', () => {
    const done = complete(range(NOW_SECONDS - 86_400, closedEnd));
    done.set(closedEnd - P, { landed: 1, total: 3 });
    const d = decidePending(NOW_SECONDS, { ...schedule, periodsPerRead: 1 }, { kind: 'scheduled' }, done);
    expect(d.periods).toEqual([closedEnd - P]);
  });

  it('takes a manual window as asked, whole closed periods only, and skips what landed', () => {
    const start = NOW_SECONDS - 2 * 3600 + 10;
    const d = decidePending(NOW_SECONDS, schedule, { kind: 'manual', startSeconds: start, endSeconds: NOW_SECONDS }, complete([NOW_SECONDS - 3600]));
    expect(d.periods[0]).toBe(NOW_SECONDS - 2 * 3600 + P);
    expect(d.periods.at(-1)).toBe(closedEnd - P);
    expect(d.periods).not.toContain(NOW_SECONDS - 3600);
  });

  it('merges two views of the ledger by taking the furthest of each', () => {
    const a = new Map([[1, { landed: 1, total: 3 }]]);
    const b = new Map([[1, { landed: 2, total: 2 }], [2, { landed: 1, total: 1 }]]);
    expect([...mergeLedgers(a, b)]).toEqual([[1, { landed: 2, total: 3 }], [2, { landed: 1, total: 1 }]]);
  });
});

describe('reading the ledger', () => {
  it('asks for SampleCount and Maximum of EmitLedger in one call and pairs them by period', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'landed', Timestamps: [new Date(1000 * 3000), new Date(1000 * 3300)], Values: [1, 2] },
        { Id: 'total', Timestamps: [new Date(1000 * 3000), new Date(1000 * 3300)], Values: [1, 3] },
      ],
    });
    const rt = testRuntime();
    const ledger = await readLedger(rt, { namespace: 'NetRecon', cluster: 'c1', periodSeconds: 300, startSeconds: 0, endSeconds: 3600 });
    expect([...ledger]).toEqual([[3000, { landed: 1, total: 1 }], [3300, { landed: 2, total: 3 }]]);
    const metric = { Namespace: 'NetRecon', MetricName: 'EmitLedger', Dimensions: [{ Name: 'ClusterName', Value: 'c1' }] };
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: [
        { Id: 'landed', MetricStat: { Metric: metric, Period: 300, Stat: 'SampleCount' }, ReturnData: true },
        { Id: 'total', MetricStat: { Metric: metric, Period: 300, Stat: 'Maximum' }, ReturnData: true },
      ],
    });
    expect(rt.counters.metricsRequested).toBe(1);
  });

  it('follows NextToken and bills the request once', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'landed', Timestamps: [new Date(1000 * 3000)], Values: [1] },
          { Id: 'total', Timestamps: [new Date(1000 * 3000)], Values: [2] },
        ],
        NextToken: 'page2',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'landed', Timestamps: [new Date(1000 * 3300)], Values: [1] },
          { Id: 'total', Timestamps: [new Date(1000 * 3300)], Values: [1] },
        ],
      });
    const rt = testRuntime();
    const ledger = await readLedger(rt, { namespace: 'NetRecon', cluster: 'c1', periodSeconds: 300, startSeconds: 0, endSeconds: 3600 });
    expect([...ledger]).toEqual([[3000, { landed: 1, total: 2 }], [3300, { landed: 1, total: 1 }]]);
    expect(cw).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'page2' });
    expect(rt.counters.calls.GetMetricData).toBe(2);
    expect(rt.counters.metricsRequested).toBe(1);
  });
});
