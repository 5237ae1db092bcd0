import { describe, expect, it } from 'vitest';
import { checkAnswer } from '../../../lambda/sources/promql/answer-checks';
import { counterPeriods, unionSeconds } from '../../../lambda/sources/promql/counter-periods';

const P = 300;
const base = { periodSeconds: P, windowStartSeconds: 0, windowEndSeconds: 600, maxGapSeconds: 45, sampleIntervalSeconds: 30 } as const;
const cumulative = { ...base, temporality: 'cumulative' as const };

describe('exact bytes per period from counter samples', () => {
  it('scrapes off the boundaries: each period gets the difference between the last samples at or before its edges, and none is lost over the window', () => {
    // Samples at -15, 15, 45, ..., 615, +1,000 bytes each.
    const times = Array.from({ length: 22 }, (_, i) => -15 + 30 * i);
    const values = times.map((_, i) => 1_000 * i);
    const r = counterPeriods({ timesSeconds: times, values }, cumulative);
    expect([...r.bytes]).toEqual([
      [0, 10_000],
      [300, 10_000],
    ]);
    // The step (285, 315] closes in period 1 but covers the end of period 0: both periods fully covered.
    expect(unionSeconds(r.covered.get(0)!)).toBe(300);
    expect(unionSeconds(r.covered.get(300)!)).toBe(300);
  });

  it('a reset counts the new value from 0, twice in one period too', () => {
    const times = [0, 60, 120, 180, 240, 300];
    const values = [500, 900, 100, 300, 50, 250];
    const r = counterPeriods({ timesSeconds: times, values }, cumulative);
    expect(r.bytes.get(0)).toBe(400 + 100 + 200 + 50 + 200);
    expect(r.resets).toBe(2);
  });

  it('delta temporality: each value is bytes of the interval before it, summed by the period its timestamp closes', () => {
    const times = [30, 60, 90, 300, 330];
    const values = [10, 20, 30, 40, 50];
    const r = counterPeriods({ timesSeconds: times, values }, { ...base, temporality: 'delta' });
    expect([...r.bytes]).toEqual([
      [0, 100],
      [300, 50],
    ]);
    // Four 30 s values in period 0: 120 s covered, so it is partial.
    expect(unionSeconds(r.covered.get(0)!)).toBe(120);
  });

  it('a gap longer than the tolerance gives its bytes but covers nothing', () => {
    const r = counterPeriods({ timesSeconds: [0, 30, 150, 300], values: [0, 10, 70, 100] }, cumulative);
    expect(r.bytes.get(0)).toBe(100);
    expect(unionSeconds(r.covered.get(0)!)).toBe(30);
  });
});

describe('the answer checks', () => {
  const answer = (values: unknown[]) => ({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { device: 'eth0' }, values }, { metric: { device: 'eth1' }, values: [[1, '5']] }] } });
  it.each([
    [[[1, 'NaN']], /NaN/],
    [[[1, '+Inf']], /\+Inf, not a byte count/],
    [[[1, '-Inf']], /-Inf, not a byte count/],
    [[[1, '-3']], /negative/],
    [[[1, '3'], [1, '3']], /appears twice/],
    [[[2, '3'], [1, '3']], /not in time order/],
  ])('refuses %j with its reason and keeps the other series', (values, reason) => {
    const r = checkAnswer(answer(values), 'matrix');
    expect(r.refused).toEqual([expect.objectContaining({ labels: { device: 'eth0' }, reason: expect.stringMatching(reason) })]);
    expect(r.series.map((s) => s.labels.device)).toEqual(['eth1']);
  });
  it('refuses an answer that is not a matrix', () => {
    expect(() => checkAnswer({ status: 'success', data: { resultType: 'vector', result: [] } }, 'matrix')).toThrow(/resultType is "vector"/);
  });
});

describe('coverage intervals', () => {
  it('touching steps are kept as one interval a stretch (same union, a few pairs a period), a missed scrape splits it', () => {
    const times = [0, 30, 60, 90, 120, 150, 210, 240, 270, 300];
    const r = counterPeriods({ timesSeconds: times, values: times.map((t) => t * 10) }, { periodSeconds: 300, windowStartSeconds: 0, windowEndSeconds: 300, temporality: 'cumulative', maxGapSeconds: 45, sampleIntervalSeconds: 30 });
    // (150, 210] is a gap: 0..150 and 210..300 covered.
    expect(r.covered.get(0)).toEqual([
      [0, 150],
      [210, 300],
    ]);
  });
});
