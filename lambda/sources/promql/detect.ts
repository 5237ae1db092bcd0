/**
 * `netrecon doctor --promql-url`: what a PromQL API holds for the cluster. One instant query of node_exporter's
 * receive counter with the cluster's selector: how many series answer, which labels they carry (so a user can
 * set --promql-labels), how many inventory nodes they name, and what devices (how many pod veths: the naive
 * `sum by (node)` counts those twice). The answer's judgement is pure (detection apart from presentation).
 */
import type { CaptureNode } from '../../capture/capture';
import { classifyInterface, type CompiledRule, type InterfaceClass } from '../../core/interface-rules';
import { nodeProfileOf, type NodeProfile } from '../../core/source-profile';
import type { PromqlCoverage } from '../../doctor/model';
import { checkAnswer } from './answer-checks';
import { PromqlError } from './errors';
import type { PromqlHttpReader } from './http-reader';
import { MEASURES, renderSelector, dialectOf, type Matcher } from './query-plan';
import type { PromqlSourceSettings } from './settings';

export interface PromqlDetection {
  readonly url: string;
  readonly kind: PromqlSourceSettings['kind'];
  readonly query: string;
  /** null when the query failed; then `error` says why. */
  readonly seriesFound: number | null;
  readonly error?: string;
  /** Every label name the series carry, sorted. */
  readonly labelsFound: readonly string[];
  /** The configured labels (cluster, node, device) each present on every series, or not. */
  readonly labelsMissing: readonly string[];
  readonly nodesMatched: number;
  readonly nodesInInventory: number;
  readonly podVethSeries: number;
  /** Each inventory node with series, by instance id: what it resolves to under mixed from its devices' classes (docs/profiles.md). */
  readonly nodeProfiles: Readonly<Record<string, NodeProfile>>;
  /** `ok`: series for every node with the configured labels; `partial`: some nodes or labels missing; `none`: no series. */
  readonly verdict: 'ok' | 'partial' | 'none' | 'error';
}

export async function detectPromql(input: { settings: PromqlSourceSettings; reader: PromqlHttpReader; cluster: string; nodes: readonly CaptureNode[]; nowSeconds: number; rules: readonly CompiledRule[] }): Promise<PromqlDetection> {
  const s = input.settings;
  const matchers: Matcher[] = s.labels.cluster === null ? [] : [{ label: s.labels.cluster, op: '=', value: input.cluster }];
  // The series seen in the last hour (a scrape missed just now must not hide a node): detection only, no figure.
  const query = `last_over_time(${renderSelector(MEASURES.deviceRx, matchers, dialectOf(s.kind))}[1h])`;
  const base = { url: s.url, kind: s.kind, query, nodesInInventory: input.nodes.length };
  let answer;
  try {
    // An instant vector: one value a series; at most seriesLimit series.
    const body = (await input.reader.instant(query, input.nowSeconds, s.seriesLimit)) as { data?: { resultType?: string; result?: Array<{ metric?: unknown; value?: [number, string] }> } };
    const result = body.data?.result ?? [];
    // Reuse the matrix checks: each [time, value] of the vector is a one-sample series.
    answer = checkAnswer({ ...body, data: { resultType: 'matrix', result: result.map((r) => ({ metric: r.metric, values: r.value ? [r.value] : [] })) } }, 'matrix');
  } catch (error) {
    if (!(error instanceof PromqlError)) throw error;
    return { ...base, seriesFound: null, error: error.message, labelsFound: [], labelsMissing: [], nodesMatched: 0, podVethSeries: 0, nodeProfiles: {}, verdict: 'error' };
  }
  const series = [...answer.series, ...answer.refused];
  const labelsFound = [...new Set(series.flatMap((x) => Object.keys(x.labels)))].filter((l) => l !== '__name__').sort();
  const wanted = [s.labels.cluster, s.labels.node, s.labels.device].filter((l): l is string => l !== null);
  const labelsMissing = wanted.filter((l) => series.some((x) => x.labels[l] === undefined));
  const byValue = new Map<string, string>();
  for (const n of input.nodes) {
    byValue.set(n.instanceId, n.instanceId);
    if (n.nodeName) byValue.set(n.nodeName, n.instanceId);
  }
  const classes = new Map<string, Set<InterfaceClass>>();
  let podVethSeries = 0;
  for (const x of series) {
    const v = x.labels[s.labels.node];
    const id = v === undefined ? undefined : (byValue.get(v) ?? byValue.get(v.replace(/:[0-9]+$/, '')));
    const device = x.labels[s.labels.device];
    const cls = device === undefined ? undefined : classifyInterface(device, input.rules).interfaceClass;
    if (id) {
      const set = classes.get(id) ?? new Set<InterfaceClass>();
      if (cls) set.add(cls);
      classes.set(id, set);
    }
    if (cls === 'podVeth') podVethSeries++;
  }
  const nodeProfiles = Object.fromEntries([...classes].map(([id, set]) => [id, nodeProfileOf('mixed', set)]));
  const verdict = series.length === 0 ? 'none' : labelsMissing.length === 0 && classes.size === input.nodes.length ? 'ok' : 'partial';
  return { ...base, seriesFound: series.length, labelsFound, labelsMissing, nodesMatched: classes.size, podVethSeries, nodeProfiles, verdict };
}

/** What doctor's costs and recommendation take from a detection; null when the query failed or no series answered. */
export function promqlCoverageOf(d: PromqlDetection, settings: Pick<PromqlSourceSettings, 'scrapeIntervalSeconds'>): PromqlCoverage | null {
  if (d.seriesFound === null || d.seriesFound === 0) return null;
  return { kind: d.kind, receiveSeries: d.seriesFound, nodeProfiles: new Map(Object.entries(d.nodeProfiles)), labelsMissing: d.labelsMissing, scrapeIntervalSeconds: settings.scrapeIntervalSeconds };
}

/** The detection as lines of the doctor's checklist. */
export function detectionLines(d: PromqlDetection): string[] {
  const mark = d.verdict === 'ok' ? '✓' : '✗';
  if (d.verdict === 'error') return [`✗ PromQL ${d.kind} at ${d.url}: ${d.error}`];
  if (d.verdict === 'none') {
    return [`✗ PromQL ${d.kind} at ${d.url}: no series answer ${d.query}`, `    fix: check the cluster label (--promql-labels cluster=…) and that node_exporter's series reach this API (OTel Container Insights: the amazon-cloudwatch-observability add-on v6.0.1-eksbuild.1 or later)`];
  }
  return [
    `${mark} PromQL ${d.kind} at ${d.url}: ${d.seriesFound} node_exporter receive series for ${d.nodesMatched} of ${d.nodesInInventory} nodes; ${d.podVethSeries} are pod veths (a sum by node over devices counts their bytes twice)`,
    `    labels found: ${d.labelsFound.join(', ')}`,
    ...(d.labelsMissing.length > 0 ? [`    fix: the series lack ${d.labelsMissing.join(', ')}: set --promql-labels to the labels above (docs/sources.md, "Labels")`] : []),
    ...(d.verdict === 'partial' && d.labelsMissing.length === 0 ? [`    fix: ${d.nodesInInventory - d.nodesMatched} node(s) have no series: check that node_exporter runs on every node, and the node label and nodeIdentity (--promql-labels)`] : []),
    `    reads: ${readCost(d)}`,
  ];
}

/** What the source's reads cost a month at this cluster's series (docs/sources.md, "Cost of the reads"). */
function readCost(d: PromqlDetection): string {
  if (d.kind === 'cloudwatch') return 'CloudWatch PromQL queries are free during the preview (docs CloudWatch-PromQL)';
  if (d.kind === 'prometheus') return 'no AWS charge';
  // Receive and transmit, each hour's samples (30 s scrapes and the baseline) read once an hour.
  const samples = (d.seriesFound ?? 0) * 2 * 122 * 730;
  return `about ${samples.toLocaleString('en-US')} query samples processed a month (Amazon Managed Service for Prometheus bills these; the price per sample is on its pricing page)`;
}
