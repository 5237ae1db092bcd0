/**
 * The CloudWatch agent configuration that makes a node's agent publish exactly the series netrecon reads
 * (docs/agent-config.md): `net_bytes_recv` / `net_bytes_sent` in the agent's namespace, one series per interface,
 * dimensions `InstanceId` and `interface` and nothing else. Two profiles (docs/profiles.md): `enis` collects the
 * ENIs only, `full` every interface. Two targets: the agent on the instance (its JSON file), and the Amazon
 * CloudWatch Observability EKS add-on (`--configuration-values`, the agent's JSON under `agent.config`).
 * Pure: no I/O.
 */
import { DEFAULT_SOURCE_SETTINGS } from '../plan/sources';

export const AGENT_CONFIG_PROFILES = ['enis', 'full'] as const;
export type AgentConfigProfile = (typeof AGENT_CONFIG_PROFILES)[number];
export const AGENT_CONFIG_TARGETS = ['ec2', 'addon'] as const;
export type AgentConfigTarget = (typeof AGENT_CONFIG_TARGETS)[number];

/**
 * The ENI names of the physical rules in core/interface-rules.ts, as the agent's `resources` takes them: the agent
 * hands a list without `*` to the Telegraf `net` input as `interfaces`, which matches glob patterns (gobwas/glob:
 * `*` any run of characters). Prefixes, because a glob cannot say "digits only"; none of them matches a pod veth
 * (`eni` + 11 hex has no dash, and `eni*` is deliberately absent). The AL2023 altnames `eni-…` are not listed:
 * /proc/net/dev, which the input reads, names interfaces by their primary name only.
 */
export const ENI_INTERFACE_GLOBS: readonly string[] = ['eth*', 'ens*', 'eno*', 'enp*'];

/** Every interface: the agent then collects every interface that is up, except loopback. */
export const ALL_INTERFACES = '*';

/** The agent's and Container Insights' default publishing interval; netrecon reads the agent at 60 s. */
export const AGENT_COLLECTION_INTERVAL_SECONDS = 60;

/** The placeholder the agent resolves to the instance id from the instance metadata service. */
export const INSTANCE_ID_PLACEHOLDER = '${aws:InstanceId}';

/** The field of a metric name after the `net_` the agent prefixes to the `net` input's fields. */
function measurementOf(metricName: string): string {
  return metricName.replace(/^net_/, '');
}

/** The agent's `metrics` section: namespace, the InstanceId dimension and the `net` input. */
function metricsSection(profile: AgentConfigProfile): Record<string, unknown> {
  const s = DEFAULT_SOURCE_SETTINGS;
  return {
    namespace: s.agentNamespace,
    // Only the fixed `${aws:…}` keys are allowed here; the agent's EC2 tagger fills them in and drops `host`.
    append_dimensions: { [s.agentInstanceDimension]: INSTANCE_ID_PLACEHOLDER },
    metrics_collected: {
      net: {
        resources: profile === 'enis' ? [...ENI_INTERFACE_GLOBS] : [ALL_INTERFACES],
        measurement: [measurementOf(s.agentRxMetric), measurementOf(s.agentTxMetric)],
        metrics_collection_interval: AGENT_COLLECTION_INTERVAL_SECONDS,
      },
    },
  };
}

/**
 * The add-on's default agent configuration (Enhanced Container Insights and Application Signals, as the Helm chart
 * the add-on is built from renders it when `agent.config` is not given). `agent.config` replaces that default as a
 * whole, so it is repeated here: without `logs.metrics_collected.kubernetes` Container Insights, one of netrecon's
 * three sources, would stop.
 */
const ADDON_DEFAULT_AGENT_CONFIG = {
  logs: { metrics_collected: { application_signals: {}, kubernetes: { enhanced_container_insights: true } } },
  traces: { traces_collected: { application_signals: {} } },
} as const;

/**
 * The configuration for `profile`, for an agent on the instance (`ec2`: the agent's JSON file) or for the add-on
 * (`addon`: the value of `aws eks create-addon|update-addon --configuration-values`).
 *
 * The add-on form has no `agent` section: the chart replaces one that has no `region` with `{region}` (so an
 * `omit_hostname` there would be dropped), and the agent omits the host name by default when it runs in a container.
 */
export function agentConfig(profile: AgentConfigProfile, target: AgentConfigTarget): Record<string, unknown> {
  const metrics = metricsSection(profile);
  if (target === 'ec2') {
    return {
      agent: { metrics_collection_interval: AGENT_COLLECTION_INTERVAL_SECONDS, omit_hostname: true },
      metrics,
    };
  }
  return { agent: { config: { ...structuredClone(ADDON_DEFAULT_AGENT_CONFIG), metrics } } };
}

export function isAgentConfigProfile(value: unknown): value is AgentConfigProfile {
  return typeof value === 'string' && (AGENT_CONFIG_PROFILES as readonly string[]).includes(value);
}

export function isAgentConfigTarget(value: unknown): value is AgentConfigTarget {
  return typeof value === 'string' && (AGENT_CONFIG_TARGETS as readonly string[]).includes(value);
}
