/**
 * Agent interface discovery: which `net_bytes_recv` / `net_bytes_sent` series exist, with ListMetrics (500 a
 * page, NextToken) filtered to series that carry both the instance and the interface dimension, and to
 * recently active series when the window lies inside the last three hours. ListMetrics + MetricStat is used
 * rather than a SEARCH expression because SEARCH's billing per metric is not settled in public sources and
 * moto answers SEARCH with no data (docs/limits.md, "Prices (us-east-1)"; docs/testing.md).
 *
 * ListMetrics may list a series more than once (moto lists a multi-dimension series once per datapoint), so
 * every listed series is deduplicated by its key before it reaches the planner.
 */
import { ListMetricsCommand, type ListMetricsCommandInput, type ListMetricsCommandOutput, type Metric } from '@aws-sdk/client-cloudwatch';
import { callAwsOrFail, sendOptions, type AwsRuntime } from './api';
import { LIST_METRICS_RECENTLY_ACTIVE, LIST_METRICS_RECENTLY_ACTIVE_SECONDS } from '../plan/limits';
import type { ListedSeries } from '../doctor/model';
import { NODE_NAME_DIMENSION, refDimensions, seriesKey, type AgentListing, type AgentSeriesRef, type SourceSettings } from '../plan/sources';
import { INSTANCE_ID_DIMENSION } from '../capture/capture';
import { DIMENSION } from '../output-metrics';

export interface DiscoveryRequest {
  readonly settings: SourceSettings;
  /** Only series of these instances are kept (the namespace holds every cluster's nodes); null keeps every instance's. */
  readonly instanceIds: ReadonlySet<string> | null;
  /** Epoch seconds of the read window's start, and now: RecentlyActive is used when the window is that recent. */
  readonly windowStartSeconds: number;
  readonly nowSeconds: number;
  /**
   * A source account (central reconciler): list that account's series through OAM (IncludeLinkedAccounts with
   * OwningAccount), keeping only those OwningAccounts attributes to it.
   */
  readonly accountId?: string;
}

export interface DiscoveryResult {
  /** Listed agent series by instance id, deduplicated. */
  readonly byInstance: Map<string, AgentListing>;
  readonly listed: number;
  readonly duplicates: number;
  /** Repeats ListMetrics listed, by instance (what a run-wide listing hands each cluster). */
  readonly duplicatesByInstance?: ReadonlyMap<string, number>;
}

const sameRef = (a: AgentSeriesRef, b: AgentSeriesRef, key: (r: AgentSeriesRef) => string): boolean =>
  typeof a === 'string' && typeof b === 'string' ? a === b : key(a) === key(b);

async function listOneMetric(
  rt: AwsRuntime,
  request: DiscoveryRequest,
  direction: 'rx' | 'tx',
  into: Map<string, AgentListing>,
  duplicatesByInstance: Map<string, number>,
): Promise<{ listed: number; duplicates: number }> {
  const { settings } = request;
  const metricName = direction === 'rx' ? settings.agentRxMetric : settings.agentTxMetric;
  const recent = request.windowStartSeconds >= request.nowSeconds - LIST_METRICS_RECENTLY_ACTIVE_SECONDS;
  // Interface names repeat across nodes (eth0, ens5, ...): keep one string of each.
  const names = new Map<string, string>();
  let listed = 0;
  let duplicates = 0;
  let pages = 0;
  const input: ListMetricsCommandInput = {
    Namespace: settings.agentNamespace,
    MetricName: metricName,
    Dimensions: [{ Name: settings.agentInstanceDimension }, { Name: settings.agentInterfaceDimension }],
    ...(recent ? { RecentlyActive: LIST_METRICS_RECENTLY_ACTIVE } : {}),
    ...(request.accountId === undefined ? {} : { IncludeLinkedAccounts: true, OwningAccount: request.accountId }),
  };
  for await (const page of listMetricsPages(rt, input)) {
    pages++;
    // OwningAccounts maps 1:1 onto Metrics (ListMetrics API reference); OwningAccount should already have narrowed
    // the page to one account, so a series attributed to another one is dropped rather than read as this one's.
    const owners = request.accountId === undefined ? undefined : page.OwningAccounts;
    for (const [i, metric] of (page.Metrics ?? []).entries()) {
      if (owners !== undefined && owners[i] !== undefined && owners[i] !== request.accountId) continue;
      listed++;
      const dimensions = dimensionsOf(metric);
      const instanceId = dimensions[settings.agentInstanceDimension];
      const iface = dimensions[settings.agentInterfaceDimension];
      if (instanceId === undefined || iface === undefined || (request.instanceIds !== null && !request.instanceIds.has(instanceId))) continue;
      let ref: AgentSeriesRef = dimensions;
      if (Object.keys(dimensions).length === 2) {
        ref = names.get(iface) ?? iface;
        names.set(iface, ref);
      }
      let listing = into.get(instanceId);
      if (!listing) into.set(instanceId, (listing = { rx: [], tx: [] }));
      const list = listing[direction];
      const key = (r: AgentSeriesRef): string => seriesKey(settings.agentNamespace, metricName, refDimensions(r, instanceId, settings));
      if (list.some((existing) => sameRef(existing, ref, key))) {
        duplicates++;
        duplicatesByInstance.set(instanceId, (duplicatesByInstance.get(instanceId) ?? 0) + 1);
        continue;
      }
      list.push(ref);
    }
    if (pages % 50 === 0) rt.progress(`discovery: ${listed} ${metricName} series listed after ${pages} pages`);
  }
  return { listed, duplicates };
}

/** Lists the rx and tx metric (two independent paginations, run side by side within the ListMetrics quota). */
export async function discoverAgentSeries(rt: AwsRuntime, request: DiscoveryRequest): Promise<DiscoveryResult> {
  const byInstance = new Map<string, AgentListing>();
  const duplicatesByInstance = new Map<string, number>();
  const counts = await Promise.all([listOneMetric(rt, request, 'rx', byInstance, duplicatesByInstance), listOneMetric(rt, request, 'tx', byInstance, duplicatesByInstance)]);
  return {
    byInstance,
    listed: counts[0].listed + counts[1].listed,
    duplicates: counts[0].duplicates + counts[1].duplicates,
    duplicatesByInstance,
  };
}

export interface ClusterSeriesNodesRequest {
  readonly settings: SourceSettings;
  /** The EKS cluster name, Container Insights' `ClusterName`. */
  readonly cluster: string;
  readonly windowStartSeconds: number;
  readonly nowSeconds: number;
  /** A source account's cluster (central reconciler): its listing through OAM, as for the agent. */
  readonly accountId?: string;
}

/**
 * The instances the cluster's own Container Insights series name (`ClusterName` = the cluster, with `InstanceId`
 * and `NodeName`), and each one's NodeName: the sources' word on which nodes ran, which DescribeInstances loses
 * about an hour after an instance terminates (docs/aws.md, "A node the inventory no longer lists"). One listing
 * per cluster and read, ceil(nodes / 500) pages; RecentlyActive as for the agent. The agent's and EC2's series
 * carry no cluster, so they cannot say which cluster an instance was in; Container Insights' can.
 */
export async function listClusterSeriesNodes(rt: AwsRuntime, request: ClusterSeriesNodesRequest): Promise<Map<string, string>> {
  const { settings } = request;
  const recent = request.windowStartSeconds >= request.nowSeconds - LIST_METRICS_RECENTLY_ACTIVE_SECONDS;
  const input: ListMetricsCommandInput = {
    Namespace: settings.containerInsightsNamespace,
    MetricName: settings.containerInsightsMetric,
    Dimensions: [{ Name: DIMENSION.cluster, Value: request.cluster }, { Name: INSTANCE_ID_DIMENSION }, { Name: NODE_NAME_DIMENSION }],
    ...(recent ? { RecentlyActive: LIST_METRICS_RECENTLY_ACTIVE } : {}),
    ...(request.accountId === undefined ? {} : { IncludeLinkedAccounts: true, OwningAccount: request.accountId }),
  };
  const nodes = new Map<string, string>();
  let pages = 0;
  for await (const page of listMetricsPages(rt, input)) {
    pages++;
    const owners = request.accountId === undefined ? undefined : page.OwningAccounts;
    for (const [i, metric] of (page.Metrics ?? []).entries()) {
      if (owners !== undefined && owners[i] !== undefined && owners[i] !== request.accountId) continue;
      const d = dimensionsOf(metric);
      const instanceId = d[INSTANCE_ID_DIMENSION];
      const nodeName = d[NODE_NAME_DIMENSION];
      // Only the per-node series the reader asks for: exactly these three dimensions (awsSeriesOf in plan/sources.ts).
      if (d[DIMENSION.cluster] !== request.cluster || instanceId === undefined || nodeName === undefined || Object.keys(d).length !== 3) continue;
      if (!nodes.has(instanceId)) nodes.set(instanceId, nodeName);
    }
    if (pages % 50 === 0) rt.progress(`discovery: ${nodes.size} ${settings.containerInsightsMetric} nodes listed after ${pages} pages`);
  }
  return nodes;
}

export interface ListSeriesRequest {
  readonly namespace: string;
  readonly metricName: string;
  /** ListMetrics dimension filters: a name alone matches any value; listed series may carry more dimensions. */
  readonly dimensions?: readonly { readonly name: string; readonly value?: string }[];
  /** Only series with a datapoint in the last three hours (RecentlyActive PT3H). */
  readonly recentlyActive: boolean;
  /** Progress line prefix, e.g. "listing agent series". */
  readonly label: string;
}

/**
 * Every series of one metric that ListMetrics lists for the filter, deduplicated by dimension set (moto lists a
 * series once per datapoint). Used by `netrecon doctor`, which must see the dimension sets discovery filters out
 * (agent series without InstanceId, with `host`), so it lists without the instance dimension filter.
 */
export async function listSeries(rt: AwsRuntime, request: ListSeriesRequest): Promise<ListedSeries[]> {
  const seen = new Set<string>();
  const out: ListedSeries[] = [];
  let pages = 0;
  const input: ListMetricsCommandInput = {
    Namespace: request.namespace,
    MetricName: request.metricName,
    ...(request.dimensions ? { Dimensions: request.dimensions.map((d) => ({ Name: d.name, ...(d.value === undefined ? {} : { Value: d.value }) })) } : {}),
    ...(request.recentlyActive ? { RecentlyActive: LIST_METRICS_RECENTLY_ACTIVE } : {}),
  };
  for await (const page of listMetricsPages(rt, input)) {
    pages++;
    for (const metric of page.Metrics ?? []) {
      const dimensions = dimensionsOf(metric);
      const key = seriesKey(request.namespace, request.metricName, dimensions);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ metricName: request.metricName, dimensions });
    }
    if (pages % 10 === 0) rt.progress(`${request.label}… ${out.length.toLocaleString('en-US')} ${request.metricName} series listed after ${pages} pages`);
  }
  return out;
}

/** Every page ListMetrics returns for the input, one call (within the quota) at a time. */
async function* listMetricsPages(rt: AwsRuntime, input: ListMetricsCommandInput): AsyncGenerator<ListMetricsCommandOutput> {
  let nextToken: string | undefined;
  do {
    const pageInput: ListMetricsCommandInput = { ...input, ...(nextToken ? { NextToken: nextToken } : {}) };
    const page = await callAwsOrFail(
      rt,
      'ListMetrics',
      () => `listing the ${input.Namespace} ${input.MetricName} series`,
      () => rt.buckets.listMetrics.take(1, rt.signal),
      () => rt.cloudWatch.send(new ListMetricsCommand(pageInput), sendOptions(rt)),
    );
    yield page;
    nextToken = page.NextToken;
  } while (nextToken);
}

/** A listed metric's dimensions by name: names are whatever a node's role published, so __proto__ is a key like any other. */
function dimensionsOf(metric: Metric): Record<string, string> {
  const dimensions: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const d of metric.Dimensions ?? []) if (d.Name !== undefined && d.Value !== undefined) dimensions[d.Name] = d.Value;
  return dimensions;
}

/**
 * The agent namespace listed once per run, for every cluster of the run: the namespace holds every cluster's
 * nodes, so listing it per cluster listed the same series once per cluster (50 clusters, 50 listings). The first
 * cluster that needs it lists every instance's series; each cluster then takes its own instances' out of it. A
 * RecentlyActive listing and a full one are kept apart (a window older than three hours needs the full one). A
 * listing that failed is forgotten, so the next cluster tries again rather than failing on the same error.
 */
export class AgentListings {
  private readonly runs = new Map<string, Promise<DiscoveryResult>>();

  async discover(rt: AwsRuntime, request: DiscoveryRequest): Promise<DiscoveryResult> {
    const { settings } = request;
    const recent = request.windowStartSeconds >= request.nowSeconds - LIST_METRICS_RECENTLY_ACTIVE_SECONDS;
    // One listing per account too: a central reconciler's source accounts each have their own agent namespace (OAM).
    const key = JSON.stringify([request.accountId ?? null, settings.agentNamespace, settings.agentRxMetric, settings.agentTxMetric, settings.agentInstanceDimension, settings.agentInterfaceDimension, recent]);
    let all = this.runs.get(key);
    if (!all) {
      all = discoverAgentSeries(rt, { ...request, instanceIds: null });
      this.runs.set(key, all);
      all.catch(() => this.runs.delete(key));
    }
    const everyInstance = await all;
    if (request.instanceIds === null) return everyInstance;
    const byInstance = new Map<string, AgentListing>();
    let listed = 0;
    let duplicates = 0;
    for (const id of request.instanceIds) {
      const listing = everyInstance.byInstance.get(id);
      const repeats = everyInstance.duplicatesByInstance?.get(id) ?? 0;
      if (listing) {
        byInstance.set(id, listing);
        listed += listing.rx.length + listing.tx.length + repeats;
      }
      duplicates += repeats;
    }
    return { byInstance, listed, duplicates };
  }
}
