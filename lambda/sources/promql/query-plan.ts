/**
 * The PromQL source's query plan: which range-vector selections, for which nodes, over which ranges. Pure.
 *
 * Each query is an instant query (`/api/v1/query`) of a bare range selection, `metric{…}[Rs]` at `time=T`: its
 * answer is the raw samples of (T − R, T], never a function of them (docs/sources.md, "PromQL: bytes per
 * period"). The window is cut into ranges of at most maxRangeSeconds; the first reaches back one gap further,
 * so that the sample at or before the window's start, each period's baseline, is read.
 *
 * Two dialects: classic (`metric{label="v"}`, Prometheus 2 and Amazon Managed Service for Prometheus) and UTF-8
 * (`{"metric","@resource.host.id"="v"}`, Prometheus 3 and CloudWatch, whose OTLP labels have dots and `@`).
 */
import type { PromqlKind, PromqlSourceSettings } from './settings';

export type Dialect = 'classic' | 'utf8';
export const dialectOf = (kind: PromqlKind): Dialect => (kind === 'cloudwatch' ? 'utf8' : 'classic');

export interface Matcher {
  readonly label: string;
  readonly op: '=' | '=~' | '!~';
  readonly value: string;
}

/** What the node_exporter and cAdvisor series are called (their own names: OTel Container Insights keeps them). */
export const MEASURES = {
  deviceRx: 'node_network_receive_bytes_total',
  deviceTx: 'node_network_transmit_bytes_total',
  podRx: 'container_network_receive_bytes_total',
  podTx: 'container_network_transmit_bytes_total',
} as const;
export type Measure = keyof typeof MEASURES;

/**
 * A device-name class for splitting a node's series over several answers: every name (null), or the names whose
 * first character is in `chars` (printable ASCII), or `rest` (a first character outside it).
 */
export type DeviceClass = null | { readonly chars: string } | 'rest';

/** Printable ASCII but space: what Linux interface names are made of, in practice. */
export const DEVICE_FIRST_CHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

export interface PlannedQuery {
  readonly measure: Measure;
  /** Node label values this query selects. */
  readonly nodeValues: readonly string[];
  readonly deviceClass: DeviceClass;
  /** The instant query's `time`, epoch seconds. */
  readonly timeSeconds: number;
  readonly rangeSeconds: number;
}

const CLASSIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A PromQL double-quoted string (Go escapes). */
export function promqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** RE2 with every metacharacter escaped: a value matched literally inside `=~`. */
export function regexLiteral(s: string): string {
  return s.replace(/[\\.^$|?*+()[\]{}-]/g, '\\$&');
}

function classRegex(chars: string): string {
  return `[${chars.replace(/[^a-zA-Z0-9]/g, '\\$&')}].*`;
}

/** The label names of the settings this dialect cannot write (classic: `[a-zA-Z_][a-zA-Z0-9_]*` only). */
export function unwritableLabels(s: PromqlSourceSettings): string[] {
  if (dialectOf(s.kind) === 'utf8') return [];
  const L = s.labels;
  return [L.cluster, L.node, L.device, ...(s.pods ? [L.podNode, L.podNamespace, L.podName, L.podInterface] : [])].filter((n): n is string => n !== null && !CLASSIC_NAME.test(n));
}

export function renderSelector(metric: string, matchers: readonly Matcher[], dialect: Dialect): string {
  if (dialect === 'utf8') {
    return `{${[promqlString(metric), ...matchers.map((m) => `${promqlString(m.label)}${m.op}${promqlString(m.value)}`)].join(',')}}`;
  }
  for (const name of [metric, ...matchers.map((m) => m.label)]) {
    if (!CLASSIC_NAME.test(name)) {
      throw new Error(`${JSON.stringify(name)} is not a classic PromQL name; only a Prometheus 3 API (--promql-kind cloudwatch) takes quoted names`);
    }
  }
  return `${metric}{${matchers.map((m) => `${m.label}${m.op}${promqlString(m.value)}`).join(',')}}`;
}

/** The node label's matcher: instance ids literally, node names also with a `:PORT` suffix (node_exporter's `instance`). */
export function nodeMatcher(label: string, values: readonly string[], identity: 'instanceId' | 'nodeName'): Matcher {
  const alternatives = values.map((v) => regexLiteral(v) + (identity === 'nodeName' ? '(:[0-9]+)?' : ''));
  return { label, op: '=~', value: alternatives.join('|') };
}

export function deviceMatcher(label: string, cls: DeviceClass): Matcher | null {
  if (cls === null) return null;
  if (cls === 'rest') return { label, op: '!~', value: classRegex(DEVICE_FIRST_CHARS) };
  return { label, op: '=~', value: classRegex(cls.chars) };
}

export function queryText(q: PlannedQuery, s: PromqlSourceSettings, cluster: string): string {
  const pod = q.measure === 'podRx' || q.measure === 'podTx';
  const L = s.labels;
  const matchers: Matcher[] = [];
  if (L.cluster !== null) matchers.push({ label: L.cluster, op: '=', value: cluster });
  matchers.push(nodeMatcher(pod ? L.podNode : L.node, q.nodeValues, L.nodeIdentity));
  const dev = deviceMatcher(pod ? L.podInterface : L.device, q.deviceClass);
  if (dev) matchers.push(dev);
  return `${renderSelector(MEASURES[q.measure], matchers, dialectOf(s.kind))}[${q.rangeSeconds}s]`;
}

/** The ranges (time, range) that together select (windowStart − reachBack, windowEnd]. */
export function ranges(windowStartSeconds: number, windowEndSeconds: number, maxRangeSeconds: number, reachBackSeconds: number): Array<{ timeSeconds: number; rangeSeconds: number }> {
  const out: Array<{ timeSeconds: number; rangeSeconds: number }> = [];
  for (let end = windowEndSeconds; end > windowStartSeconds; end -= maxRangeSeconds) {
    const start = Math.max(windowStartSeconds, end - maxRangeSeconds);
    out.push({ timeSeconds: end, rangeSeconds: end - start + (start === windowStartSeconds ? reachBackSeconds : 0) });
  }
  return out.reverse();
}

/** The longest step that is still no gap: 1.5 scrape intervals, whole seconds. */
export const maxGapSecondsOf = (s: PromqlSourceSettings): number => Math.ceil(1.5 * s.scrapeIntervalSeconds);

export function planQueries(input: { settings: PromqlSourceSettings; nodeValues: readonly string[]; windowStartSeconds: number; windowEndSeconds: number }): PlannedQuery[] {
  const s = input.settings;
  const measures: Measure[] = s.pods ? ['deviceRx', 'deviceTx', 'podRx', 'podTx'] : ['deviceRx', 'deviceTx'];
  const out: PlannedQuery[] = [];
  const rs = ranges(input.windowStartSeconds, input.windowEndSeconds, s.maxRangeSeconds, maxGapSecondsOf(s));
  for (let i = 0; i < input.nodeValues.length; i += s.nodesPerQuery) {
    const nodeValues = input.nodeValues.slice(i, i + s.nodesPerQuery);
    for (const measure of measures) for (const r of rs) out.push({ measure, nodeValues, deviceClass: null, ...r });
  }
  return out;
}

/**
 * The same query over two halves, when an answer reached the series limit and may be cut: first the nodes, then
 * (one node left) the devices by their first character. Null: it cannot be split further.
 */
export function splitQuery(q: PlannedQuery): [PlannedQuery, PlannedQuery] | [PlannedQuery, PlannedQuery, PlannedQuery] | null {
  if (q.nodeValues.length > 1) {
    const half = Math.ceil(q.nodeValues.length / 2);
    return [
      { ...q, nodeValues: q.nodeValues.slice(0, half) },
      { ...q, nodeValues: q.nodeValues.slice(half) },
    ];
  }
  const cls = q.deviceClass;
  if (cls === null) {
    const half = Math.ceil(DEVICE_FIRST_CHARS.length / 2);
    return [
      { ...q, deviceClass: { chars: DEVICE_FIRST_CHARS.slice(0, half) } },
      { ...q, deviceClass: { chars: DEVICE_FIRST_CHARS.slice(half) } },
      { ...q, deviceClass: 'rest' },
    ];
  }
  if (cls === 'rest' || cls.chars.length < 2) return null;
  const half = Math.ceil(cls.chars.length / 2);
  return [
    { ...q, deviceClass: { chars: cls.chars.slice(0, half) } },
    { ...q, deviceClass: { chars: cls.chars.slice(half) } },
  ];
}
