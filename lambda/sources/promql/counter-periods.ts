/**
 * Exact bytes per period from raw counter samples (docs/sources.md, "PromQL: bytes per period").
 *
 * Not `increase()`: it extrapolates to the window's edges and, across a reset, loses the bytes between the last
 * sample before and the first after. Here a period [a, b) gets the counter's own difference between the last
 * sample at or before a and the last sample at or before b, summed sample to sample so that a reset (a value
 * lower than the one before: a reboot, an interface re-created) counts the new value from 0: never negative,
 * never doubled. Summed over periods, every byte between the first and the last sample is counted exactly once;
 * each period is right to within the traffic of one scrape interval at each edge.
 *
 * Coverage: a step between two samples at most `maxGapSeconds` apart covers the seconds between them; a longer
 * step (missed scrapes) still gives its bytes (the counter difference, exact unless it also hid a reset) but
 * covers nothing, so its periods are partial, as an agent series with a missing sample is.
 *
 * Delta temporality (each value is the increment since the previous export): a value covers the
 * `sampleIntervalSeconds` before its timestamp and belongs to the period containing its timestamp.
 */

export type Temporality = 'cumulative' | 'delta';

/** One series' samples, ascending by time, already checked (answer-checks.ts). */
export interface CounterSamples {
  readonly timesSeconds: readonly number[];
  readonly values: readonly number[];
}

export interface CounterPeriodOptions {
  readonly periodSeconds: number;
  /** Epoch seconds, a multiple of periodSeconds. */
  readonly windowStartSeconds: number;
  readonly windowEndSeconds: number;
  readonly temporality: Temporality;
  /** The longest step between two samples that still counts as continuous (about 1.5 scrape intervals). */
  readonly maxGapSeconds: number;
  /** Delta only: the interval one value covers. */
  readonly sampleIntervalSeconds: number;
  /**
   * Cumulative only: the series began inside the window (a pod's veth created then), so its first value is bytes
   * counted from 0 rather than the baseline of a counter that already ran.
   */
  readonly startsFromZero?: boolean;
}

/** Per period (by start): bytes, and the intervals (start, end) of the period the samples cover. */
export interface CounterPeriods {
  readonly bytes: Map<number, number>;
  readonly covered: Map<number, Array<readonly [number, number]>>;
  /** Steps where the counter went down (resets), for the report. */
  readonly resets: number;
}

function addCovered(out: CounterPeriods['covered'], from: number, to: number, o: CounterPeriodOptions): void {
  const P = o.periodSeconds;
  const lo = Math.max(from, o.windowStartSeconds);
  const hi = Math.min(to, o.windowEndSeconds);
  for (let a = Math.floor(lo / P) * P; a < hi; a += P) {
    const s = Math.max(lo, a);
    const e = Math.min(hi, a + P);
    if (e <= s) continue;
    let list = out.get(a);
    if (!list) out.set(a, (list = []));
    // Sample-to-sample steps touch: one interval per unbroken stretch keeps the same union (what coverage counts)
    // in a few pairs a period instead of one pair per step, which at 100,000 nodes was most of the read's memory.
    const last = list[list.length - 1];
    if (last !== undefined && last[0] <= s && last[1] >= s) list[list.length - 1] = [last[0], Math.max(last[1], e)];
    else list.push([s, e]);
  }
}

/** The period a sample at `t` closes: (a, a + P] belongs to [a, a + P). */
function periodOfSample(t: number, P: number): number {
  return Math.ceil(t / P) * P - P;
}

export function counterPeriods(samples: CounterSamples, o: CounterPeriodOptions): CounterPeriods {
  const bytes = new Map<number, number>();
  const covered: CounterPeriods['covered'] = new Map();
  const P = o.periodSeconds;
  let resets = 0;
  const { timesSeconds: t, values: v } = samples;
  const add = (time: number, b: number): void => {
    const a = periodOfSample(time, P);
    if (a < o.windowStartSeconds || a >= o.windowEndSeconds) return;
    bytes.set(a, (bytes.get(a) ?? 0) + b);
  };
  if (o.temporality === 'delta') {
    for (let i = 0; i < t.length; i++) {
      add(t[i]!, v[i]!);
      addCovered(covered, t[i]! - o.sampleIntervalSeconds, t[i]!, o);
    }
    return { bytes, covered, resets };
  }
  if (t.length > 0 && o.startsFromZero === true) add(t[0]!, v[0]!);
  for (let i = 1; i < t.length; i++) {
    const prev = v[i - 1]!;
    const cur = v[i]!;
    const step = cur >= prev ? cur - prev : cur;
    if (cur < prev) resets++;
    add(t[i]!, step);
    if (t[i]! - t[i - 1]! <= o.maxGapSeconds) addCovered(covered, t[i - 1]!, t[i]!, o);
  }
  return { bytes, covered, resets };
}

/** Seconds covered by the union of intervals (of one node's series in one period): the core's own rule. */
export { unionSeconds } from '../../core/align';
