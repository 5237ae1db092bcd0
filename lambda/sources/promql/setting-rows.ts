/**
 * The PromQL source's rows of the settings table (lambda/settings.ts spreads them into RUN_SETTINGS): one name, one
 * variable, one flag and one check each, shared by the construct, the function and the CLI.
 */
import { ConfigError } from '../../core/errors';
import type { SettingSpec } from '../../setting-spec';
import { isPromqlKind, PROMQL_KINDS, type PromqlLabels } from './settings';

const text = (raw: string): unknown => raw.trim();
const optionalText = (raw: string): unknown => (raw.trim() === '' ? undefined : raw.trim());
const LABEL_KEYS = ['cluster', 'node', 'nodeIdentity', 'device', 'podNode', 'podNamespace', 'podName', 'podInterface'] as const;

/** `KEY=VALUE,...` (or an object of them) into label overrides; `cluster=` means no cluster label. */
export function parsePromqlLabels(value: unknown): Partial<PromqlLabels> {
  const hint = `Use KEY=VALUE pairs separated by commas, KEY one of ${LABEL_KEYS.join(', ')} (nodeIdentity: instanceId or nodeName), e.g. node=node,nodeIdentity=nodeName.`;
  const pairs: [string, unknown][] =
    typeof value === 'string'
      ? value
          .split(',')
          .filter((x) => x.trim() !== '')
          .map((item) => {
            const eq = item.indexOf('=');
            if (eq < 0) throw new ConfigError('promqlLabels', value, hint);
            return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
          })
      : typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value)
        : (() => {
            throw new ConfigError('promqlLabels', value, hint);
          })();
  const out: Record<string, string | null> = {};
  for (const [key, v] of pairs) {
    if (!(LABEL_KEYS as readonly string[]).includes(key) || (typeof v !== 'string' && !(key === 'cluster' && v === null))) throw new ConfigError('promqlLabels', value, hint);
    if (key === 'nodeIdentity' && v !== 'instanceId' && v !== 'nodeName') throw new ConfigError('promqlLabels', value, hint);
    out[key] = key === 'cluster' && (v === '' || v === null) ? null : (v as string);
  }
  return out as Partial<PromqlLabels>;
}

type Row = SettingSpec<Record<string, unknown>>;

export const PROMQL_SETTING_ROWS = {
  promqlUrl: {
    key: 'promqlUrl',
    env: 'NETRECON_PROMQL_URL',
    flag: 'promql-url',
    default: undefined,
    defaultDoc: 'none (the CloudWatch agent)',
    doc: 'Read the per-interface counters (node_exporter) from this Prometheus-compatible query API instead of the CloudWatch agent: CloudWatch (`https://monitoring.REGION.amazonaws.com`), a workspace (`https://aps-workspaces.REGION.amazonaws.com/workspaces/ID`) or any Prometheus; docs/sources.md.',
    fromText: optionalText,
    check: (value) => {
      if (value === undefined) return undefined;
      let ok = false;
      try {
        const u = new URL(String(value));
        ok = typeof value === 'string' && (u.protocol === 'http:' || u.protocol === 'https:');
      } catch {
        ok = false;
      }
      if (!ok) throw new ConfigError('promqlUrl', value, 'Use an http(s) URL up to, without, /api/v1, e.g. http://prometheus.monitoring:9090.');
      return value;
    },
  },
  promqlKind: {
    key: 'promqlKind',
    env: 'NETRECON_PROMQL_KIND',
    flag: 'promql-kind',
    default: undefined,
    defaultDoc: "from promqlUrl's host",
    doc: 'How the PromQL API is reached and which syntax it speaks: `prometheus` (no signing), `amp` (SigV4 `aps`), `cloudwatch` (SigV4 `monitoring`, Prometheus 3 quoted names).',
    fromText: optionalText,
    check: (value) => {
      if (value === undefined || isPromqlKind(value)) return value;
      throw new ConfigError('promqlKind', value, `Use one of ${PROMQL_KINDS.join(', ')}, or leave it unset to take it from the URL.`);
    },
  },
  promqlLabels: {
    key: 'promqlLabels',
    env: 'NETRECON_PROMQL_LABELS',
    flag: 'promql-labels',
    default: undefined,
    defaultDoc: 'per kind (docs/sources.md)',
    doc: 'The PromQL label mapping, `KEY=VALUE,...`: cluster, node, nodeIdentity (instanceId or nodeName), device, podNode, podNamespace, podName, podInterface.',
    // The construct writes the checked object as JSON (lib/environment.ts); a person writes KEY=VALUE pairs.
    fromText: (raw) => {
      const t = raw.trim();
      if (!t.startsWith('{')) return optionalText(raw);
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t;
      }
    },
    check: (value) => (value === undefined ? undefined : parsePromqlLabels(value)),
  },
  promqlTemporality: {
    key: 'promqlTemporality',
    env: 'NETRECON_PROMQL_TEMPORALITY',
    flag: 'promql-temporality',
    // Unset by default, so a stack without promqlUrl has no PromQL variable at all.
    default: undefined,
    defaultDoc: '`cumulative`',
    doc: "`cumulative` (Prometheus counters) or `delta` (each value is the bytes since the previous): how the PromQL counters' values are read.",
    fromText: text,
    check: (value) => {
      if (value === undefined || value === 'cumulative' || value === 'delta') return value;
      throw new ConfigError('promqlTemporality', value, 'Use cumulative or delta (default cumulative).');
    },
  },
  promqlScrapeIntervalSeconds: {
    key: 'promqlScrapeIntervalSeconds',
    env: 'NETRECON_PROMQL_SCRAPE_INTERVAL_SECONDS',
    flag: 'promql-scrape-interval',
    default: undefined,
    defaultDoc: '`30`',
    doc: 'How often the PromQL series are scraped or exported; a step longer than 1.5 times this is a gap (a partial period).',
    fromText: (raw) => (raw.trim() === '' ? raw : Number(raw)),
    check: (value) => {
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 3600) throw new ConfigError('promqlScrapeIntervalSeconds', value, 'Use a whole number of seconds from 1 to 3600 (default 30).');
      return value;
    },
  },
} satisfies Record<string, Row>;
