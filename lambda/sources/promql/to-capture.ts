/**
 * The PromQL source's figures in the shape the core reconciles today: per-interface series of the `agent`
 * source (one value per period: the exact bytes of counter-periods.ts, unit Bytes, statistic Sum) and, per node,
 * a SampleCount probe that tells the core how many seconds of each period the samples cover (1-second units, so
 * the count is the covered seconds). The core then judges completeness exactly as for the CloudWatch agent
 * (node-period.ts: the union of a node's series, minSampleFraction). Kept here, in the source's folder, so that the
 * move to observations (the centre issue) touches one file.
 */
import type { CaptureSeries } from '../../capture/capture';
import { isoOf } from '../../core/units';
import { unionSeconds } from './counter-periods';
import type { DevicePeriods } from './read-source';
import { MEASURES } from './query-plan';

/** The dimension names of the series built here (the capture's agentDimensions must name them). */
export const PROMQL_DIMENSIONS = { instanceId: 'InstanceId', interface: 'interface' } as const;

/** The namespace the translated series carry: not a CloudWatch namespace, a marker of where they came from. */
export const PROMQL_NAMESPACE = 'PromQL';

/** The probe's unit of coverage: one second, so any whole number of covered seconds is a valid count. */
const COVERAGE_GRAIN_SECONDS = 1;

export function promqlCaptureSeries(devices: readonly DevicePeriods[], periodSeconds: number): CaptureSeries[] {
  const out: CaptureSeries[] = [];
  const coverage = new Map<string, Map<number, Array<readonly [number, number]>>>();
  for (const d of devices) {
    const starts = [...new Set([...d.periods.bytes.keys(), ...d.periods.covered.keys()])].sort((a, b) => a - b);
    out.push({
      id: `promql_${d.direction}_${d.instanceId}_${d.device}`,
      source: 'agent',
      direction: d.direction,
      namespace: PROMQL_NAMESPACE,
      metricName: d.direction === 'rx' ? MEASURES.deviceRx : MEASURES.deviceTx,
      dimensions: { [PROMQL_DIMENSIONS.instanceId]: d.instanceId, [PROMQL_DIMENSIONS.interface]: d.device },
      stat: 'Sum',
      periodSeconds,
      sampleSeconds: COVERAGE_GRAIN_SECONDS,
      unit: 'Bytes',
      timestamps: starts.map(isoOf),
      values: starts.map((s) => d.periods.bytes.get(s) ?? 0),
    });
    let node = coverage.get(d.instanceId);
    if (!node) coverage.set(d.instanceId, (node = new Map()));
    for (const [start, intervals] of d.periods.covered) {
      const list = node.get(start) ?? [];
      list.push(...intervals);
      node.set(start, list);
    }
  }
  for (const [instanceId, byPeriod] of coverage) {
    const starts = [...byPeriod.keys()].sort((a, b) => a - b);
    out.push({
      id: `promql_coverage_${instanceId}`,
      source: 'agent',
      direction: 'rx',
      namespace: PROMQL_NAMESPACE,
      metricName: 'coveredSeconds',
      dimensions: { [PROMQL_DIMENSIONS.instanceId]: instanceId, [PROMQL_DIMENSIONS.interface]: '*' },
      stat: 'SampleCount',
      periodSeconds,
      sampleSeconds: COVERAGE_GRAIN_SECONDS,
      unit: 'Count',
      timestamps: starts.map(isoOf),
      values: starts.map((s) => Math.min(periodSeconds, Math.floor(unionSeconds(byPeriod.get(s)!) / COVERAGE_GRAIN_SECONDS))),
    });
  }
  return out;
}
