/**
 * Reading one cluster into a capture: the settings a cluster run takes, inventory and agent discovery for a
 * window, and GetMetricData into the capture shape (the same one `netrecon capture` writes and `--from` reads).
 * The pipeline (pipeline.ts) calls this per node batch; `netrecon capture` calls `captureCluster` once.
 */
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture, type CaptureNode } from './capture/capture';
import type { ReconcileConfig } from './core/config';
import type { SkippedItem } from './core/model';
import { clusterCapabilities, type SourceProfile } from './core/source-profile';
import { isoOf } from './core/units';
import type { AwsRuntime } from './aws/api';
import { discoverAgentSeries, listClusterSeriesNodes, type AgentListings } from './aws/discovery';
import { listClusterNodes, nodesKnownFromSeries, type NodeFilter } from './aws/inventory';
import { ReadFailedError, readMetrics } from './aws/metric-reader';
import type { ScheduleSettings } from './plan/pending-periods';
import { planCalls, seriesForNodes, type ReadWindow } from './plan/query-plan';
import type { AgentListing, SourceSettings } from './plan/sources';
import { readPromqlSeries, type PromqlSourceHandle } from './sources/promql/source';
import { PROMQL_DIMENSIONS } from './sources/promql/to-capture';

export interface PipelineSettings {
  readonly reconcile: ReconcileConfig;
  readonly sources: SourceSettings;
  readonly nodeFilter: NodeFilter;
  readonly schedule: ScheduleSettings;
  readonly outputNamespace: string;
  readonly perNodeMetrics: boolean;
  /** Each cluster's source profile; a cluster not in it keeps `reconcile.sourceProfile`. */
  readonly sourceProfiles?: Readonly<Record<string, SourceProfile>>;
  /** Nodes reconciled together; bounds memory (about 11 series a node). Default 1,000. */
  readonly nodeBatchSize?: number;
  /**
   * Per-interface counters from a PromQL API (node_exporter) instead of the CloudWatch agent: then the agent's
   * namespace is not listed, and these series take the agent's place (lambda/sources/promql/).
   */
  readonly promql?: PromqlSourceHandle;
}

/** The settings of one cluster: its own source profile in the core's configuration. */
export function forCluster(settings: PipelineSettings, cluster: string): PipelineSettings {
  const profile = settings.sourceProfiles?.[cluster];
  return profile === undefined || profile === settings.reconcile.sourceProfile ? settings : { ...settings, reconcile: { ...settings.reconcile, sourceProfile: profile } };
}

/**
 * Inventory and agent discovery for a read window; `listings` shares one agent namespace listing across a run's
 * clusters. The inventory is DescribeInstances' nodes plus those the cluster's Container Insights series name and
 * DescribeInstances no longer lists (inventory.ts, nodesKnownFromSeries), so a node terminated before the read
 * is reconciled from its series instead of vanishing from the cluster's sums.
 */
export async function discover(rt: AwsRuntime, cluster: string, settings: PipelineSettings, window: ReadWindow, nowSeconds: number, listings?: AgentListings, accountId?: string) {
  rt.progress(`${cluster}: inventory and agent series discovery`);
  const [listed, namedBySeries] = await Promise.all([
    listClusterNodes(rt, {
      cluster,
      filter: settings.nodeFilter,
      windowStartSeconds: window.startSeconds,
      windowEndSeconds: window.endSeconds,
    }),
    listClusterSeriesNodes(rt, { settings: settings.sources, cluster, windowStartSeconds: window.startSeconds, nowSeconds, ...(accountId === undefined ? {} : { accountId }) }),
  ]);
  const fromSeries = nodesKnownFromSeries(namedBySeries, listed.listed, window.startSeconds);
  if (fromSeries.length > 0) {
    rt.progress(`${cluster}: ${fromSeries.length} instance(s) named by Container Insights that DescribeInstances does not list (e.g. ${fromSeries[0]!.instanceId}): reconciled from their series`);
  }
  const inventory = fromSeries.length === 0 ? listed : { ...listed, nodes: mergeById(listed.nodes, fromSeries) };
  // An agentless cluster reads no agent series: no listing, no GetMetricData query for them.
  const request = {
    settings: settings.sources,
    instanceIds: new Set(inventory.nodes.map((n) => n.instanceId)),
    windowStartSeconds: window.startSeconds,
    nowSeconds,
    ...(accountId === undefined ? {} : { accountId }),
  };
  const agent = !clusterCapabilities(settings.reconcile.sourceProfile).readsAgent || settings.promql !== undefined
    ? { byInstance: new Map(), listed: 0, duplicates: 0 }
    : listings
      ? await listings.discover(rt, request)
      : await discoverAgentSeries(rt, request);
  rt.progress(`${cluster}: ${inventory.nodes.length} nodes, ${agent.listed} agent series listed`);
  return { inventory, agent, nodesFromSeries: fromSeries.length };
}

/** Two id-sorted node lists as one, still sorted (node batches are cut from it in id order). */
function mergeById(a: readonly CaptureNode[], b: readonly CaptureNode[]): CaptureNode[] {
  const out: CaptureNode[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.instanceId < b[j]!.instanceId)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

export interface CaptureInput {
  readonly cluster: string;
  /** The cluster's source account (central reconciler): its series are read with that AccountId. */
  readonly accountId?: string | undefined;
  readonly region?: string;
  readonly settings: PipelineSettings;
  readonly nodes: readonly CaptureNode[];
  readonly agentByInstance: ReadonlyMap<string, AgentListing>;
  readonly window: ReadWindow;
  readonly now: Date;
  readonly generator: string;
  /** Which part of the cluster this read is, for error messages ("node batch 2 of 5"). */
  readonly part?: string;
}

/**
 * Reads the series of some nodes into a capture (the same shape `netrecon capture` writes). Throws
 * ReadFailedError when any series could not be read: a capture with a hole would reconcile as missing data.
 */
export async function readCapture(rt: AwsRuntime, input: CaptureInput): Promise<{ capture: Capture; skipped?: SkippedItem[] }> {
  const { settings } = input;
  const planned = seriesForNodes(input.nodes, input.agentByInstance, input.cluster, settings.sources, settings.reconcile.periodSeconds);
  const { accountId } = input;
  const specs = accountId === undefined ? planned : planned.map((spec) => ({ ...spec, accountId }));
  const read = await readMetrics(rt, planCalls(specs, input.window), input.window);
  if (read.failures.length > 0) {
    const what = `cluster ${input.cluster}${input.part ? ` (${input.part})` : ''}, ${isoOf(input.window.startSeconds)} .. ${isoOf(input.window.endSeconds)}`;
    throw new ReadFailedError(read.failures, read.callsNotSent, what);
  }
  const promql = settings.promql
    ? await readPromqlSeries(settings.promql, {
        cluster: input.cluster,
        nodes: input.nodes,
        windowStartSeconds: input.window.startSeconds,
        windowEndSeconds: input.window.endSeconds,
        periodSeconds: settings.reconcile.periodSeconds,
        context: `cluster ${input.cluster}${input.part ? ` (${input.part})` : ''}, ${isoOf(input.window.startSeconds)} .. ${isoOf(input.window.endSeconds)}`,
        progress: (m) => rt.progress(`${input.cluster}: ${m}`),
      })
    : null;
  const capture: Capture = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    description: `Read from CloudWatch and EC2 for cluster ${input.cluster}${input.region ? ` in ${input.region}` : ''}.`,
    generator: input.generator,
    cluster: input.cluster,
    ...(input.region ? { region: input.region } : {}),
    capturedAt: input.now.toISOString(),
    periodSeconds: settings.reconcile.periodSeconds,
    window: { start: isoOf(input.window.startSeconds), end: isoOf(input.window.endSeconds) },
    agentDimensions: settings.promql ? PROMQL_DIMENSIONS : { instanceId: settings.sources.agentInstanceDimension, interface: settings.sources.agentInterfaceDimension },
    nodes: input.nodes,
    series: promql ? [...read.series, ...promql.series] : read.series,
  };
  return { capture, ...(promql ? { skipped: promql.skipped } : {}) };
}

/** `netrecon capture`: inventory, discovery and one read of the whole window, as a capture. */
export async function captureCluster(
  rt: AwsRuntime,
  cluster: string,
  settings: PipelineSettings,
  window: ReadWindow,
  now: Date,
  region?: string,
): Promise<{ capture: Capture; skipped: SkippedItem[] }> {
  settings = forCluster(settings, cluster);
  const { inventory, agent } = await discover(rt, cluster, settings, window, now.getTime() / 1000);
  const read = await readCapture(rt, {
    cluster,
    ...(region ? { region } : {}),
    settings,
    nodes: inventory.nodes,
    agentByInstance: agent.byInstance,
    window,
    now,
    generator: 'netrecon capture',
  });
  return { capture: read.capture, skipped: inventory.skipped };
}

export type Discovered = Awaited<ReturnType<typeof discover>>;
