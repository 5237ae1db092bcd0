/** `netrecon reconcile --cluster C --promql-url URL`: the PromQL source's flags (docs/sources.md, "PromQL"). */
import { ConfigError } from '../../core/errors';
import { PROMQL_SETTING_ROWS } from '../../sources/promql/setting-rows';
import type { PromqlLabels } from '../../sources/promql/settings';
import { UsageError } from '../usage';

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

/** A flag through its setting's own check (setting-rows.ts): the CLI refuses what the function would, naming the flag. */
function checked<K extends keyof typeof PROMQL_SETTING_ROWS>(key: K, raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  const spec = PROMQL_SETTING_ROWS[key];
  try {
    return (spec.check as (value: unknown) => unknown)(spec.fromText(raw));
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--${spec.flag} is invalid: ${JSON.stringify(raw)}. ${error.hint}`);
    throw error;
  }
}

export function promqlOptionsOf(values: { [K in keyof typeof PROMQL_OPTIONS]?: string | undefined }): { promql?: PromqlCliOptions } {
  const url = values['promql-url'];
  const others = (Object.keys(PROMQL_OPTIONS) as (keyof typeof PROMQL_OPTIONS)[]).filter((k) => k !== 'promql-url' && values[k] !== undefined);
  if (url === undefined) {
    if (others.length > 0) throw new UsageError(`${others.map((k) => `--${k}`).join(', ')} ${others.length === 1 ? 'needs' : 'need'} --promql-url`, 'Give the query API with --promql-url URL.');
    return {};
  }
  checked('promqlUrl', url);
  const kind = checked('promqlKind', values['promql-kind']) as string | undefined;
  const labels = checked('promqlLabels', values['promql-labels']) as Partial<PromqlLabels> | undefined;
  const temporality = checked('promqlTemporality', values['promql-temporality']) as 'cumulative' | 'delta' | undefined;
  const scrape = checked('promqlScrapeIntervalSeconds', values['promql-scrape-interval']) as number | undefined;
  return {
    promql: {
      url,
      ...(kind === undefined ? {} : { kind }),
      ...(labels === undefined ? {} : { labels }),
      ...(temporality === undefined ? {} : { temporality }),
      ...(scrape === undefined ? {} : { scrapeIntervalSeconds: scrape }),
    },
  };
}
