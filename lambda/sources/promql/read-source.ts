/**
 * The PromQL source end to end: plan the queries for a set of inventory nodes, read them (splitting any answer
 * that reached the series limit), check the answers, and compute exact bytes per period for every device and
 * pod, with each node's coverage. What it returns is the source's own view; to-capture.ts turns it into the
 * per-interface series the core reconciles.
 */
import type { CaptureNode } from '../../capture/capture';
import type { SkippedItem } from '../../core/model';
import { checkAnswer, type CheckedSeries, type Labels } from './answer-checks';
import { counterPeriods, type CounterPeriods } from './counter-periods';
import { PromqlTooManySeriesError } from './errors';
import type { PromqlHttpReader } from './http-reader';
import { MEASURES, maxGapSecondsOf, planQueries, queryText, splitQuery, type Measure, type PlannedQuery } from './query-plan';
import type { PromqlSourceSettings } from './settings';

export interface DevicePeriods {
  readonly instanceId: string;
  readonly device: string;
  readonly direction: 'rx' | 'tx';
  readonly periods: CounterPeriods;
}

export interface PodPeriods {
  readonly instanceId: string;
  readonly namespace: string;
  readonly pod: string;
  readonly direction: 'rx' | 'tx';
  readonly periods: CounterPeriods;
}

export interface PromqlRead {
  readonly devices: DevicePeriods[];
  readonly pods: PodPeriods[];
  readonly skipped: SkippedItem[];
  readonly queries: number;
  readonly samples: number;
  readonly warnings: string[];
}

export interface ReadPromqlInput {
  readonly cluster: string;
  readonly nodes: readonly CaptureNode[];
  readonly windowStartSeconds: number;
  readonly windowEndSeconds: number;
  readonly periodSeconds: number;
  readonly settings: PromqlSourceSettings;
  readonly reader: PromqlHttpReader;
  readonly progress?: (message: string) => void;
  /** Queries in flight at once. Default 4. */
  readonly concurrency?: number;
}

/** `NAME:PORT` → NAME: node_exporter's `instance` is the scrape address unless relabelled to the node name. */
const withoutPort = (v: string): string => v.replace(/:[0-9]+$/, '');

function nodeIndex(nodes: readonly CaptureNode[], s: PromqlSourceSettings) {
  const byValue = new Map<string, string>();
  for (const n of nodes) {
    if (s.labels.nodeIdentity === 'instanceId') byValue.set(n.instanceId, n.instanceId);
    else if (n.nodeName !== undefined) byValue.set(n.nodeName, n.instanceId);
  }
  return { values: [...byValue.keys()], instanceOf: (labelValue: string) => byValue.get(labelValue) ?? byValue.get(withoutPort(labelValue)) };
}

/** Runs a query, and its halves when the answer reached the limit (it may have been cut), until none does. */
async function readPlanned(q: PlannedQuery, input: ReadPromqlInput, counts: { queries: number }, warnings: string[]): Promise<{ series: CheckedSeries[]; refused: ReturnType<typeof checkAnswer>['refused'] }> {
  const text = queryText(q, input.settings, input.cluster);
  counts.queries++;
  const answer = checkAnswer(await input.reader.instant(text, q.timeSeconds, input.settings.seriesLimit), 'matrix');
  warnings.push(...answer.warnings);
  if (answer.series.length + answer.refused.length < input.settings.seriesLimit) return answer;
  const parts = splitQuery(q);
  if (parts === null) throw new PromqlTooManySeriesError(text, input.settings.seriesLimit);
  const read = await Promise.all(parts.map((p) => readPlanned(p, input, counts, warnings)));
  return { series: read.flatMap((r) => r.series), refused: read.flatMap((r) => r.refused) };
}

async function inPool<T, R>(items: readonly T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

interface Gathered {
  readonly instanceId: string;
  readonly key: string;
  readonly name: string;
  readonly namespace?: string;
  readonly samples: Map<number, number>;
  conflict?: { time: number; values: [number, number] };
}

const describe = (measure: Measure, labels: Labels): string =>
  `${MEASURES[measure]}{${Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

export async function readPromql(input: ReadPromqlInput): Promise<PromqlRead> {
  const s = input.settings;
  const L = s.labels;
  const index = nodeIndex(input.nodes, s);
  const skipped: SkippedItem[] = [];
  for (const n of input.nodes) {
    if (L.nodeIdentity === 'nodeName' && n.nodeName === undefined) {
      skipped.push({ kind: 'source', ref: n.instanceId, reason: `the inventory has no node name for it, so its PromQL series (${L.node}) cannot be matched` });
    }
  }
  const planned = planQueries({ settings: s, nodeValues: index.values, windowStartSeconds: input.windowStartSeconds, windowEndSeconds: input.windowEndSeconds });
  input.progress?.(`PromQL: ${planned.length} queries for ${index.values.length} nodes`);
  const counts = { queries: 0 };
  const warnings: string[] = [];
  const devices: DevicePeriods[] = [];
  const pods: PodPeriods[] = [];
  let samples = 0;
  // The queries of one group of nodes (planQueries shares its nodeValues array) hold every sample of those nodes, so
  // each group is read, turned into periods and let go before the next: memory holds the periods, not the samples
  // of every node at once (docs/limits.md, "PromQL reads").
  const groups = new Map<readonly string[], PlannedQuery[]>();
  for (const q of planned) groups.set(q.nodeValues, [...(groups.get(q.nodeValues) ?? []), q]);
  await inPool([...groups.values()], input.concurrency ?? 4, async (queries) => {
    const answers: Array<{ q: PlannedQuery; a: Awaited<ReturnType<typeof readPlanned>> }> = [];
    for (const q of queries) answers.push({ q, a: await readPlanned(q, input, counts, warnings) });
    samples += periodsOfGroup(answers, input, index, { devices, pods, skipped });
  });
  input.progress?.(`PromQL: ${counts.queries} queries, ${samples} samples, ${devices.length} device series, ${pods.length} pod series`);
  return { devices, pods, skipped, queries: counts.queries, samples, warnings };
}

/** One group's answers into device and pod periods (appended to `out`); returns the distinct samples it held. */
function periodsOfGroup(
  answers: ReadonlyArray<{ q: PlannedQuery; a: { series: CheckedSeries[]; refused: ReturnType<typeof checkAnswer>['refused'] } }>,
  input: ReadPromqlInput,
  index: ReturnType<typeof nodeIndex>,
  out: { devices: DevicePeriods[]; pods: PodPeriods[]; skipped: SkippedItem[] },
): number {
  const s = input.settings;
  const L = s.labels;
  const { devices, pods, skipped } = out;
  let samples = 0;
  // One series per (measure, node, device or pod): the ranges of the window are merged by timestamp.
  const gathered = new Map<Measure, Map<string, Gathered>>();
  for (const { q, a } of answers) {
    const pod = q.measure === 'podRx' || q.measure === 'podTx';
    for (const r of a.refused) skipped.push({ kind: 'series', ref: describe(q.measure, r.labels), reason: r.reason, ...(r.value === undefined ? {} : { value: r.value }) });
    for (const series of a.series) {
      const nodeValue = series.labels[pod ? L.podNode : L.node];
      const instanceId = nodeValue === undefined ? undefined : index.instanceOf(nodeValue);
      const name = pod ? series.labels[L.podName] : series.labels[L.device];
      const namespace = pod ? series.labels[L.podNamespace] : undefined;
      if (instanceId === undefined || name === undefined || (pod && namespace === undefined)) {
        skipped.push({
          kind: 'series',
          ref: describe(q.measure, series.labels),
          reason: instanceId === undefined ? `its ${pod ? L.podNode : L.node} label ${JSON.stringify(nodeValue)} names no node of the inventory` : `it has no ${pod ? `${L.podNamespace}/${L.podName}` : L.device} label`,
        });
        continue;
      }
      // cAdvisor reports a pod's interfaces (eth0, and any other): they add up to the pod's bytes per interface key.
      const key = pod ? `${instanceId}\u0000${namespace}\u0000${name}\u0000${series.labels[L.podInterface] ?? ''}` : `${instanceId}\u0000${name}`;
      let byKey = gathered.get(q.measure);
      if (!byKey) gathered.set(q.measure, (byKey = new Map()));
      let g = byKey.get(key);
      if (!g) byKey.set(key, (g = { instanceId, key, name, ...(namespace === undefined ? {} : { namespace }), samples: new Map() }));
      for (let i = 0; i < series.timesSeconds.length; i++) {
        const t = series.timesSeconds[i]!;
        const v = series.values[i]!;
        const before = g.samples.get(t);
        if (before !== undefined && before !== v) g.conflict ??= { time: t, values: [before, v] };
        if (before === undefined) samples++;
        g.samples.set(t, v);
      }
    }
  }

  const maxGapSeconds = maxGapSecondsOf(s);
  // The earliest sample of each node, over its devices: a series that begins later began inside the window.
  const nodeFirst = new Map<string, number>();
  for (const m of ['deviceRx', 'deviceTx'] as const) {
    for (const g of gathered.get(m)?.values() ?? []) {
      const first = Math.min(...g.samples.keys());
      nodeFirst.set(g.instanceId, Math.min(first, nodeFirst.get(g.instanceId) ?? Infinity));
    }
  }
  const periodsOf = (g: Gathered): CounterPeriods => {
    const times = [...g.samples.keys()].sort((x, y) => x - y);
    const first = times[0] ?? Infinity;
    return counterPeriods(
      { timesSeconds: times, values: times.map((t) => g.samples.get(t)!) },
      {
        periodSeconds: input.periodSeconds,
        windowStartSeconds: input.windowStartSeconds,
        windowEndSeconds: input.windowEndSeconds,
        temporality: s.temporality,
        maxGapSeconds,
        sampleIntervalSeconds: s.scrapeIntervalSeconds,
        startsFromZero: first > Math.max(input.windowStartSeconds, nodeFirst.get(g.instanceId) ?? Infinity) + maxGapSeconds,
      },
    );
  };
  for (const [measure, byKey] of gathered) {
    const direction = measure === 'deviceRx' || measure === 'podRx' ? 'rx' : 'tx';
    for (const g of byKey.values()) {
      if (g.conflict) {
        skipped.push({
          kind: 'series',
          ref: `${MEASURES[measure]} ${g.name} of ${g.instanceId}`,
          reason: `timestamp ${g.conflict.time} has two values (${g.conflict.values.join(' and ')}): two series for one device, or an answer that changed between reads`,
          value: g.conflict.time,
          ...(measure.startsWith('device') ? { series: { instanceId: g.instanceId, source: 'agent' as const, direction, interfaceName: g.name } } : {}),
        });
        continue;
      }
      const periods = periodsOf(g);
      // A cumulative counter goes down only when it resets (a reboot, a re-created interface): one that goes down
      // at many steps is not cumulative, and read as one its every drop would count its whole value again.
      const steps = g.samples.size - 1;
      if (s.temporality === 'cumulative' && steps >= 4 && periods.resets * 4 > steps) {
        skipped.push({
          kind: 'series',
          ref: `${MEASURES[measure]} ${g.name} of ${g.instanceId}`,
          reason: `it goes down at ${periods.resets} of its ${steps} steps, so it is not a cumulative counter (delta temporality?); read it with --promql-temporality delta (promqlTemporality)`,
          value: periods.resets,
          ...(measure.startsWith('device') ? { series: { instanceId: g.instanceId, source: 'agent' as const, direction, interfaceName: g.name } } : {}),
        });
        continue;
      }
      if (g.namespace === undefined) devices.push({ instanceId: g.instanceId, device: g.name, direction, periods });
      else pods.push({ instanceId: g.instanceId, namespace: g.namespace, pod: g.name, direction, periods });
    }
  }
  return samples;
}
