/**
 * Period alignment: puts each series' samples into epoch-aligned periods of P seconds and converts them to
 * bytes (through units.ts). A sample covering [t, t + s) belongs to the period containing t; s must divide P
 * and t must be a multiple of s, so that no sample straddles two periods (GetMetricData answers are aligned
 * this way). Samples outside the reconciled window are ignored.
 */
import type { CaptureSeries } from '../capture/capture';
import { epochSecondsOf, expectedSampleCount, MAX_BYTES_PER_SECOND, periodStartOf, sampleBytes, sampleBytesPerSecond, sampleCountSeconds, valueKindOf, wholeBytes } from './units';

/** One series' share of one period. */
export interface SeriesPeriodBucket {
  readonly bytes: number;
  /** Epoch seconds at which each present value starts; its interval is the series' periodSeconds. */
  readonly sampleStarts: readonly number[];
  readonly sampleSeconds: number;
  /**
   * Each value aggregates several source samples (read at a period coarser than the source publishes), so its
   * timestamps say nothing of how much of the period the samples cover: the source's SampleCount probe does.
   */
  readonly coverageFromProbe?: boolean;
}

/** A SampleCount probe's answer: seconds of each period (by start) its samples cover. */
export type ProbeCoverage = ReadonlyMap<number, number>;

export type AlignedSeries =
  | { readonly ok: true; readonly buckets: ReadonlyMap<number, SeriesPeriodBucket> }
  | { readonly ok: false; readonly reason: string; readonly value?: unknown };

export interface PeriodGrid {
  readonly periodSeconds: number;
  /** Epoch seconds of the first whole period's start. */
  readonly firstStart: number;
  readonly count: number;
}

/** The whole periods of `periodSeconds` inside [start, end), epoch-aligned. */
export function periodGrid(startIso: string, endIso: string, periodSeconds: number): PeriodGrid {
  const start = epochSecondsOf(startIso);
  const end = epochSecondsOf(endIso);
  const firstStart = Math.ceil(start / periodSeconds) * periodSeconds;
  const count = Math.max(0, Math.floor((end - firstStart) / periodSeconds));
  return { periodSeconds, firstStart, count };
}

export function periodStarts(grid: PeriodGrid): number[] {
  return Array.from({ length: grid.count }, (_, i) => grid.firstStart + i * grid.periodSeconds);
}

export function alignSeries(series: CaptureSeries, grid: PeriodGrid): AlignedSeries {
  const kind = valueKindOf(series.unit, series.stat);
  if (kind === null || kind === 'sampleCount') {
    return { ok: false, reason: `unit "${series.unit}" with statistic "${series.stat}" is not a byte count or rate netrecon understands` };
  }
  const sampleSeconds = series.periodSeconds;
  const periodSeconds = grid.periodSeconds;
  if (periodSeconds % sampleSeconds !== 0) {
    return {
      ok: false,
      reason: `its ${sampleSeconds} s samples cannot be split into ${periodSeconds} s periods; use a period that is a multiple of ${sampleSeconds} s`,
      value: sampleSeconds,
    };
  }
  // The source's own interval, when one value aggregates several of its samples (units.ts).
  const sourceSeconds = series.sampleSeconds ?? sampleSeconds;
  if (kind === 'sumOfBytesPerSecond' && series.sampleSeconds === undefined) {
    return { ok: false, reason: 'a Sum of a Bytes/Second rate converts to bytes only with the interval of its samples; give sampleSeconds', value: series.stat };
  }
  if (sampleSeconds % sourceSeconds !== 0) {
    return { ok: false, reason: `its sampleSeconds ${sourceSeconds} does not divide its ${sampleSeconds} s period`, value: sourceSeconds };
  }
  const coverageFromProbe = sourceSeconds < sampleSeconds;
  const windowEnd = grid.firstStart + grid.count * periodSeconds;
  const buckets = new Map<number, { bytes: number; sampleStarts: number[]; sampleSeconds: number; coverageFromProbe: boolean }>();
  const seen = new Set<number>();
  for (let i = 0; i < series.timestamps.length; i++) {
    const t = epochSecondsOf(series.timestamps[i]!);
    if (t % sampleSeconds !== 0) {
      return {
        ok: false,
        reason: `timestamps[${i}] is not aligned to the series' ${sampleSeconds} s period`,
        value: series.timestamps[i],
      };
    }
    if (seen.has(t)) return { ok: false, reason: `timestamps[${i}] appears twice`, value: series.timestamps[i] };
    const value = series.values[i]!;
    const rate = sampleBytesPerSecond(kind, value, sampleSeconds, sourceSeconds);
    if (!(rate <= MAX_BYTES_PER_SECOND)) {
      return {
        ok: false,
        reason: `values[${i}] is ${rate} bytes/second over its ${sampleSeconds} s sample, above the ${MAX_BYTES_PER_SECOND} bytes/second no EC2 network interface reaches (a broken counter?)`,
        value,
      };
    }
    seen.add(t);
    if (t < grid.firstStart || t >= windowEnd) continue;
    const start = periodStartOf(t, periodSeconds);
    let bucket = buckets.get(start);
    if (!bucket) {
      bucket = { bytes: 0, sampleStarts: [], sampleSeconds, coverageFromProbe };
      buckets.set(start, bucket);
    }
    bucket.bytes += sampleBytes(kind, value, sourceSeconds);
    bucket.sampleStarts.push(t);
  }
  for (const bucket of buckets.values()) bucket.bytes = wholeBytes(bucket.bytes);
  return { ok: true, buckets };
}

export type AlignedProbe =
  | { readonly ok: true; readonly coverage: ProbeCoverage }
  | { readonly ok: false; readonly reason: string; readonly value?: unknown };

/**
 * A SampleCount probe (unit Count, with the source's sampleSeconds) into the seconds of each period its samples
 * cover. A value with more samples than its interval holds at that publishing interval means the source
 * publishes faster than assumed: then neither the coverage nor a Sum of rates can be trusted, and the probe is
 * refused (its source becomes a gap, never a complete figure).
 */
export function alignProbe(series: CaptureSeries, grid: PeriodGrid): AlignedProbe {
  if (valueKindOf(series.unit, series.stat) !== 'sampleCount') {
    return { ok: false, reason: `unit "${series.unit}" with statistic "${series.stat}" is not a SampleCount probe`, value: series.stat };
  }
  const intervalSeconds = series.periodSeconds;
  const sampleSeconds = series.sampleSeconds;
  if (sampleSeconds === undefined || intervalSeconds % sampleSeconds !== 0 || grid.periodSeconds % intervalSeconds !== 0) {
    return { ok: false, reason: `a SampleCount probe needs a sampleSeconds that divides its ${intervalSeconds} s period, itself dividing the ${grid.periodSeconds} s period`, value: sampleSeconds };
  }
  const most = expectedSampleCount(intervalSeconds, sampleSeconds);
  const windowEnd = grid.firstStart + grid.count * grid.periodSeconds;
  const coverage = new Map<number, number>();
  const seen = new Set<number>();
  for (let i = 0; i < series.timestamps.length; i++) {
    const t = epochSecondsOf(series.timestamps[i]!);
    const count = series.values[i]!;
    if (t % intervalSeconds !== 0) return { ok: false, reason: `timestamps[${i}] is not aligned to the probe's ${intervalSeconds} s period`, value: series.timestamps[i] };
    if (seen.has(t)) return { ok: false, reason: `timestamps[${i}] appears twice`, value: series.timestamps[i] };
    seen.add(t);
    if (!Number.isInteger(count) || count > most) {
      return {
        ok: false,
        reason: `values[${i}] counts ${count} samples in a ${intervalSeconds} s interval, where a source publishing every ${sampleSeconds} s has at most ${most}: it publishes more often than netrecon assumes, so its period figures cannot be trusted`,
        value: count,
      };
    }
    if (t < grid.firstStart || t >= windowEnd) continue;
    const start = periodStartOf(t, grid.periodSeconds);
    coverage.set(start, (coverage.get(start) ?? 0) + sampleCountSeconds(count, sampleSeconds));
  }
  return { ok: true, coverage };
}

/**
 * Seconds of [periodStart, periodStart + P) covered by at least one sample of the given buckets (of one or
 * several series: the agent publishes one series per interface, and a pod veth that existed for part of the
 * period legitimately has fewer samples, so coverage is judged on the union).
 */
export function coveredSeconds(buckets: readonly SeriesPeriodBucket[]): number {
  return unionSeconds(buckets.flatMap((b) => b.sampleStarts.map((s) => [s, s + b.sampleSeconds] as const)));
}

/** Seconds covered by the union of [start, end) intervals, in any order. */
export function unionSeconds(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const [start, end] of sorted) {
    if (end <= reach) continue;
    covered += end - Math.max(start, reach);
    reach = end;
  }
  return covered;
}
