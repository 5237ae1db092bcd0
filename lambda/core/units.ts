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
 */

export type ValueKind = 'bytesPerInterval' | 'bytesPerSecond';

/** The (unit, statistic) pairs netrecon understands, and what a value of each means. */
const KIND_BY_UNIT_AND_STAT: Readonly<Record<string, ValueKind>> = {
  'Bytes|Sum': 'bytesPerInterval',
  'Bytes/Second|Average': 'bytesPerSecond',
};

export const SUPPORTED_UNIT_STATS = Object.keys(KIND_BY_UNIT_AND_STAT).map((k) => k.replace('|', ' with statistic '));

export function valueKindOf(unit: string, stat: string): ValueKind | null {
  return KIND_BY_UNIT_AND_STAT[`${unit}|${stat}`] ?? null;
}

/** Bytes that crossed during one sample's interval of `sampleSeconds`. */
export function sampleBytes(kind: ValueKind, value: number, sampleSeconds: number): number {
  return kind === 'bytesPerSecond' ? value * sampleSeconds : value;
}

/**
 * The most bytes per second a series may report: 10^12 B/s (8 Tbit/s). The fastest EC2 instances have 3,200 Gbit/s
 * (400 GB/s) of network bandwidth in all, and Container Insights, which counts a pod's bytes twice, stays below
 * twice that; loopback runs at memory speed, tens of GB/s. A larger value is not traffic but a broken counter (a
 * reset read as a wrap, a unit mix-up) or a forged datapoint, and summed as is it can reach Infinity
 * (docs/capture-format.md, "Values").
 */
export const MAX_BYTES_PER_SECOND = 1e12;

/** The mean rate of one sample, in bytes per second, whatever its kind. */
export function sampleBytesPerSecond(kind: ValueKind, value: number, sampleSeconds: number): number {
  return kind === 'bytesPerSecond' ? value : value / sampleSeconds;
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
