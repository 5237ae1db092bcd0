/**
 * What the PromQL source needs to know about the API it reads: the kind (how to reach and sign it, which PromQL
 * dialect it speaks) and the label mapping (which label selects the cluster, which identifies the node and how,
 * which names the device). Defaults per kind are in docs/sources.md, "PromQL: labels".
 */
import type { Temporality } from './counter-periods';

export const PROMQL_KINDS = ['prometheus', 'amp', 'cloudwatch'] as const;
export type PromqlKind = (typeof PROMQL_KINDS)[number];

export const isPromqlKind = (x: unknown): x is PromqlKind => typeof x === 'string' && (PROMQL_KINDS as readonly string[]).includes(x);

/**
 * How the node label's value names a node: `instanceId` (the EC2 instance id, CloudWatch's `@resource.host.id`) or
 * `nodeName` (the Kubernetes node name, which on EKS is the instance's PrivateDnsName, matched through the
 * inventory; an `instance` value `NAME:PORT` matches NAME).
 */
export type NodeIdentityKind = 'instanceId' | 'nodeName';

export interface PromqlLabels {
  /** The label that names the cluster, or null when the API holds one cluster only (a per-cluster Prometheus). */
  readonly cluster: string | null;
  readonly node: string;
  readonly nodeIdentity: NodeIdentityKind;
  readonly device: string;
  /** cAdvisor's per-pod series: the pod's namespace and name labels. */
  readonly podNamespace: string;
  readonly podName: string;
  /** cAdvisor's node label (kube-prometheus: `node`; its `instance` is the kubelet's address) and its device label. */
  readonly podNode: string;
  readonly podInterface: string;
}

export interface PromqlSourceSettings {
  readonly kind: PromqlKind;
  /** The API's base URL, up to and without `/api/v1`: `http://prometheus:9090`, `https://aps-workspaces.R.amazonaws.com/workspaces/ws-…`, `https://monitoring.R.amazonaws.com`. */
  readonly url: string;
  /** For SigV4 (amp, cloudwatch). */
  readonly region?: string;
  readonly labels: PromqlLabels;
  readonly temporality: Temporality;
  /** How often the series are scraped or exported; a step longer than 1.5 times this is a gap. */
  readonly scrapeIntervalSeconds: number;
  /** Series one answer may hold (CloudWatch: 500); an answer that reaches it is read again, split. */
  readonly seriesLimit: number;
  /** Nodes named in one selector before any split. */
  readonly nodesPerQuery: number;
  /** The longest range one query selects; longer windows are read in several. */
  readonly maxRangeSeconds: number;
  readonly timeoutMs: number;
  /** Read cAdvisor's per-pod bytes too. */
  readonly pods: boolean;
}

/** CloudWatch's documented cap on series per answer (docs `CloudWatch-PromQL-API-QueryMetrics`, `limit` 1-500). */
export const CLOUDWATCH_SERIES_LIMIT = 500;

export const DEFAULT_LABELS: Readonly<Record<PromqlKind, PromqlLabels>> = {
  cloudwatch: {
    cluster: '@resource.k8s.cluster.name',
    node: '@resource.host.id',
    nodeIdentity: 'instanceId',
    device: 'device',
    podNamespace: '@resource.k8s.namespace.name',
    podName: '@resource.k8s.pod.name',
    podNode: '@resource.host.id',
    podInterface: 'interface',
  },
  amp: { cluster: null, node: 'instance', nodeIdentity: 'nodeName', device: 'device', podNamespace: 'namespace', podName: 'pod', podNode: 'node', podInterface: 'interface' },
  prometheus: { cluster: null, node: 'instance', nodeIdentity: 'nodeName', device: 'device', podNamespace: 'namespace', podName: 'pod', podNode: 'node', podInterface: 'interface' },
};

/** OTel Container Insights exports every 30 s (docs `container-insights-otel-metrics`); kube-prometheus scrapes every 30 s. */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 30;

export function promqlSettings(input: { kind: PromqlKind; url: string; region?: string | undefined } & Partial<Omit<PromqlSourceSettings, 'kind' | 'url' | 'labels' | 'region'>> & { labels?: Partial<PromqlLabels> }): PromqlSourceSettings {
  const { kind, url, region, labels, ...rest } = input;
  return {
    kind,
    url: url.replace(/\/+$/, ''),
    ...(region === undefined ? {} : { region }),
    labels: { ...DEFAULT_LABELS[kind], ...labels },
    temporality: 'cumulative',
    scrapeIntervalSeconds: DEFAULT_SCRAPE_INTERVAL_SECONDS,
    seriesLimit: CLOUDWATCH_SERIES_LIMIT,
    nodesPerQuery: 50,
    maxRangeSeconds: 3600,
    timeoutMs: 30_000,
    pods: true,
    ...rest,
  };
}

/** The resolved run settings' PromQL rows (lambda/settings.ts) as the source's settings, or none without a URL. */
export function promqlSourceOf(
  run: { promqlUrl?: string | undefined; promqlKind?: PromqlKind | undefined; promqlLabels?: Partial<PromqlLabels> | undefined; promqlTemporality?: Temporality | undefined; promqlScrapeIntervalSeconds?: number | undefined },
  region: string | undefined,
): PromqlSourceSettings | undefined {
  if (run.promqlUrl === undefined) return undefined;
  return promqlSettings({
    kind: run.promqlKind ?? kindOfUrl(run.promqlUrl),
    url: run.promqlUrl,
    region,
    ...(run.promqlLabels ? { labels: run.promqlLabels } : {}),
    ...(run.promqlTemporality === undefined ? {} : { temporality: run.promqlTemporality }),
    ...(run.promqlScrapeIntervalSeconds === undefined ? {} : { scrapeIntervalSeconds: run.promqlScrapeIntervalSeconds }),
  });
}

/** The kind a URL most likely is: CloudWatch's and Amazon Managed Service for Prometheus' hosts are fixed. */
export function kindOfUrl(url: string): PromqlKind {
  const host = new URL(url).hostname;
  if (/^monitoring\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host)) return 'cloudwatch';
  if (/^aps-workspaces\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host)) return 'amp';
  return 'prometheus';
}

/** `arn:PARTITION:aps:REGION:ACCOUNT:workspace/ID` parts from a workspace URL, for the construct's IAM; null when it is none. */
export function workspaceOfUrl(url: string): { region: string; workspaceId: string } | null {
  const u = new URL(url);
  const host = /^aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(u.hostname);
  const path = /^\/workspaces\/(ws-[A-Za-z0-9-]+)\/?$/.exec(u.pathname);
  return host && path ? { region: host[1]!, workspaceId: path[1]! } : null;
}
