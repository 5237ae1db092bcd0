/**
 * The GetMetricData query plan: which series a batch of nodes needs, and how their MetricStat queries are
 * packed into calls. Pure (no SDK calls).
 *
 * What this changes in the bill (GetMetricData is billed per metric requested, see pricing.ts): only the set of
 * series. Packing (500 queries and 100,800 datapoints a call) changes the number of calls, not the cost; the
 * time range of a call does not change the cost either, which is why a run reads every pending period of a
 * series with one query.
 */
import { NetReconError } from '../core/errors';
import { GET_METRIC_DATA_MAX_DATAPOINTS, GET_METRIC_DATA_MAX_QUERIES } from './limits';
import { agentSeriesOf, awsSeriesOf, dedupeSeries, queryPeriodSeconds, refDimensions, specKey, type AgentListing, type NodeRef, type SeriesSpec, type SourceSettings } from './sources';

export interface PlannedQuery {
  /** GetMetricData query id, unique within its call (^[a-z][a-zA-Z0-9_]*$). */
  readonly id: string;
  readonly spec: SeriesSpec;
  readonly datapoints: number;
}

export interface PlannedCall {
  readonly queries: readonly PlannedQuery[];
  /** Datapoints the call can return at most: what the per-call limit and the DPS quota count. */
  readonly datapoints: number;
}

export interface ReadWindow {
  /** Epoch seconds, aligned to every query period. */
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/** Datapoints one query can return over the window. */
export function datapointsPerQuery(window: ReadWindow, queryPeriodSeconds: number): number {
  return Math.ceil((window.endSeconds - window.startSeconds) / queryPeriodSeconds);
}

/**
 * Packs queries into calls in order, each call under both per-call limits. Order is kept so that a node's
 * series land in as few calls as possible.
 */
export function planCalls(specs: readonly SeriesSpec[], window: ReadWindow): PlannedCall[] {
  const calls: PlannedCall[] = [];
  let queries: PlannedQuery[] = [];
  let datapoints = 0;
  const flush = (): void => {
    if (queries.length > 0) calls.push({ queries, datapoints });
    queries = [];
    datapoints = 0;
  };
  for (const spec of specs) {
    const dp = datapointsPerQuery(window, spec.periodSeconds);
    if (dp > GET_METRIC_DATA_MAX_DATAPOINTS) {
      throw new NetReconError(
        `a ${spec.periodSeconds} s query over ${window.endSeconds - window.startSeconds} s returns ${dp} datapoints, more than one call allows (${GET_METRIC_DATA_MAX_DATAPOINTS}); shorten the backfill window`,
        { value: dp },
      );
    }
    if (queries.length === GET_METRIC_DATA_MAX_QUERIES || datapoints + dp > GET_METRIC_DATA_MAX_DATAPOINTS) flush();
    queries.push({ id: `q${queries.length}`, spec, datapoints: dp });
    datapoints += dp;
  }
  flush();
  return calls;
}

/**
 * Every series a batch of nodes needs, deduplicated: per node (in the given order) EC2 in and out, Container
 * Insights, then its agent series sorted by key (discovery interleaves rx and tx pages; sorting keeps the plan
 * deterministic).
 */
export function seriesForNodes(
  nodes: readonly NodeRef[],
  agentByInstance: ReadonlyMap<string, AgentListing>,
  cluster: string,
  settings: SourceSettings,
  periodSeconds: number,
): SeriesSpec[] {
  const all: SeriesSpec[] = [];
  for (const node of nodes) {
    all.push(...awsSeriesOf(node, cluster, settings, periodSeconds));
    const listing = agentByInstance.get(node.instanceId);
    const agent: SeriesSpec[] = [];
    for (const direction of ['rx', 'tx'] as const) {
      for (const ref of listing?.[direction] ?? []) {
        const spec = agentSeriesOf(direction, refDimensions(ref, node.instanceId, settings), settings, periodSeconds);
        if (spec) agent.push(spec);
      }
    }
    // A loop, not push(...agent): any node's role can list as many agent series as it likes on its instance.
    for (const spec of agent.sort((a, b) => (specKey(a) < specKey(b) ? -1 : 1))) all.push(spec);
  }
  return dedupeSeries(all);
}

/**
 * GetMetricData datapoints one period of these nodes' series costs (each series returns P / its query period),
 * counted without building the agent series: what the read budget is checked against. Discovery has already
 * deduplicated each instance's listing, so the count is the plan's.
 */
export function datapointsPerPeriod(
  nodes: readonly NodeRef[],
  agentByInstance: ReadonlyMap<string, AgentListing>,
  cluster: string,
  settings: SourceSettings,
  periodSeconds: number,
): number {
  const perAgentSeries = periodSeconds / queryPeriodSeconds('agent', periodSeconds);
  let points = 0;
  for (const node of nodes) {
    for (const spec of awsSeriesOf(node, cluster, settings, periodSeconds)) points += periodSeconds / spec.periodSeconds;
    const listing = agentByInstance.get(node.instanceId);
    if (listing) points += (listing.rx.length + listing.tx.length) * perAgentSeries;
  }
  return points;
}
