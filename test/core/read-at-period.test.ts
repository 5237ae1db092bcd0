/**
 * Reading every series at the period (one value each) plus one SampleCount probe per node and source must give the
 * report reading the agent and Container Insights at 60 s gave: the same figures, and the same partial periods.
 * Each case builds the 60 s series by hand and aggregates them into the period shape here, as CloudWatch would
 * (Sum of the samples, SampleCount of the samples), then reconciles both.
 */
import { describe, expect, it } from 'vitest';
import type { CaptureSeries } from '../../lambda/capture/capture';
import { validateCapture } from '../../lambda/capture/validate';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { agent, capture, containerInsights, ec2, iface, iso, node, richNodeSeries, stamps, T0 } from '../helpers/capture-builder';

const P = 300;
const config = makeReconcileConfig({ sourceProfile: 'full' });

/** A 60 s series as one value per period: the Sum of its samples (a rate's Sum, with the 60 s sample interval). */
function atPeriod(s: CaptureSeries): CaptureSeries {
  const sums = new Map<number, number>();
  s.timestamps.forEach((t, i) => {
    const start = Math.floor(Date.parse(t) / 1000 / P) * P;
    sums.set(start, (sums.get(start) ?? 0) + s.values[i]!);
  });
  const starts = [...sums.keys()].sort((a, b) => a - b);
  return { ...s, stat: 'Sum', periodSeconds: P, sampleSeconds: 60, timestamps: starts.map(iso), values: starts.map((t) => sums.get(t)!) };
}

/** The SampleCount probe of a 60 s series: how many samples each period holds. */
function probeOf(s: CaptureSeries): CaptureSeries {
  const counts = new Map<number, number>();
  for (const t of s.timestamps) {
    const start = Math.floor(Date.parse(t) / 1000 / P) * P;
    counts.set(start, (counts.get(start) ?? 0) + 1);
  }
  const starts = [...counts.keys()].sort((a, b) => a - b);
  return { ...s, stat: 'SampleCount', unit: 'Count', periodSeconds: P, sampleSeconds: 60, timestamps: starts.map(iso), values: starts.map((t) => counts.get(t)!) };
}

const isProbed = (s: CaptureSeries): boolean =>
  s.source === 'containerInsights' || (s.source === 'agent' && s.direction === 'rx' && s.dimensions.interface === 'eth0');

/** The period shape the planner reads: EC2 as is, every 60 s series at P, probes of Container Insights and agent eth0 rx. */
function periodShape(series: CaptureSeries[]): CaptureSeries[] {
  return series.flatMap((s) => (s.periodSeconds !== 60 ? [s] : isProbed(s) ? [atPeriod(s), probeOf(s)] : [atPeriod(s)]));
}

function both(series: CaptureSeries[], nodes = [node('i-1')]) {
  const old = reconcile(validateCapture(capture(nodes, series), 'test').capture, config);
  const shaped = validateCapture(capture(nodes, periodShape(series)), 'test');
  expect(shaped.skipped).toEqual([]);
  const now = reconcile(shaped.capture, config);
  return { old, now };
}

/** Keeps the samples of a 60 s series whose minute index (0-9) passes `keep`. */
function only(s: CaptureSeries, keep: (minute: number) => boolean): CaptureSeries {
  const idx = s.timestamps.map((_, i) => i).filter((i) => keep(Math.round((Date.parse(s.timestamps[i]!) / 1000 - T0) / 60)));
  return { ...s, timestamps: idx.map((i) => s.timestamps[i]!), values: idx.map((i) => s.values[i]!) };
}

describe('reading at the period with SampleCount probes', () => {
  it('gives the same figures and statuses as 60 s reads on a complete node', () => {
    const { old, now } = both(richNodeSeries('i-1'));
    expect(now.nodePeriods).toEqual(old.nodePeriods);
    expect(now.clusterPeriods).toEqual(old.clusterPeriods);
    // Container Insights 42.5 B/s a minute: Sum over 5 minutes 212.5, x 60 s = 12,750 bytes a period.
    expect(now.nodePeriods.map((n) => n.containerInsightsTotalBytes)).toEqual([12_750, 12_750]);
    expect(now.nodePeriods.map((n) => n.status)).toEqual(['ok', 'ok']);
  });

  it('still marks the period an agent stopped in partial, with the same covered seconds', () => {
    // Every interface publishes minutes 0-6 only: period 2 (minutes 5-9) has 2 of its 5 minutes.
    const series = richNodeSeries('i-1').map((s) => (s.source === 'agent' ? only(s, (m) => m <= 6) : s));
    const { old, now } = both(series);
    expect(now.nodePeriods).toEqual(old.nodePeriods);
    expect(now.nodePeriods[1]!.status).toBe('partialPeriod');
    expect(now.nodePeriods[1]!.findings).toContainEqual({ status: 'partialPeriod', code: 'sourceCoverageShort', measure: 'agent', coveredSeconds: 120, periodSeconds: 300 });
    expect(now.nodePeriods[0]!.status).toBe('ok');
  });

  it('keeps a pod veth created mid-period legitimate (no gap), as the union of the interfaces did', () => {
    const series = richNodeSeries('i-1').map((s) => (s.source === 'agent' && s.dimensions.interface === 'eni0123456789a' ? only(s, (m) => m >= 2) : s));
    const { old, now } = both(series);
    expect(now.nodePeriods).toEqual(old.nodePeriods);
    expect(now.nodePeriods[0]!.findings.filter((f) => f.code === 'sourceCoverageShort')).toEqual([]);
    // Pod receive in period 1: the VPC CNI veth's 3 minutes of TX (800 bytes each) + veth1234's 5 minutes of 3.
    expect(now.nodePeriods[0]!.podRxBytes).toBe(3 * 800 + 5 * 3);
  });

  it('marks Container Insights short of minutes partial and counts only the minutes it has', () => {
    const series = richNodeSeries('i-1').map((s) => (s.source === 'containerInsights' ? only(s, (m) => m !== 3 && m !== 4) : s));
    const { old, now } = both(series);
    expect(now.nodePeriods).toEqual(old.nodePeriods);
    expect(now.nodePeriods[0]!.containerInsightsTotalBytes).toBe(3 * 60 * 42.5);
    expect(now.nodePeriods[0]!.findings).toContainEqual({ status: 'partialPeriod', code: 'sourceCoverageShort', measure: 'containerInsights', coveredSeconds: 180, periodSeconds: 300 });
  });

  it('marks a node launched mid-period partial in both shapes', () => {
    const series = [...iface('i-1', 'eth0', 100, 50).map((s) => only(s, (m) => m >= 7)), ec2('i-1', 'in', [0, 200]), ec2('i-1', 'out', [0, 100]), only(containerInsights('i-1', Array(10).fill(5)), (m) => m >= 7)];
    const { old, now } = both(series, [node('i-1', { launchTime: iso(T0 + 400) })]);
    expect(now.nodePeriods).toEqual(old.nodePeriods);
    expect(now.nodePeriods[0]!.findings[0]).toMatchObject({ code: 'nodeLaunchedAfterStart' });
  });

  it('never calls a period complete when its values aggregate samples and no probe says how many', () => {
    const series = periodShape(richNodeSeries('i-1')).filter((s) => !(s.source === 'agent' && s.stat === 'SampleCount'));
    const report = reconcile(validateCapture(capture([node('i-1')], series), 'test').capture, config);
    for (const np of report.nodePeriods) {
      expect(np.status).toBe('partialPeriod');
      expect(np.findings).toContainEqual({ status: 'partialPeriod', code: 'sourceCoverageShort', measure: 'agent', coveredSeconds: 0, periodSeconds: 300 });
    }
  });

  it('refuses a Container Insights probe with more samples than a 60 s publisher can have, and its bytes with it', () => {
    // 10 samples in a 5-minute period: published every 30 s, so Sum x 60 s would double the bytes.
    const series = periodShape(richNodeSeries('i-1')).map((s) =>
      s.source === 'containerInsights' && s.stat === 'SampleCount' ? { ...s, values: s.values.map(() => 10) } : s,
    );
    const report = reconcile(validateCapture(capture([node('i-1')], series), 'test').capture, config);
    for (const np of report.nodePeriods) {
      expect(np.containerInsightsTotalBytes).toBeNull();
      expect(np.status).toBe('partialPeriod');
      expect(np.complete.containerInsights).toBe(false);
    }
    expect(report.skipped.find((s) => s.series?.probe)?.reason).toMatch(/counts 10 samples in a 300 s interval.*at most 5/);
  });

  it('refuses a Sum of a Bytes/Second rate without its sample interval', () => {
    const { sampleSeconds: _, ...bare } = atPeriod(containerInsights('i-1', Array(10).fill(42.5)));
    const report = reconcile(validateCapture(capture([node('i-1')], [bare, ...periodShape(iface('i-1', 'eth0', 1, 1))]), 'test').capture, config);
    expect(report.skipped[0]!.reason).toMatch(/give sampleSeconds/);
    for (const np of report.nodePeriods) {
      expect(np.containerInsightsTotalBytes).toBeNull();
      expect(np.findings).toContainEqual(expect.objectContaining({ status: 'partialPeriod', code: 'seriesSkipped', source: 'containerInsights' }));
    }
  });

  it('takes a probe of another statistic for nothing: a probe is a SampleCount with its sample interval', () => {
    const s = agent('i-1', 'eth0', 'rx', [1, 1, 1, 1, 1], stamps(5));
    const bad = { ...probeOf(s), sampleSeconds: undefined } as unknown as CaptureSeries;
    const report = reconcile(validateCapture(capture([node('i-1')], [atPeriod(s), bad]), 'test').capture, config, {});
    expect(report.skipped[0]!.reason).toMatch(/needs a sampleSeconds/);
  });
});
