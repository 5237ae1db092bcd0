/** `netrecon reconcile --cluster C --promql-url URL`: the PromQL source's flags (docs/sources.md, "PromQL"). */
import { isPromqlKind, PROMQL_KINDS, type PromqlLabels } from '../../sources/promql/settings';
import { UsageError, parseNumberOption } from '../usage';

export const PROMQL_OPTIONS = {
  'promql-url': { type: 'string' },
  'promql-kind': { type: 'string' },
  'promql-labels': { type: 'string' },
  'promql-temporality': { type: 'string' },
  'promql-scrape-interval': { type: 'string' },
} as const;

export const PROMQL_HELP = `  --promql-url URL      read the per-interface counters (node_exporter) from a Prometheus-compatible API
                        instead of the CloudWatch agent: http://prometheus:9090,
                        https://aps-workspaces.REGION.amazonaws.com/workspaces/ID, https://monitoring.REGION.amazonaws.com
  --promql-kind K       prometheus (no signing), amp (SigV4 aps) or cloudwatch (SigV4 monitoring, Prometheus 3
                        syntax); default: from the URL's host
  --promql-labels L     label mapping, KEY=VALUE,...: cluster, node, nodeIdentity (instanceId|nodeName), device,
                        podNode, podNamespace, podName, podInterface; "cluster=" for none (defaults per kind:
                        docs/sources.md)
  --promql-temporality T  cumulative (default; Prometheus counters) or delta
  --promql-scrape-interval SECONDS  how often the series are scraped (default 30); a longer step is a gap`;

export interface PromqlCliOptions {
  readonly url: string;
  readonly kind?: string | undefined;
  readonly labels?: Partial<PromqlLabels>;
  readonly temporality?: 'cumulative' | 'delta';
  readonly scrapeIntervalSeconds?: number;
}

const LABEL_KEYS = ['cluster', 'node', 'nodeIdentity', 'device', 'podNode', 'podNamespace', 'podName', 'podInterface'] as const;

function parseLabels(text: string): Partial<PromqlLabels> {
  const out: Record<string, string | null> = {};
  for (const item of text.split(',').filter((x) => x.trim() !== '')) {
    const eq = item.indexOf('=');
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (eq < 0 || !(LABEL_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`--promql-labels: ${JSON.stringify(item)} is not KEY=VALUE with KEY one of ${LABEL_KEYS.join(', ')}`, 'Example: --promql-labels cluster=cluster,node=node,nodeIdentity=nodeName');
    }
    if (key === 'nodeIdentity' && value !== 'instanceId' && value !== 'nodeName') throw new UsageError(`--promql-labels: nodeIdentity must be instanceId or nodeName; got ${JSON.stringify(value)}`);
    out[key] = key === 'cluster' && value === '' ? null : value;
  }
  return out as Partial<PromqlLabels>;
}

export function promqlOptionsOf(values: { [K in keyof typeof PROMQL_OPTIONS]?: string | undefined }): { promql?: PromqlCliOptions } {
  const url = values['promql-url'];
  const others = (Object.keys(PROMQL_OPTIONS) as (keyof typeof PROMQL_OPTIONS)[]).filter((k) => k !== 'promql-url' && values[k] !== undefined);
  if (url === undefined) {
    if (others.length > 0) throw new UsageError(`${others.map((k) => `--${k}`).join(', ')} ${others.length === 1 ? 'needs' : 'need'} --promql-url`, 'Give the query API with --promql-url URL.');
    return {};
  }
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new UsageError(`--promql-url must be an http(s) URL; got ${JSON.stringify(url)}`, 'Example: --promql-url http://127.0.0.1:9090');
  }
  const kind = values['promql-kind'];
  if (kind !== undefined && !isPromqlKind(kind)) throw new UsageError(`--promql-kind must be one of ${PROMQL_KINDS.join(', ')}; got ${JSON.stringify(kind)}`);
  const temporality = values['promql-temporality'];
  if (temporality !== undefined && temporality !== 'cumulative' && temporality !== 'delta') throw new UsageError(`--promql-temporality must be cumulative or delta; got ${JSON.stringify(temporality)}`);
  const scrape = parseNumberOption('promql-scrape-interval', values['promql-scrape-interval']);
  if (scrape !== undefined && !(Number.isInteger(scrape) && scrape > 0)) throw new UsageError(`--promql-scrape-interval must be a whole number of seconds; got ${scrape}`);
  return {
    promql: {
      url,
      ...(kind === undefined ? {} : { kind }),
      ...(values['promql-labels'] === undefined ? {} : { labels: parseLabels(values['promql-labels']) }),
      ...(temporality === undefined ? {} : { temporality }),
      ...(scrape === undefined ? {} : { scrapeIntervalSeconds: scrape }),
    },
  };
}
