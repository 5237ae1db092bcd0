/**
 * Period alignment: puts each series' samples into epoch-aligned periods of P seconds and converts them to
 * bytes (through units.ts). A sample covering [t, t + s) belongs to the period containing t; s must divide P
 * and t must be a multiple of s, so that no sample straddles two periods (GetMetricData answers are aligned
 * this way). Samples outside the reconciled window are ignored.
 */
import type { CaptureSeries } from '../capture/capture';
import { epochSecondsOf, MAX_BYTES_PER_SECOND, periodStartOf, sampleBytes, sampleBytesPerSecond, valueKindOf } from './units';

/** One series' share of one period. */
export interface SeriesPeriodBucket {
  readonly bytes: number;
  /** Epoch seconds at which each present sample starts; its interval is the series' periodSeconds. */
  readonly sampleStarts: readonly number[];
  readonly sampleSeconds: number;
}

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
  if (kind === null) {
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
  const windowEnd = grid.firstStart + grid.count * periodSeconds;
  const buckets = new Map<number, { bytes: number; sampleStarts: number[]; sampleSeconds: number }>();
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
    const rate = sampleBytesPerSecond(kind, value, sampleSeconds);
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
      bucket = { bytes: 0, sampleStarts: [], sampleSeconds };
      buckets.set(start, bucket);
    }
    bucket.bytes += sampleBytes(kind, value, sampleSeconds);
    bucket.sampleStarts.push(t);
  }
  return { ok: true, buckets };
}

/**
 * Seconds of [periodStart, periodStart + P) covered by at least one sample of the given buckets (of one or
 * several series: the agent publishes one series per interface, and a pod veth that existed for part of the
 * period legitimately has fewer samples, so coverage is judged on the union).
 */
export function coveredSeconds(buckets: readonly SeriesPeriodBucket[]): number {
  const intervals = buckets
    .flatMap((b) => b.sampleStarts.map((s) => [s, s + b.sampleSeconds] as const))
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const [start, end] of intervals) {
    if (end <= reach) continue;
    covered += end - Math.max(start, reach);
    reach = end;
  }
  return covered;
}
