/**
 * What a CloudWatch agent configured with a given JSON would publish on one node: a model of the agent, written
 * from its sources, so a test can hold the configuration netrecon prints against what discovery reads. Sources
 * (read for this model; docs/agent-config.md cites them):
 * - aws/amazon-cloudwatch-agent translator/translate/metrics/metrics_collect/net/ruleInterfaces.go: a `resources`
 *   list without `*` becomes the Telegraf `net` input's `interfaces`; with `*` (or none) the input's default, every
 *   interface that is up except loopback.
 * - Telegraf plugins/inputs/net/net.go and filter/filter.go: `interfaces` entries are gobwas globs, matched
 *   regardless of the interface's status.
 * - The metric name is the input's name, `_`, the field (`net_bytes_recv`); a measurement may be written either way.
 * - Dimensions: the input's `interface` tag, `metrics.append_dimensions` (`${aws:InstanceId}` resolved by the EC2
 *   tagger), the input's own `append_dimensions`, and `host` unless `agent.omit_hostname` is true
 *   (translator/translate/agent/ruleOmitHostname.go: default false on an instance, true in a container). The EC2
 *   tagger also drops `host`; the model ignores that on purpose, so a configuration that relies on it fails.
 * - Add-on: the Helm chart the add-on is built from (aws-observability/helm-charts, templates/_helpers.tpl,
 *   `cloudwatch-agent.config-modifier`) replaces an `agent` section without `region` by `{region}` when the
 *   configuration enables Container Insights or Application Signals.
 */
import type { AgentConfigTarget } from '../../lambda/agent-config/agent-config';

export interface HostInterface {
  readonly name: string;
  readonly up?: boolean;
  readonly loopback?: boolean;
}

export interface PublishedSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

/** gobwas/glob without separators, as Telegraf compiles `interfaces`: `*` any run, `?` one character, `[…]` a class. */
export function globRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      source += `[${glob.slice(i + 1, end).replace(/^!/, '^')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The interfaces the `net` input reports on a host with these interfaces. */
export function collectedInterfaces(net: Json, host: readonly HostInterface[]): string[] {
  const resources = Array.isArray(net.resources) ? (net.resources as string[]) : undefined;
  if (resources === undefined || resources.includes('*')) return host.filter((i) => i.up !== false && !i.loopback).map((i) => i.name);
  const globs = resources.map(globRegExp);
  return host.filter((i) => globs.some((g) => g.test(i.name))).map((i) => i.name);
}

/** The agent configuration the agent itself ends up with, for the target the JSON was printed for. */
export function effectiveAgentConfig(printed: Json, target: AgentConfigTarget, region = 'eu-west-1'): Json {
  if (target === 'ec2') return printed;
  const config = structuredClone(obj(obj(printed.agent).config));
  const collected = obj(obj(config.logs).metrics_collected);
  if (('kubernetes' in collected || 'application_signals' in collected) && !obj(config.agent).region) config.agent = { region };
  return config;
}

function resolvePlaceholders(dims: Json, instanceId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(dims)) out[k] = v === '${aws:InstanceId}' ? instanceId : String(v);
  return out;
}

/** Every series the agent would publish for the `net` input on one node. */
export function publishedSeries(printed: Json, target: AgentConfigTarget, instanceId: string, host: readonly HostInterface[]): PublishedSeries[] {
  const config = effectiveAgentConfig(printed, target);
  const metrics = obj(config.metrics);
  const net = obj(obj(metrics.metrics_collected).net);
  const omitHostname = obj(config.agent).omit_hostname ?? target === 'addon';
  const fieldNames = (Array.isArray(net.measurement) ? net.measurement : []).map((m: unknown) =>
    typeof m === 'string' ? m : String(obj(m).rename ?? obj(m).name),
  );
  const series: PublishedSeries[] = [];
  for (const iface of collectedInterfaces(net, host)) {
    for (const field of fieldNames) {
      series.push({
        namespace: typeof metrics.namespace === 'string' ? metrics.namespace : 'CWAgent',
        metricName: field.startsWith('net_') ? field : `net_${field}`,
        dimensions: {
          interface: iface,
          ...resolvePlaceholders(obj(metrics.append_dimensions), instanceId),
          ...resolvePlaceholders(obj(net.append_dimensions), instanceId),
          ...(omitHostname === true ? {} : { host: `ip-10-0-0-1.${target}.internal` }),
        },
      });
    }
  }
  return series;
}
