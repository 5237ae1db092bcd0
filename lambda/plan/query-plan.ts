/**
 * The GetMetricData query plan: which series a batch of nodes needs, and how their MetricStat queries are
 * packed into calls. Pure (no SDK calls).
 *
 * What this changes in the bill (GetMetricData is billed per metric requested, see pricing.ts): only the set of
 * series. Packing (500 queries and 100,800 datapoints a call) changes the number of calls, not the cost, as long
 * as the statistics of one metric (a series and its SampleCount probe) travel in the same call, which packing
 * keeps; the time range of a call does not change the cost either, which is why a run reads every pending
 * period of a series with one query.
 *
 * Every series is read at P, one value a period (sources.ts), plus one SampleCount probe per node and source whose
 * values aggregate several samples (Container Insights, the agent): what tells a partial period
 * (docs/aws.md, "Reading at the period").
 */
import { NetReconError } from '../core/errors';
import { GET_METRIC_DATA_MAX_DATAPOINTS, GET_METRIC_DATA_MAX_QUERIES } from './limits';
import { agentProbeRef, agentSeriesOf, awsSeriesOf, dedupeSeries, probeOf, queryPeriodSeconds, refDimensions, specKey, type AgentListing, type NodeRef, type SeriesSpec, type SourceSettings } from './sources';

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
  /** Distinct metrics of the call: what it is billed for (up to five statistics of one metric count once). */
  readonly billedMetrics: number;
}

/** "You can request up to five statistics for the same metric in a single GetMetricData API request" (pricing.ts). */
const MAX_STATS_PER_METRIC = 5;

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
  let metrics = new Set<string>();
  const flush = (): void => {
    if (queries.length > 0) calls.push({ queries, datapoints, billedMetrics: metrics.size });
    queries = [];
    datapoints = 0;
    metrics = new Set();
  };
  for (let i = 0; i < specs.length; ) {
    // A metric's statistics, adjacent in the plan, go into one call: billed once (pricing.ts).
    const key = specKey(specs[i]!);
    let end = i + 1;
    while (end < specs.length && end - i < MAX_STATS_PER_METRIC && specKey(specs[end]!) === key) end++;
    const group = specs.slice(i, end).map((spec) => ({ spec, dp: datapointsPerQuery(window, spec.periodSeconds) }));
    const groupDatapoints = group.reduce((a, g) => a + g.dp, 0);
    for (const { spec, dp } of group) {
      if (dp > GET_METRIC_DATA_MAX_DATAPOINTS) {
        throw new NetReconError(
          `a ${spec.periodSeconds} s query over ${window.endSeconds - window.startSeconds} s returns ${dp} datapoints, more than one call allows (${GET_METRIC_DATA_MAX_DATAPOINTS}); shorten the backfill window`,
          { value: dp },
        );
      }
    }
    if (queries.length + group.length > GET_METRIC_DATA_MAX_QUERIES || datapoints + groupDatapoints > GET_METRIC_DATA_MAX_DATAPOINTS) flush();
    for (const { spec, dp } of group) {
      // A group too big for an empty call (only when one statistic alone nearly fills it) is split.
      if (queries.length === GET_METRIC_DATA_MAX_QUERIES || datapoints + dp > GET_METRIC_DATA_MAX_DATAPOINTS) flush();
      queries.push({ id: `q${queries.length}`, spec, datapoints: dp });
      datapoints += dp;
      metrics.add(key);
    }
    i = end;
  }
  flush();
  return calls;
}

/**
 * Every query a batch of nodes needs, deduplicated: per node (in the given order) EC2 in and out, Container
 * Insights and its probe, then its agent series sorted by key (discovery interleaves rx and tx pages; sorting
 * keeps the plan deterministic) with the agent probe right after the series it counts.
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
    for (const spec of awsSeriesOf(node, cluster, settings, periodSeconds)) {
      all.push(spec);
      const probe = probeOf(spec);
      if (probe) all.push(probe);
    }
    const listing = agentByInstance.get(node.instanceId);
    const agent: SeriesSpec[] = [];
    for (const direction of ['rx', 'tx'] as const) {
      for (const ref of listing?.[direction] ?? []) {
        const spec = agentSeriesOf(direction, refDimensions(ref, node.instanceId, settings), settings, periodSeconds);
        if (spec) agent.push(spec);
      }
    }
    const probed = listing ? agentProbeRef(listing, node.instanceId, settings) : null;
    const probeSpec = probed ? agentSeriesOf(probed.direction, refDimensions(probed.ref, node.instanceId, settings), settings, periodSeconds) : null;
    const probeKey = probeSpec ? specKey(probeSpec) : null;
    // A loop, not push(...agent): any node's role can list as many agent series as it likes on its instance.
    for (const spec of agent.sort((a, b) => (specKey(a) < specKey(b) ? -1 : 1))) {
      all.push(spec);
      const probe = specKey(spec) === probeKey ? probeOf(spec) : null;
      if (probe) all.push(probe);
    }
  }
  return dedupeSeries(all);
}

/**
 * GetMetricData datapoints one period of these nodes' queries costs (each query returns P / its query period),
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
  const agentPeriod = queryPeriodSeconds('agent', periodSeconds);
  const perAgentSeries = periodSeconds / agentPeriod;
  const agentProbe = probeOf({ ...agentSeriesOf('rx', { [settings.agentInstanceDimension]: 'i', [settings.agentInterfaceDimension]: 'x' }, settings, periodSeconds)! });
  let points = 0;
  for (const node of nodes) {
    for (const spec of awsSeriesOf(node, cluster, settings, periodSeconds)) {
      points += periodSeconds / spec.periodSeconds;
      if (probeOf(spec)) points += periodSeconds / spec.periodSeconds;
    }
    const listing = agentByInstance.get(node.instanceId);
    const agentSeries = listing ? listing.rx.length + listing.tx.length : 0;
    if (agentSeries > 0) points += agentSeries * perAgentSeries + (agentProbe ? periodSeconds / agentProbe.periodSeconds : 0);
  }
  return points;
}
