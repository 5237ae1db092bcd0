/**
 * Every unit conversion netrecon makes, in one place.
 *
 * The three sources publish two kinds of values:
 * - byte counts per interval (EC2 `NetworkIn`/`NetworkOut`, agent `net_bytes_recv`/`net_bytes_sent`, statistic
 *   Sum, unit Bytes): the bytes that crossed during the sample's own interval;
 * - a byte rate (Container Insights `node_network_total_bytes`, statistic Average, unit Bytes/Second): the mean
 *   rate over the sample's interval, so the bytes of that interval are rate × interval seconds.
 * A period's bytes are the sum of its samples' bytes. When every sample is there this is exactly
 * "Sum over the period" or "Average × periodSeconds"; when some are missing it is the bytes the present samples
 * account for, never scaled up (the period is then reported partial).
 *
 * A value may aggregate several source samples (a query period coarser than the source's publishing interval,
 * docs/aws.md, "Reading at the period"):
 * - a Sum of byte counts is the bytes of the samples it aggregates, whatever their interval;
 * - a Sum of a Bytes/Second rate is the sum of the per-sample mean rates, so its bytes are Sum × the sample
 *   interval, exact only when every sample covers that interval: netrecon reads a rate's Sum only with the
 *   source's publishing interval (`sampleSeconds`, 60 s for Container Insights) and checks with the SampleCount
 *   probe that no period holds more samples than that interval allows (a faster publisher would make Sum × 60 s
 *   too large, so its series is skipped, never converted);
 * - a SampleCount is the number of source samples in the value's interval, which cover count × sampleSeconds
 *   seconds of it: how a period read in one value still shows that it is partial.
 */

export type ValueKind = 'bytesPerInterval' | 'bytesPerSecond' | 'sumOfBytesPerSecond' | 'sampleCount';

/** The (unit, statistic) pairs netrecon understands, and what a value of each means. */
const KIND_BY_UNIT_AND_STAT: Readonly<Record<string, ValueKind>> = {
  'Bytes|Sum': 'bytesPerInterval',
  'Bytes/Second|Average': 'bytesPerSecond',
  'Bytes/Second|Sum': 'sumOfBytesPerSecond',
  'Count|SampleCount': 'sampleCount',
};

export const SUPPORTED_UNIT_STATS = Object.keys(KIND_BY_UNIT_AND_STAT).map((k) => k.replace('|', ' with statistic '));

export function valueKindOf(unit: string, stat: string): ValueKind | null {
  return KIND_BY_UNIT_AND_STAT[`${unit}|${stat}`] ?? null;
}

/**
 * Bytes that crossed during one value's interval: `sampleSeconds` is the interval of one source sample (for a
 * plain value, the value's own interval; for a Sum of rates, the source's publishing interval).
 */
export function sampleBytes(kind: Exclude<ValueKind, 'sampleCount'>, value: number, sampleSeconds: number): number {
  return kind === 'bytesPerSecond' || kind === 'sumOfBytesPerSecond' ? value * sampleSeconds : value;
}

/**
 * A series' bytes in one period as a whole number. A byte is indivisible, but a rate times seconds is not a whole
 * number (Container Insights' 333,333.3333 B/s for a minute) and a sum of such products carries floating-point
 * noise into every figure built on it (20000000.000000004 bytes; 3.7e-9 bytes counted twice on a node without the
 * agent). Rounded once, after the period's sample bytes are summed, so the error is at most half a byte per series
 * and period, and every byte figure, a sum or difference of these, is a whole number: a difference within rounding
 * is 0.
 */
export function wholeBytes(periodBytes: number): number {
  return Math.round(periodBytes);
}

/**
 * The most bytes per second a series may report: 10^12 B/s (8 Tbit/s). The fastest EC2 instances have 3,200 Gbit/s
 * (400 GB/s) of network bandwidth in all, and Container Insights, which counts a pod's bytes twice, stays below
 * twice that; loopback runs at memory speed, tens of GB/s. A larger value is not traffic but a broken counter (a
 * reset read as a wrap, a unit mix-up) or a forged datapoint, and summed as is it can reach Infinity
 * (docs/capture-format.md, "Values").
 */
export const MAX_BYTES_PER_SECOND = 1e12;

/**
 * The mean rate of one value over its interval of `intervalSeconds`, in bytes per second, whatever its kind
 * (`sampleSeconds`: the source's publishing interval, for a Sum of rates). For a value aggregating several
 * samples it is a lower bound of the fastest sample's rate, which is what the bound check needs.
 */
export function sampleBytesPerSecond(kind: Exclude<ValueKind, 'sampleCount'>, value: number, intervalSeconds: number, sampleSeconds = intervalSeconds): number {
  if (kind === 'bytesPerSecond') return value;
  return kind === 'sumOfBytesPerSecond' ? (value * sampleSeconds) / intervalSeconds : value / intervalSeconds;
}

/** Seconds of a value's interval that `count` source samples of `sampleSeconds` each cover. */
export function sampleCountSeconds(count: number, sampleSeconds: number): number {
  return count * sampleSeconds;
}

/** The most source samples of `sampleSeconds` one interval of `intervalSeconds` can hold. */
export function expectedSampleCount(intervalSeconds: number, sampleSeconds: number): number {
  return intervalSeconds / sampleSeconds;
}

/** Start (epoch seconds) of the epoch-aligned period of `periodSeconds` that contains `epochSeconds`. */
export function periodStartOf(epochSeconds: number, periodSeconds: number): number {
  return Math.floor(epochSeconds / periodSeconds) * periodSeconds;
}

export function epochSecondsOf(iso: string): number {
  return Date.parse(iso) / 1000;
}

export function isoOf(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}
