import { describe, expect, it } from 'vitest';
import { alignSeries, coveredSeconds, periodGrid } from '../../lambda/core/align';
import { periodStartOf, sampleBytes, valueKindOf } from '../../lambda/core/units';
import { readCaptureFile } from '../../lambda/capture/io';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { agent, capture, containerInsights, ec2, iso, node, stamps, T0 } from '../helpers/capture-builder';

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

describe('a byte is indivisible: every byte figure is a whole number', () => {
  it('a node without the agent: 20,000,000 bytes a period in each view, none counted twice', () => {
    // EC2 in 15,000,000 + out 5,000,000 per 300 s; Container Insights the same 20,000,000 B as a rate: 66,666.67 B/s
    // each minute, five minutes times 60 s of it. Summed as floats it made 20000000.000000004, and CI minus EC2
    // 3.7e-9 bytes counted twice.
    const A = 'i-000000000000000aa';
    const c = capture([node(A)], [ec2(A, 'in', [15e6, 15e6]), ec2(A, 'out', [5e6, 5e6]), containerInsights(A, Array(10).fill(20e6 / 300))]);
    const report = reconcile(c, makeReconcileConfig());
    for (const np of report.nodePeriods) {
      expect(np.basis).toBe('ec2');
      expect(np.containerInsightsTotalBytes).toBe(20_000_000);
      expect(np.doubleCountedBytes).toBe(0);
    }
    expect(report.clusterPeriods[0]!.containerInsightsTotalBytes).toBe(20_000_000);
  });

  it("the seed: Container Insights' 294,211.02 bytes are 294,211, and its residual against the agent's 294,211 is 0", async () => {
    const { capture: seed, skipped } = await readCaptureFile(new URL('../../examples/seed-experiment.capture.json', import.meta.url).pathname);
    const report = reconcile(seed, makeReconcileConfig(), { skipped });
    const first = report.nodePeriods[0]!;
    // The agent's interfaces counted by cAdvisor: 155,783 + 95,298 on the ENI, 21,260 + 21,870 on the pod veth.
    expect(first.naiveTotalBytes).toBe(155_783 + 95_298 + 21_260 + 21_870);
    expect(first.containerInsightsTotalBytes).toBe(294_211);
    expect(first.containerInsightsResidualBytes).toBe(0);
    // Counted twice: Container Insights minus the ENIs' 251,081.
    expect(first.doubleCountedBytes).toBe(294_211 - 251_081);
    const byteFigures = [...report.nodePeriods, ...report.clusterPeriods].flatMap((r) => Object.entries(r).filter(([k, v]) => k.endsWith('Bytes') && typeof v === 'number').map(([, v]) => v as number));
    expect(byteFigures.length).toBeGreaterThan(50);
    expect(byteFigures.filter((v) => !Number.isInteger(v))).toEqual([]);
  });

  it('rounds each period once, after its samples are summed: five minutes at 0.40167 B/s are 121 bytes (120.5), not 5 x round(24.1) = 120', () => {
    const aligned = alignSeries(containerInsights('i-1', Array(5).fill(0.4 + 1 / 600)), periodGrid(iso(T0), iso(T0 + 300), 300));
    // 5 x 60 x (0.4 + 1/600) = 120.5 bytes: rounded once, 121 (each sample rounded first: 5 x 24 = 120).
    expect(aligned.ok && [...aligned.buckets.values()][0]!.bytes).toBe(121);
  });
});
