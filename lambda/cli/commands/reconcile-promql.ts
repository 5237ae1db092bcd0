/**
 * What `reconcile --cluster --promql-url` adds to the live run: the pipeline settings with the PromQL source in
 * the agent's place, and the node_exporter naive figure with its explanation in the report (json: `nodeExporter`;
 * table and html: one more note).
 */
import type { ReconcileReport } from '../../core/model';
import type { PipelineSettings } from '../../read-cluster';
import { promqlHandle } from '../../sources/promql/handle';
import { nodeExporterNaive } from '../../sources/promql/naive-sum';
import { topPods, topPodsSentence } from '../../sources/promql/pod-summary';
import { kindOfUrl, promqlSettings } from '../../sources/promql/settings';
import { unwritableLabels } from '../../sources/promql/query-plan';
import { UsageError } from '../usage';
import type { PromqlCliOptions } from './promql-flags';

export function withPromql(settings: PipelineSettings, options: { promql?: PromqlCliOptions | undefined; region?: string | undefined; profile?: string | undefined }): PipelineSettings {
  const p = options.promql;
  if (p === undefined) return settings;
  const kind = (p.kind ?? kindOfUrl(p.url)) as ReturnType<typeof kindOfUrl>;
  const region = options.region ?? process.env.AWS_REGION;
  if (kind !== 'prometheus' && region === undefined) throw new UsageError(`--promql-kind ${kind} is signed with SigV4 for a region`, 'Give --region (or set AWS_REGION).');
  const source = promqlSettings({
    kind,
    url: p.url,
    region,
    ...(p.labels ? { labels: p.labels } : {}),
    ...(p.temporality ? { temporality: p.temporality } : {}),
    ...(p.scrapeIntervalSeconds ? { scrapeIntervalSeconds: p.scrapeIntervalSeconds } : {}),
  });
  const bad = unwritableLabels(source);
  if (bad.length > 0) {
    throw new UsageError(`--promql-labels: ${JSON.stringify(bad[0])} is not a classic PromQL label name, and a ${kind} API takes no other`, 'Quoted UTF-8 names (@resource.…) are CloudWatch\'s: use --promql-kind cloudwatch, or the label your Prometheus has.');
  }
  return {
    ...settings,
    // OTel Container Insights publishes no node_network_total_bytes: its absence is no finding here.
    reconcile: { ...settings.reconcile, containerInsightsExpected: false },
    promql: { ...promqlHandle(source, { profile: options.profile }), collected: { pods: [], queries: 0, samples: 0 } },
  };
}

export function promqlReportParts(report: ReconcileReport, settings: PipelineSettings): { json: Record<string, unknown>; notes: string[] } {
  if (settings.promql === undefined) return { json: {}, notes: [] };
  const naive = nodeExporterNaive(report);
  const c = settings.promql.reader.counters;
  const collected = settings.promql.collected;
  const source = { kind: settings.promql.settings.kind, url: settings.promql.settings.url, queries: collected?.queries ?? null, samples: collected?.samples ?? null, requests: c.requests, retries: c.retries, bytesRead: c.bytes };
  const pods = collected ? topPods(collected.pods, report) : [];
  const podNote = topPodsSentence(pods);
  const podNotes = podNote === null ? [] : [podNote];
  if (naive === null) return { json: { promql: source, nodeExporter: null, pods }, notes: ['No node-period has both node_exporter devices and EC2: the naive node_exporter sum cannot be compared.', ...podNotes] };
  const { explanation, ...figures } = naive;
  return { json: { promql: source, nodeExporter: { ...figures, explanation }, pods }, notes: [explanation, ...podNotes] };
}
