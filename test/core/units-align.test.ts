import { describe, expect, it } from 'vitest';
import { alignSeries, coveredSeconds, periodGrid } from '../../lambda/core/align';
import { periodStartOf, sampleBytes, valueKindOf } from '../../lambda/core/units';
import { agent, containerInsights, ec2, iso, stamps, T0 } from '../helpers/capture-builder';

const grid = periodGrid(iso(T0), iso(T0 + 600), 300);

describe('units', () => {
  it('reads Bytes/Sum as bytes per interval and Bytes/Second/Average as a rate', () => {
    expect(valueKindOf('Bytes', 'Sum')).toBe('bytesPerInterval');
    expect(valueKindOf('Bytes/Second', 'Average')).toBe('bytesPerSecond');
    expect(valueKindOf('Bytes', 'Average')).toBeNull();
    expect(valueKindOf('Count', 'Sum')).toBeNull();
  });

  it('turns a rate sample into the bytes of its own interval', () => {
    // 1,000 B/s for a 60 s sample is 60,000 bytes; a 300 s Average sample is Average x 300.
    expect(sampleBytes('bytesPerSecond', 1000, 60)).toBe(60_000);
    expect(sampleBytes('bytesPerSecond', 1000, 300)).toBe(300_000);
    expect(sampleBytes('bytesPerInterval', 1000, 60)).toBe(1000);
  });

  it('aligns periods to the epoch', () => {
    // 1,700,000,123 s: 1,700,000,123 mod 300 = 23, so the period starts 23 s earlier.
    expect(periodStartOf(1_700_000_123, 300)).toBe(1_700_000_100);
    expect(periodStartOf(1_700_000_100, 300)).toBe(1_700_000_100);
  });
});

describe('period grid', () => {
  it('keeps only whole periods inside the window', () => {
    // Window 00:01..00:14 holds the whole periods 00:05 and ... 00:10 ends at 00:15 > 00:14, so only 00:05.
    const g = periodGrid(iso(T0 + 60), iso(T0 + 14 * 60), 300);
    expect(g).toEqual({ periodSeconds: 300, firstStart: T0 + 300, count: 1 });
  });
});

describe('alignSeries', () => {
  it('sums 1-minute byte counts into 5-minute periods', () => {
    const aligned = alignSeries(agent('i-1', 'eth0', 'rx', [1, 2, 3, 4, 5, 10, 20, 30, 40, 50]), grid);
    if (!aligned.ok) throw new Error(aligned.reason);
    // 1+2+3+4+5 = 15 in 00:00; 10+20+30+40+50 = 150 in 00:05.
    expect(aligned.buckets.get(T0)!.bytes).toBe(15);
    expect(aligned.buckets.get(T0 + 300)!.bytes).toBe(150);
    expect(aligned.buckets.get(T0)!.sampleStarts).toHaveLength(5);
  });

  it('turns 1-minute Bytes/Second averages into bytes: mean x 300 over a whole period', () => {
    const aligned = alignSeries(containerInsights('i-1', [100, 200, 300, 400, 500]), grid);
    if (!aligned.ok) throw new Error(aligned.reason);
    // (100+200+300+400+500) x 60 = 90,000 = mean 300 B/s x 300 s.
    expect(aligned.buckets.get(T0)!.bytes).toBe(90_000);
  });

  it('takes a 300 s sample whole', () => {
    const aligned = alignSeries(ec2('i-1', 'in', [7000, 8000]), grid);
    if (!aligned.ok) throw new Error(aligned.reason);
    expect(aligned.buckets.get(T0)!.bytes).toBe(7000);
    expect(aligned.buckets.get(T0 + 300)!.bytes).toBe(8000);
  });

  it('ignores samples outside the window', () => {
    const s = agent('i-1', 'eth0', 'rx', [5, 7, 9], [iso(T0 - 60), iso(T0), iso(T0 + 600)]);
    const aligned = alignSeries(s, grid);
    if (!aligned.ok) throw new Error(aligned.reason);
    expect([...aligned.buckets.keys()]).toEqual([T0]);
    expect(aligned.buckets.get(T0)!.bytes).toBe(7);
  });

  it('refuses samples longer than the period, with the hint to change it', () => {
    const g = periodGrid(iso(T0), iso(T0 + 600), 60);
    const aligned = alignSeries(ec2('i-1', 'in', [7000]), g);
    expect(aligned).toMatchObject({ ok: false, value: 300 });
    expect(!aligned.ok && aligned.reason).toMatch(/multiple of 300 s/);
  });

  it('refuses a sample that would straddle two periods', () => {
    const aligned = alignSeries(agent('i-1', 'eth0', 'rx', [1], [iso(T0 + 30)]), grid);
    expect(aligned).toMatchObject({ ok: false, value: iso(T0 + 30) });
  });

  it('refuses a timestamp that appears twice', () => {
    const aligned = alignSeries(agent('i-1', 'eth0', 'rx', [1, 2], [iso(T0), iso(T0)]), grid);
    expect(aligned.ok).toBe(false);
  });
});

describe('coveredSeconds', () => {
  it('counts the union of sample intervals, so interfaces that come and go do not make a period partial', () => {
    // eth0 has minutes 0-4; a pod veth only minutes 2-3: the union is still 300 s.
    const a = { bytes: 0, sampleSeconds: 60, sampleStarts: stamps(5).map((s) => Date.parse(s) / 1000) };
    const b = { bytes: 0, sampleSeconds: 60, sampleStarts: [T0 + 120, T0 + 180] };
    expect(coveredSeconds([a, b])).toBe(300);
    expect(coveredSeconds([b])).toBe(120);
    expect(coveredSeconds([])).toBe(0);
  });
});
