/**
 * The reconciliation run: a (validated) capture in, a report out. Pure: no I/O, no clock.
 * Series are matched to inventory nodes by instance id, aligned to the period grid, reconciled per node and
 * period (node-period.ts) and rolled up per cluster and period (rollup.ts). A series that cannot be used is
 * skipped with its reason, and every other series and node is still reconciled.
 */
import { DEFAULT_AGENT_DIMENSIONS, dimensionValue, INSTANCE_ID_DIMENSION, type Capture, type CaptureSeries } from '../capture/capture';
import { alignProbe, alignSeries, periodGrid, periodStarts, type PeriodGrid, type SeriesPeriodBucket } from './align';
import type { ReconcileConfig } from './config';
import {
  NODE_STATUSES,
  type NodePeriodResult,
  type NodeStatus,
  type ReconcileReport,
  type SkippedItem,
  type SkippedSeriesTarget,
} from './model';
import type { NodeIdentity } from './node-identity';
import { reconcileNodePeriod, type NodeSeriesBuckets } from './node-period';
import { rollUp } from './rollup';
import { classifyInterface, type InterfaceClass } from './interface-rules';
import { nodeProfileOf, type NodeProfile } from './source-profile';
import { epochSecondsOf, isoOf } from './units';

export interface ReconcileOptions {
  /** Items the caller already skipped (bad series found while validating a capture); counted in the summary. */
  readonly skipped?: readonly SkippedItem[];
}

function describeSeries(s: CaptureSeries, index: number): string {
  const dims = Object.entries(s.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `series[${index}]${s.id ? ` (${s.id})` : ''} ${s.namespace} ${s.metricName} {${dims}}`;
}

/**
 * A SampleCount probe into its node's source coverage. Several probes of one source (one per series probed)
 * combine by their largest count: each counts samples the source did publish, so the largest is still no more
 * than the source's union. A refused probe is a gap in its source (partial), never an absence.
 */
function placeProbe(
  target: NodeSeriesBuckets,
  s: CaptureSeries,
  grid: PeriodGrid,
  measured: SkippedSeriesTarget,
  skip: (reason: string, value?: unknown, target?: SkippedSeriesTarget) => void,
): void {
  if (s.source === 'ec2') return skip('a SampleCount probe of EC2 is not used: EC2 is read at the period, one value each', s.stat);
  const aligned = alignProbe(s, grid);
  if (!aligned.ok) return skip(aligned.reason, aligned.value, { ...measured, probe: true });
  const probes = (target.probes ??= { containerInsights: null, agent: null });
  const current = probes[s.source];
  if (current === null) {
    probes[s.source] = aligned.coverage;
    return;
  }
  const merged = new Map<number, number>(current);
  for (const [start, seconds] of aligned.coverage) merged.set(start, Math.max(seconds, merged.get(start) ?? 0));
  probes[s.source] = merged;
}

/**
 * Whether any series of a node has a value (or its probe a sample) in the period starting at `start`: for a node
 * the inventory no longer lists, the only evidence that it ran then. A period where every source of it is silent
 * is one it did not run in (or whose data is lost everywhere: then there are no bytes to count either).
 */
function hasValueIn(series: NodeSeriesBuckets, start: number): boolean {
  if (series.ec2In?.has(start) || series.ec2Out?.has(start) || series.containerInsights?.has(start)) return true;
  for (const { rx, tx } of series.agent.values()) if (rx?.has(start) || tx?.has(start)) return true;
  return (series.probes?.containerInsights?.get(start) ?? 0) > 0 || (series.probes?.agent?.get(start) ?? 0) > 0;
}

export function reconcile(capture: Capture, config: ReconcileConfig, options: ReconcileOptions = {}): ReconcileReport {
  const skipped: SkippedItem[] = [...(options.skipped ?? [])];
  const grid = periodGrid(capture.window.start, capture.window.end, config.periodSeconds);
  const agentDims = capture.agentDimensions ?? DEFAULT_AGENT_DIMENSIONS;

  const nodes = new Map<string, { identity: NodeIdentity; series: NodeSeriesBuckets }>();
  for (const n of capture.nodes) {
    const fromSeries = n.knownFrom === 'series';
    nodes.set(n.instanceId, {
      identity: {
        instanceId: n.instanceId,
        nodeName: n.nodeName ?? null,
        launchSeconds: fromSeries ? Number.NEGATIVE_INFINITY : epochSecondsOf(n.launchTime),
        endSeconds: n.endTime && !fromSeries ? epochSecondsOf(n.endTime) : Number.POSITIVE_INFINITY,
        launchTime: n.launchTime,
        endTime: (!fromSeries && n.endTime) || null,
        knownFrom: fromSeries ? 'series' : 'inventory',
      },
      series: { ec2In: null, ec2Out: null, containerInsights: null, agent: new Map(), skipped: [], probes: { containerInsights: null, agent: null } },
    });
  }
  // A series skipped before the core (validation, a failed read) is a gap in its node's source, not an absence.
  for (const item of skipped) {
    if (item.series) nodes.get(item.series.instanceId)?.series.skipped.push(item.series);
  }

  let seriesRead = 0;
  /** The last period (its start, epoch seconds) each node's series hold data for: a node that ran in no period but has data is named. */
  const lastDataSeconds = new Map<string, number>();
  capture.series.forEach((s, index) => {
    // The description is built only for a series that is skipped: this loop sees every series of the cluster.
    // `target` is passed when the lost series measured a node's source: that node-period is then partial, not empty.
    const skip = (reason: string, value?: unknown, target?: SkippedSeriesTarget): void => {
      if (target) nodes.get(target.instanceId)?.series.skipped.push(target);
      skipped.push({
        kind: 'series',
        ref: describeSeries(s, index),
        reason,
        ...(value === undefined ? {} : { value }),
        ...(target ? { series: target } : {}),
      });
    };
    const instanceId = dimensionValue(s.dimensions, s.source === 'agent' ? agentDims.instanceId : INSTANCE_ID_DIMENSION);
    const node = instanceId === undefined ? undefined : nodes.get(instanceId);
    if (instanceId === undefined) {
      return skip(`it has no ${s.source === 'agent' ? agentDims.instanceId : INSTANCE_ID_DIMENSION} dimension, so it belongs to no node`);
    }
    if (!node) return skip(`instance ${instanceId} is not in the capture's node inventory`, instanceId);

    const interfaceName = s.source === 'agent' ? dimensionValue(s.dimensions, agentDims.interface) : undefined;
    const measured: SkippedSeriesTarget = { instanceId, source: s.source, direction: s.direction, ...(interfaceName === undefined ? {} : { interfaceName }) };
    if (s.stat === 'SampleCount') return placeProbe(node.series, s, grid, measured, skip);
    const aligned = alignSeries(s, grid);
    if (!aligned.ok) return skip(aligned.reason, aligned.value, measured);

    const target = node.series;
    for (const start of aligned.buckets.keys()) lastDataSeconds.set(instanceId, Math.max(lastDataSeconds.get(instanceId) ?? start, start));
    const place = (
      current: ReadonlyMap<number, SeriesPeriodBucket> | null,
      set: (b: ReadonlyMap<number, SeriesPeriodBucket>) => void,
    ): void => {
      if (current !== null) return skip(`a series for the same node and measure came first; this one is a duplicate`);
      set(aligned.buckets);
      seriesRead++;
    };
    if (s.source === 'ec2' && s.direction === 'in') return place(target.ec2In, (b) => (target.ec2In = b));
    if (s.source === 'ec2' && s.direction === 'out') return place(target.ec2Out, (b) => (target.ec2Out = b));
    if (s.source === 'containerInsights' && s.direction === 'total') {
      return place(target.containerInsights, (b) => (target.containerInsights = b));
    }
    if (s.source === 'agent' && (s.direction === 'rx' || s.direction === 'tx')) {
      const name = interfaceName;
      if (name === undefined) return skip(`it has no ${agentDims.interface} dimension`, undefined, measured);
      // No interface is nameless: an empty name cannot be classified, and counted as `unknown` it would skew the node.
      if (name.trim() === '') return skip(`its ${agentDims.interface} dimension is empty, so it names no interface`, name, { instanceId, source: s.source, direction: s.direction });
      const entry = target.agent.get(name) ?? { rx: null, tx: null };
      target.agent.set(name, entry);
      const dir = s.direction;
      return place(entry[dir], (b) => (entry[dir] = b));
    }
    return skip(`direction "${s.direction}" does not fit source "${s.source}"`, s.direction, measured);
  });

  // A refused Container Insights probe means its Sum of rates cannot be converted to bytes: no figure from it.
  for (const { series } of nodes.values()) {
    if (series.skipped.some((t) => t.source === 'containerInsights' && t.probe === true)) series.containerInsights = null;
  }

  // Under `mixed`, each node is reconciled with what its agent publishes over the whole window (source-profile.ts).
  const profiles = new Map<string, NodeProfile>();
  for (const [id, { series }] of nodes) {
    const classes = new Set<InterfaceClass>();
    const names = [...series.agent.keys(), ...series.skipped.flatMap((s) => (s.source === 'agent' && s.interfaceName !== undefined ? [s.interfaceName] : []))];
    for (const name of names) classes.add(classifyInterface(name, config.rules).interfaceClass);
    profiles.set(id, nodeProfileOf(config.sourceProfile, classes));
  }

  const starts = periodStarts(grid);
  const byPeriod = starts.map((start) => {
    const results: NodePeriodResult[] = [];
    for (const [id, { identity, series }] of nodes) {
      const running = identity.knownFrom === 'series' ? hasValueIn(series, start) : identity.launchSeconds < start + grid.periodSeconds && identity.endSeconds > start;
      if (running) results.push(reconcileNodePeriod(identity, start, series, config, profiles.get(id)!));
    }
    return results;
  });
  const nodePeriods = byPeriod.flat();
  // A node with data that ran in none of the window's periods (launched after its data, or ended before it) would
  // otherwise leave the report with nothing to say about it: the capture contradicts itself, so the node is named.
  const ranIn = new Set(nodePeriods.map((np) => np.instanceId));
  for (const [id, { identity }] of nodes) {
    const last = lastDataSeconds.get(id);
    if (last === undefined || ranIn.has(id)) continue;
    const when = identity.endTime === null ? `launched ${identity.launchTime}` : `ran from ${identity.launchTime} to ${identity.endTime}`;
    skipped.push({
      kind: 'node',
      ref: id,
      reason: `it ${when}, so it ran in no period of the window, yet its series hold data for the periods up to ${isoOf(last)}; that data was not reconciled. Check the node's launchTime and endTime`,
      value: identity.launchTime,
    });
  }

  const byStatus = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
  for (const np of nodePeriods) byStatus[np.status]++;

  return {
    cluster: capture.cluster,
    sourceProfile: config.sourceProfile,
    periodSeconds: grid.periodSeconds,
    window: { start: isoOf(grid.firstStart), end: isoOf(grid.firstStart + grid.count * grid.periodSeconds) },
    nodePeriods,
    clusterPeriods: starts.map((start, i) => rollUp(isoOf(start), config, byPeriod[i]!)),
    skipped,
    summary: {
      nodes: nodes.size,
      periods: grid.count,
      nodePeriods: nodePeriods.length,
      seriesRead,
      seriesSkipped: skipped.filter((s) => s.kind === 'series').length,
      nodesSkipped: skipped.filter((s) => s.kind === 'node').length,
      nodePeriodsByStatus: byStatus,
    },
  };
}
