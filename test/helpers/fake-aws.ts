/**
 * An in-process SIMULATION of the two SDK clients netrecon uses, for the benchmark and the SDK-level tests:
 * `send(command)` answers DescribeInstances, ListMetrics, GetMetricData and PutMetricData from a synthetic
 * cluster whose metric values are generated on demand (nothing is stored per input datapoint, so 100,000 nodes
 * fit), plus an in-memory store of what netrecon puts, aggregated the way CloudWatch does (a second put of the
 * same timestamp adds to the first).
 *
 * It enforces the documented per-call limits (500 queries and 100,800 datapoints a GetMetricData call, 1,000
 * metrics and 1 MB a PutMetricData request, measured on the body the SDK serializes, 500 a ListMetrics page,
 * 1,000 a DescribeInstances page) by failing the call like the API would, optionally the per-second quotas
 * (ThrottlingException), adds a configurable latency per call, and counts calls, queries and datapoints.
 */
import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchSender, Ec2Sender } from '../../lambda/aws/api';
import {
  DESCRIBE_INSTANCES_MAX_RESULTS,
  GET_METRIC_DATA_MAX_DATAPOINTS,
  GET_METRIC_DATA_MAX_QUERIES,
  LIST_METRICS_PAGE_SIZE,
  PUT_METRIC_DATA_MAX_BYTES,
  PUT_METRIC_DATA_MAX_METRICS,
} from '../../lambda/plan/limits';
import { putMetricDataBodyBytes } from './put-metric-data-body';
import { seriesKey } from '../../lambda/plan/sources';
import { LEDGER_METRIC } from '../../lambda/output-metrics';
import { agentBytes, containerInsightsRate, ec2Bytes, type SynthNode } from './synthetic-cluster';

export interface FakeAwsOptions {
  /** Latency added to every call, in ms. Default 0. */
  readonly latencyMs?: number;
  /** Per-second quotas to enforce with ThrottlingException (token buckets); none when absent. */
  readonly quotas?: { readonly getMetricDataTps?: number; readonly getMetricDataDps?: number; readonly listMetricsTps?: number; readonly putMetricDataTps?: number };
  /** List every multi-dimension series twice in ListMetrics, as moto 5.2.1 does. */
  readonly duplicateListings?: boolean;
  /** Keep what is put (needed for the ledger); false keeps only the ledger metric, to spare memory in the benchmark. */
  readonly storeAllOutput?: boolean;
  readonly ledgerMetricName?: string;
  readonly namespaces?: { readonly ec2?: string; readonly containerInsights?: string; readonly agent?: string };
}

export interface FakeCounters {
  calls: Record<string, number>;
  queries: number;
  datapointsReturned: number;
  putDatums: number;
  rejected: number;
  throttled: number;
  /** Throttled calls by quota name (GetMetricData, GetMetricDataPoints, ListMetrics, PutMetricData). */
  throttledBy: Record<string, number>;
}

interface Stored {
  sum: number;
  count: number;
  max: number;
}

function apiError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class FakeAws {
  readonly counters: FakeCounters = { calls: {}, queries: 0, datapointsReturned: 0, putDatums: 0, rejected: 0, throttled: 0, throttledBy: {} };
  /** Output store: series key -> epoch-minute -> aggregate. */
  readonly store = new Map<string, Map<number, Stored>>();
  private readonly byId = new Map<string, SynthNode>();
  /** Quota accounting as AWS throttles: a token bucket per quota, full at the start, refilled at the quota rate. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Calls to fail on purpose: operation -> remaining count and error. */
  private readonly failures = new Map<string, { remaining: number; error: () => Error }>();
  private readonly ns: { ec2: string; containerInsights: string; agent: string };
  /** Agent-publishing nodes and the listing index of each one's first series, for O(log n) page starts. */
  private readonly agentNodes: { node: SynthNode; first: number }[] = [];
  private agentSeries = 0;

  constructor(
    readonly nodes: readonly SynthNode[],
    readonly options: FakeAwsOptions = {},
  ) {
    for (const n of nodes) this.byId.set(n.instanceId, n);
    const copies = options.duplicateListings ? 2 : 1;
    for (const n of nodes) {
      if (!n.sources.agent) continue;
      this.agentNodes.push({ node: n, first: this.agentSeries });
      this.agentSeries += n.interfaces.length * copies;
    }
    this.ns = { ec2: 'AWS/EC2', containerInsights: 'ContainerInsights', agent: 'CWAgent', ...options.namespaces };
  }

  /** The next `count` calls of `operation` fail with `error()` (after the latency), then calls succeed again. */
  failNext(operation: string, count: number, error: () => Error): void {
    this.failures.set(operation, { remaining: count, error });
  }

  readonly cloudWatch: CloudWatchSender = { send: ((command: { constructor: { name: string }; input: unknown }) => this.dispatch(command)) as CloudWatchSender['send'] };
  readonly ec2: Ec2Sender = { send: ((command: { constructor: { name: string }; input: unknown }) => this.dispatch(command)) as Ec2Sender['send'] };

  private dispatch(command: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    return this.handle(command.constructor.name.replace(/Command$/, ''), command.input);
  }

  /** Answers one operation (`GetMetricData`, ...) for an input; what `send` does, for use behind aws-sdk-client-mock. */
  async handle(op: string, rawInput: unknown): Promise<unknown> {
    this.counters.calls[op] = (this.counters.calls[op] ?? 0) + 1;
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    const failure = this.failures.get(op);
    if (failure && failure.remaining > 0) {
      failure.remaining--;
      throw failure.error();
    }
    const input = rawInput as Record<string, unknown>;
    switch (op) {
      case 'DescribeInstances':
        return this.describeInstances(input);
      case 'ListMetrics':
        this.quota('ListMetrics', 1, this.options.quotas?.listMetricsTps);
        return this.listMetrics(input);
      case 'GetMetricData':
        return this.getMetricData(input);
      case 'PutMetricData':
        this.quota('PutMetricData', 1, this.options.quotas?.putMetricDataTps);
        return this.putMetricData(input, await putMetricDataBodyBytes(rawInput as PutMetricDataCommandInput));
      default:
        throw apiError('UnknownOperationException', `the fake does not implement ${op}`);
    }
  }

  private quota(name: string, amount: number, perSecond: number | undefined): void {
    if (!perSecond) return;
    const now = Date.now();
    const b = this.buckets.get(name) ?? { tokens: perSecond, at: now };
    b.tokens = Math.min(perSecond, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.buckets.set(name, b);
    const cost = Math.min(amount, perSecond);
    if (b.tokens < cost) {
      this.counters.throttled++;
      this.counters.throttledBy[name] = (this.counters.throttledBy[name] ?? 0) + 1;
      throw apiError('ThrottlingException', `Rate exceeded (${name})`);
    }
    b.tokens -= cost;
  }

  private reject(message: string): never {
    this.counters.rejected++;
    throw apiError('InvalidParameterValueException', message);
  }

  private describeInstances(input: Record<string, unknown>): unknown {
    const max = (input.MaxResults as number | undefined) ?? DESCRIBE_INSTANCES_MAX_RESULTS;
    if (max < 5 || max > DESCRIBE_INSTANCES_MAX_RESULTS) this.reject(`MaxResults must be 5..1000, got ${max}`);
    const filters = (input.Filters as { Name: string; Values: string[] }[] | undefined) ?? [];
    const matches = this.nodes.filter((n) =>
      !n.unlisted &&
      filters.every((f) => {
        if (f.Name === 'tag-key') return f.Values.some((v) => v in n.tags);
        if (f.Name.startsWith('tag:')) return f.Values.includes(n.tags[f.Name.slice(4)] ?? '\u0000');
        return true;
      }),
    );
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const page = matches.slice(offset, offset + max);
    const next = offset + max < matches.length ? String(offset + max) : undefined;
    return {
      Reservations: page.map((n) => ({
        Instances: [
          {
            InstanceId: n.instanceId,
            PrivateDnsName: n.nodeName,
            InstanceType: 'm6i.large',
            LaunchTime: new Date(n.launchSeconds * 1000),
            State: { Name: n.endSeconds === undefined ? 'running' : 'terminated' },
            ...(n.endSeconds === undefined ? {} : { StateTransitionReason: `User initiated (${new Date(n.endSeconds * 1000).toISOString().replace('T', ' ').slice(0, 19)} GMT)` }),
            Tags: Object.entries(n.tags).map(([Key, Value]) => ({ Key, Value })),
          },
        ],
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  private listMetrics(input: Record<string, unknown>): unknown {
    const metricName = input.MetricName as string;
    if (input.Namespace === this.ns.containerInsights) return this.listContainerInsights(input);
    if (input.Namespace !== this.ns.agent || (metricName !== 'net_bytes_recv' && metricName !== 'net_bytes_sent')) return { Metrics: [] };
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const copies = this.options.duplicateListings ? 2 : 1;
    const metrics: unknown[] = [];
    let lo = 0;
    let hi = this.agentNodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.agentNodes[mid]!.first <= offset) lo = mid;
      else hi = mid - 1;
    }
    let next: string | undefined;
    outer: for (let k = lo; k < this.agentNodes.length; k++) {
      const { node, first } = this.agentNodes[k]!;
      for (let j = 0; j < node.interfaces.length * copies; j++) {
        const index = first + j;
        if (index < offset) continue;
        if (metrics.length === LIST_METRICS_PAGE_SIZE) {
          next = String(index);
          break outer;
        }
        const iface = node.interfaces[Math.floor(j / copies)]!;
        metrics.push({ Namespace: this.ns.agent, MetricName: metricName, Dimensions: [{ Name: 'InstanceId', Value: node.instanceId }, { Name: 'interface', Value: iface }] });
      }
    }
    return { Metrics: metrics, ...(next ? { NextToken: next } : {}) };
  }

  /** Container Insights' per-node series (ClusterName, InstanceId, NodeName) of the nodes that publish it, filtered by a ClusterName value. */
  private listContainerInsights(input: Record<string, unknown>): unknown {
    if (input.MetricName !== 'node_network_total_bytes') return { Metrics: [] };
    const filters = (input.Dimensions as { Name: string; Value?: string }[] | undefined) ?? [];
    const cluster = filters.find((f) => f.Name === 'ClusterName')?.Value;
    const all = this.nodes.filter((n) => n.sources.ci && (cluster === undefined || n.tags['eks:cluster-name'] === cluster));
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const page = all.slice(offset, offset + LIST_METRICS_PAGE_SIZE);
    const metrics = page.map((n) => ({
      Namespace: this.ns.containerInsights,
      MetricName: 'node_network_total_bytes',
      Dimensions: [{ Name: 'ClusterName', Value: n.tags['eks:cluster-name']! }, { Name: 'InstanceId', Value: n.instanceId }, { Name: 'NodeName', Value: n.nodeName }],
    }));
    const next = offset + LIST_METRICS_PAGE_SIZE < all.length ? String(offset + LIST_METRICS_PAGE_SIZE) : undefined;
    return { Metrics: metrics, ...(next ? { NextToken: next } : {}) };
  }

  private getMetricData(input: Record<string, unknown>): unknown {
    const queries = input.MetricDataQueries as { Id: string; MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string } }[];
    if (queries.length > GET_METRIC_DATA_MAX_QUERIES) this.reject(`${queries.length} queries in one call; the limit is ${GET_METRIC_DATA_MAX_QUERIES}`);
    if (new Set(queries.map((q) => q.Id)).size !== queries.length) this.reject('duplicate query ids');
    const start = (input.StartTime as Date).getTime() / 1000;
    const end = (input.EndTime as Date).getTime() / 1000;
    const points = queries.reduce((a, q) => a + Math.ceil((end - start) / q.MetricStat.Period), 0);
    if (points > GET_METRIC_DATA_MAX_DATAPOINTS) this.reject(`${points} datapoints in one call; the limit is ${GET_METRIC_DATA_MAX_DATAPOINTS}`);
    this.quota('GetMetricData', 1, this.options.quotas?.getMetricDataTps);
    this.quota('GetMetricDataPoints', points, this.options.quotas?.getMetricDataDps);
    this.counters.queries += queries.length;
    const results = queries.map((q) => {
      const { Metric, Period, Stat } = q.MetricStat;
      const dims = Object.fromEntries(Metric.Dimensions.map((d) => [d.Name, d.Value]));
      const timestamps: Date[] = [];
      const values: number[] = [];
      for (let t = start; t < end; t += Period) {
        const v = this.bucket(Metric.Namespace, Metric.MetricName, dims, t, Math.min(t + Period, end), Stat);
        if (v !== null) {
          timestamps.push(new Date(t * 1000));
          values.push(v);
        }
      }
      this.counters.datapointsReturned += values.length;
      return { Id: q.Id, Label: Metric.MetricName, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
    });
    return { MetricDataResults: results, Messages: [] };
  }

  /** One statistic over [from, to), or null when no sample falls in it. */
  private bucket(namespace: string, metricName: string, dims: Record<string, string>, from: number, to: number, stat: string): number | null {
    const samples: number[] = [];
    const stored = this.store.get(seriesKey(namespace, metricName, dims));
    if (stored) {
      let sum = 0;
      let count = 0;
      let max = Number.NEGATIVE_INFINITY;
      for (const [minute, s] of stored) {
        if (minute >= from && minute < to) {
          sum += s.sum;
          count += s.count;
          max = Math.max(max, s.max);
        }
      }
      if (count === 0) return null;
      return stat === 'Sum' ? sum : stat === 'SampleCount' ? count : stat === 'Maximum' ? max : sum / count;
    }
    const node = this.byId.get(dims.InstanceId ?? '');
    if (!node) return null;
    const kind =
      namespace === this.ns.ec2 && metricName === 'NetworkIn' ? 'ec2In'
      : namespace === this.ns.ec2 && metricName === 'NetworkOut' ? 'ec2Out'
      : namespace === this.ns.containerInsights && metricName === 'node_network_total_bytes' ? 'ci'
      : namespace === this.ns.agent && metricName === 'net_bytes_recv' ? 'rx'
      : namespace === this.ns.agent && metricName === 'net_bytes_sent' ? 'tx'
      : null;
    if (kind === null) return null;
    if (kind === 'ci' && (dims.ClusterName !== node.tags['eks:cluster-name'] || dims.NodeName !== node.nodeName)) return null;
    const rawPeriod = kind === 'ec2In' || kind === 'ec2Out' ? 300 : 60;
    for (let t = Math.ceil(from / rawPeriod) * rawPeriod; t < to; t += rawPeriod) {
      if (kind === 'ec2In' || kind === 'ec2Out') {
        const v = ec2Bytes(node, t, rawPeriod);
        if (v) samples.push(kind === 'ec2In' ? v.inBytes : v.outBytes);
      } else if (kind === 'ci') {
        const v = containerInsightsRate(node, t);
        if (v !== null) samples.push(v);
      } else {
        const v = agentBytes(node, dims.interface ?? '', t);
        if (v) samples.push(kind === 'rx' ? v.rxBytes : v.txBytes);
      }
    }
    if (samples.length === 0) return null;
    const sum = samples.reduce((a, x) => a + x, 0);
    return stat === 'Sum' ? sum : stat === 'Average' ? sum / samples.length : stat === 'SampleCount' ? samples.length : Math.max(...samples);
  }

  /** `bodyBytes`: the request body as the SDK serializes it, before gzip (docs/aws.md, "How big a PutMetricData request is"). */
  private putMetricData(input: Record<string, unknown>, bodyBytes: number): unknown {
    const data = input.MetricData as { MetricName: string; Dimensions?: { Name: string; Value: string }[]; Timestamp?: Date; Value?: number }[];
    if (data.length > PUT_METRIC_DATA_MAX_METRICS) this.reject(`${data.length} metrics in one request; the limit is ${PUT_METRIC_DATA_MAX_METRICS}`);
    if (bodyBytes > PUT_METRIC_DATA_MAX_BYTES) this.reject(`request of ${bodyBytes} bytes; the limit is ${PUT_METRIC_DATA_MAX_BYTES}`);
    for (const d of data) {
      if (d.Value === undefined || !Number.isFinite(d.Value)) this.reject(`value of ${d.MetricName} is not a finite number`);
      if (this.options.storeAllOutput === false && d.MetricName !== (this.options.ledgerMetricName ?? LEDGER_METRIC.name)) continue;
      const key = seriesKey(input.Namespace as string, d.MetricName, Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name, x.Value])));
      let series = this.store.get(key);
      if (!series) this.store.set(key, (series = new Map()));
      const minute = Math.floor((d.Timestamp ?? new Date()).getTime() / 60_000) * 60;
      const s = series.get(minute) ?? { sum: 0, count: 0, max: Number.NEGATIVE_INFINITY };
      series.set(minute, { sum: s.sum + d.Value!, count: s.count + 1, max: Math.max(s.max, d.Value!) });
    }
    this.counters.putDatums += data.length;
    return {};
  }
}
