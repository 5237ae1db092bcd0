/**
 * The capture: everything one reconciliation run reads, as one value. It is the only contract between the
 * edges (AWS adapters, the lab, hand-built examples) and the pure core, and it is also a file format
 * (`*.capture.json`, documented in docs/capture-format.md).
 *
 * Its series are shaped like GetMetricData answers (one MetricStat query each, with the query's namespace,
 * metric, dimensions, stat and period) and its nodes like DescribeInstances reservations, so `netrecon capture`
 * writes it without reshaping anything.
 */

export const CAPTURE_FORMAT = 'netrecon.capture' as const;
export const CAPTURE_VERSION = 1 as const;

/** The three views of a node's traffic (docs/domain.md, "The three sources"). */
export const SOURCES = ['ec2', 'containerInsights', 'agent'] as const;
export type Source = (typeof SOURCES)[number];

/**
 * Which way the bytes of a series go, from the node's point of view.
 * `in`/`out` for EC2 (`NetworkIn`/`NetworkOut`), `rx`/`tx` for an agent interface counter
 * (`net_bytes_recv`/`net_bytes_sent`), `total` for Container Insights (`node_network_total_bytes` is rx + tx).
 */
export const DIRECTIONS = ['in', 'out', 'rx', 'tx', 'total'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** One worker node as the inventory (DescribeInstances) saw it. */
export interface CaptureNode {
  /** EC2 instance id, e.g. `i-01ac2403f4932c7ee`. */
  readonly instanceId: string;
  /** `PrivateDnsName`; Container Insights uses it as the `NodeName` dimension. */
  readonly nodeName?: string;
  readonly instanceType?: string;
  /** ISO 8601. A node launched after a period's start is partial in that period. */
  readonly launchTime: string;
  /** ISO 8601, when the instance stopped running (stopped or terminated), if it did before the window's end. */
  readonly endTime?: string;
  /** EC2 state name when the capture was taken (`running`, `terminated`, ...). Informational. */
  readonly state?: string;
  /**
   * Absent: DescribeInstances listed the node, with its launch and stop times. `series`: DescribeInstances no
   * longer lists it (a terminated instance stays listed about an hour), but the cluster's own Container Insights
   * series name it. When it ran is then unknown: `launchTime` is only the start of the window read, `endTime` is
   * absent, and the core takes the node as running in each period where one of its series has a value, for the
   * whole period only where Container Insights or the agent covers all of it (docs/aws.md, "A node the inventory
   * no longer lists").
   */
  readonly knownFrom?: 'series';
}

/** One metric series: one GetMetricData MetricStat query and its answer. */
export interface CaptureSeries {
  /** The GetMetricData query id, when the series came from one. Informational. */
  readonly id?: string;
  readonly source: Source;
  readonly direction: Direction;
  readonly namespace: string;
  readonly metricName: string;
  /** Metric dimensions as name -> value; `InstanceId` (EC2, Container Insights) and the agent's interface and instance dimensions. */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * GetMetricData statistic: `Sum` for byte counters, `Average` or `Sum` (with sampleSeconds) for Container
   * Insights' Bytes/Second rate, `SampleCount` (unit `Count`) for a probe of how complete a source's period is.
   */
  readonly stat: string;
  /** MetricStat.Period: the length of the interval each value covers, in seconds. */
  readonly periodSeconds: number;
  /**
   * The source's publishing interval, when each value aggregates several of its samples (periodSeconds a multiple
   * of it): a Sum of a Bytes/Second rate converts to bytes with it, and a `SampleCount` series (the probe) says how
   * much of each interval the samples cover. Absent: one value is one sample covering its whole interval.
   */
  readonly sampleSeconds?: number;
  /** CloudWatch unit of the values: `Bytes` or `Bytes/Second`, `Count` for a SampleCount probe. */
  readonly unit: string;
  /** ISO 8601 start of each value's interval (GetMetricData `Timestamps`). Any order. */
  readonly timestamps: readonly string[];
  readonly values: readonly number[];
  /** GetMetricData StatusCode of the answer, when known (`Complete`, `PartialData`, ...). */
  readonly statusCode?: string;
  /** True when the values were derived rather than read from the source it names (the lab's EC2 and Container Insights views). */
  readonly simulated?: boolean;
}

/** Names of the dimensions that identify a node and an interface in agent series (CloudWatch agent defaults). */
export interface AgentDimensionNames {
  readonly instanceId: string;
  readonly interface: string;
}

export const DEFAULT_AGENT_DIMENSIONS: AgentDimensionNames = { instanceId: 'InstanceId', interface: 'interface' };

/** The dimension EC2 and Container Insights use for the instance; fixed by AWS. */
export const INSTANCE_ID_DIMENSION = 'InstanceId';

/**
 * A series' dimension by name, own properties only: names come from the capture (agentDimensions) or a setting,
 * values from whatever a node's role published, so `toString` or `__proto__` must not reach Object.prototype.
 */
export function dimensionValue(dimensions: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(dimensions, name) ? dimensions[name] : undefined;
}

export interface Capture {
  readonly format: typeof CAPTURE_FORMAT;
  readonly version: typeof CAPTURE_VERSION;
  /** What this capture is and where its numbers come from. */
  readonly description?: string;
  /** What wrote it: `netrecon capture 0.1.0`, `netrecon lab`, `hand-built`. */
  readonly generator?: string;
  readonly cluster: string;
  readonly region?: string;
  /** ISO 8601, when it was written. */
  readonly capturedAt?: string;
  /** The reconciliation period P the capture was taken for; `--period` may override it. */
  readonly periodSeconds: number;
  /** ISO 8601 half-open interval [start, end) the series cover. */
  readonly window: { readonly start: string; readonly end: string };
  readonly agentDimensions?: AgentDimensionNames;
  readonly nodes: readonly CaptureNode[];
  readonly series: readonly CaptureSeries[];
}
