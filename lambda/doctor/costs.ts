/**
 * What each source profile costs a month on this cluster, at us-east-1 list prices (lambda/plan/pricing.ts; free
 * tiers left out, so an upper bound): netrecon's own reads, requests, published metrics, alarms and dashboard, and
 * the agent's `net_bytes_*` series. The agent series are the nodes' real ones where the profile keeps the agent as
 * it is; where it needs another agent configuration they are estimated (ENIs only: 2 per ENI; every interface: 2 per
 * ENI, pod veth and `lo`, one veth per running pod) and the cost says it is an estimate. How it is computed:
 * docs/doctor.md, "Costs". Pure.
 */
import { NODE_PROFILE_CAPABILITIES, SOURCE_PROFILES, clusterCapabilities, nodeProfileOf, type NodeProfile, type SourceProfile } from '../core/source-profile';
import { HOURS_PER_MONTH, PRICES_USD } from '../plan/pricing';
import { LIST_METRICS_PAGE_SIZE, PUT_METRIC_DATA_MAX_METRICS } from '../plan/limits';
import type { AgentView } from './agent-view';
import { interfaceClassesOf } from './interface-classes';
import type { DoctorObservations, ProfileCost, PromqlCoverage } from './model';
import { publishedMetricCount } from './published-metrics';
import { classifyInterface } from '../core/interface-rules';

/** A cluster's alarm metrics (standard alarms; a math alarm pays per metric it reads) under a profile (lib/alarms.ts). */
export function alarmUsdPerMonth(profile: SourceProfile): number {
  const can = clusterCapabilities(profile);
  const metrics =
    (can.ec2Check ? 2 : 0) + // EC2 discrepancy: ratio and complete EC2 bytes
    (can.agentRequired ? 1 : 0) + // agent coverage
    (can.residual ? 2 : 0) + // residual: residual and complete Container Insights bytes (residualAlarm defaults on)
    1 + // heartbeat
    1; // the function-errors alarm, one per stack: a stack for this cluster alone pays it
  return metrics * PRICES_USD.alarmMetricMonth + PRICES_USD.compositeAlarmMonth;
}

export interface AgentSeriesEstimate {
  readonly series: number;
  readonly estimated: boolean;
}

/** The agent `net_bytes_*` series one node would publish under a node profile. */
export function nodeAgentSeries(
  profile: NodeProfile,
  node: { readonly eniCount: number; readonly runningPods: number | null | undefined },
  current: { readonly physical: number; readonly all: number; readonly resolvesTo: NodeProfile },
): AgentSeriesEstimate {
  if (profile === 'agentless') return { series: 0, estimated: false };
  if (profile === 'enis') {
    if (current.physical > 0) return { series: current.physical, estimated: false };
    return { series: 2 * node.eniCount, estimated: true };
  }
  if (current.resolvesTo === 'full') return { series: current.all, estimated: false };
  return { series: 2 * (node.eniCount + (node.runningPods ?? 0) + 1), estimated: true };
}

export interface ClusterSeries {
  /** EC2 and Container Insights series netrecon reads per read. */
  readonly awsSeries: number;
  readonly agentSeries: number;
  readonly estimated: boolean;
}

/** Every series netrecon reads per read, and the agent series the nodes publish, under a profile. */
export function clusterSeries(
  profile: SourceProfile,
  obs: Pick<DoctorObservations, 'nodes' | 'probes' | 'settings'>,
  agent: AgentView,
  mixedNodeProfiles: ReadonlyMap<string, NodeProfile>,
  /** Nodes whose agent runs in a pod's network namespace: what it lists says nothing of what a fixed agent would. */
  misplacedAgents: ReadonlySet<string> = new Set(),
): ClusterSeries {
  let awsSeries = 0;
  let agentSeries = 0;
  let estimated = false;
  for (const n of obs.nodes) {
    awsSeries += 2 + (n.nodeName ? 1 : 0);
    const listed = agent.byInstance.get(n.instanceId);
    const a = profile !== 'mixed' && misplacedAgents.has(n.instanceId) ? undefined : listed;
    const physical = a ? a.series.filter((s) => classifyInterface(s.dimensions[obs.settings.sources.agentInterfaceDimension] ?? '', obs.settings.rules).interfaceClass === 'physical').length : 0;
    const resolvesTo: NodeProfile = a === undefined ? 'agentless' : (mixedNodeProfiles.get(n.instanceId) ?? nodeProfileOf('mixed', interfaceClassesOf(a.interfaces, obs.settings.rules)));
    // Under mixed each node keeps what it publishes now.
    const nodeProfile: NodeProfile = profile === 'mixed' ? resolvesTo : profile;
    const current = { physical, all: a?.series.length ?? 0, resolvesTo };
    const s = profile === 'mixed' ? { series: current.all, estimated: false } : nodeAgentSeries(nodeProfile, { eniCount: n.eniCount, runningPods: obs.probes.get(n.instanceId)?.runningPods }, current);
    agentSeries += s.series;
    estimated ||= s.estimated;
  }
  return { awsSeries, agentSeries, estimated };
}

/** What netrecon publishes under a profile; under mixed, what the nodes' current agents make computable. */
function published(profile: SourceProfile, mixedNodeProfiles: ReadonlyMap<string, NodeProfile>): number {
  if (profile !== 'mixed') return publishedMetricCount(clusterCapabilities(profile));
  const caps = [...new Set(mixedNodeProfiles.values())].map((p) => NODE_PROFILE_CAPABILITIES[p]);
  return publishedMetricCount({
    podFromVeths: caps.some((c) => c.podFromVeths),
    ec2Check: caps.some((c) => c.ec2Check),
    residual: caps.some((c) => c.residual),
    readsAgent: true,
  });
}

const cents = (usd: number): number => Math.round(usd * 100) / 100;

type CostSettings = Pick<DoctorObservations['settings'], 'periodSeconds' | 'periodsPerRead' | 'scheduleMinutes'>;

const readsPerMonthOf = (settings: CostSettings): number => (HOURS_PER_MONTH * 3600) / (settings.periodSeconds * settings.periodsPerRead);

/**
 * `counters`: where the per-interface counters come from. From PromQL, netrecon neither lists nor reads agent series
 * (what it pays the PromQL API is promqlReadsUsdPerMonth, added by the caller).
 */
export function netreconUsdPerMonth(profile: SourceProfile, series: ClusterSeries, publishedMetrics: number, settings: CostSettings, counters: 'agent' | 'promql' = 'agent'): number {
  const readsPerMonth = readsPerMonthOf(settings);
  const runsPerMonth = (HOURS_PER_MONTH * 60) / settings.scheduleMinutes;
  const readsAgent = counters === 'agent' && clusterCapabilities(profile).readsAgent;
  const seriesPerRead = series.awsSeries + (readsAgent ? series.agentSeries : 0);
  // Every run reads the ledger (one metric); a reading run reads every series once, whatever the periods it covers.
  const getMetricData = (seriesPerRead * readsPerMonth + runsPerMonth) * PRICES_USD.getMetricDataPerMetric;
  // Discovery lists the rx and the tx metric, 500 series a page.
  const listMetrics = readsAgent ? readsPerMonth * 2 * Math.max(1, Math.ceil(series.agentSeries / 2 / LIST_METRICS_PAGE_SIZE)) : 0;
  // A heartbeat every run; the periods of a read in requests of up to 1,000 datums.
  const puts = runsPerMonth + readsPerMonth * Math.ceil((publishedMetrics * settings.periodsPerRead) / PUT_METRIC_DATA_MAX_METRICS);
  const requests = (listMetrics + puts) * PRICES_USD.apiRequest;
  return getMetricData + requests + publishedMetrics * PRICES_USD.customMetricMonth + alarmUsdPerMonth(profile) + PRICES_USD.dashboardMonth;
}

export function profileCosts(
  obs: Pick<DoctorObservations, 'nodes' | 'probes' | 'settings'>,
  agent: AgentView,
  mixedNodeProfiles: ReadonlyMap<string, NodeProfile>,
  misplacedAgents: ReadonlySet<string> = new Set(),
): ProfileCost[] {
  return SOURCE_PROFILES.map((profile) => {
    const series = clusterSeries(profile, obs, agent, mixedNodeProfiles, misplacedAgents);
    const netrecon = cents(netreconUsdPerMonth(profile, series, published(profile, mixedNodeProfiles), obs.settings));
    const agentUsd = cents(series.agentSeries * PRICES_USD.customMetricMonth);
    return { sourceProfile: profile, netreconUsdPerMonth: netrecon, agentUsdPerMonth: agentUsd, totalUsdPerMonth: cents(netrecon + agentUsd), estimated: series.estimated };
  });
}

/**
 * The query samples the PromQL source processes a month: each read selects every series' raw samples over its
 * window and one gap before it ((start − 1.5 scrapes, end], lambda/sources/promql/query-plan.ts), receive and
 * transmit, at most ⌈(window + gap) / scrape⌉ samples a series. The scheduled function reads no cAdvisor series.
 */
export function promqlSamplesPerMonth(promql: Pick<PromqlCoverage, 'receiveSeries' | 'scrapeIntervalSeconds'>, settings: CostSettings): number {
  const windowSeconds = settings.periodSeconds * settings.periodsPerRead;
  const gapSeconds = Math.ceil(1.5 * promql.scrapeIntervalSeconds);
  const samplesPerSeries = Math.ceil((windowSeconds + gapSeconds) / promql.scrapeIntervalSeconds);
  return 2 * promql.receiveSeries * samplesPerSeries * readsPerMonthOf(settings);
}

/** What the PromQL API charges for those samples: AMP per sample processed, CloudWatch nothing during the preview, a Prometheus of your own nothing to netrecon. */
export function promqlReadsUsdPerMonth(promql: Pick<PromqlCoverage, 'kind' | 'receiveSeries' | 'scrapeIntervalSeconds'>, settings: CostSettings): number {
  const perSample = promql.kind === 'amp' ? PRICES_USD.ampQuerySample : promql.kind === 'cloudwatch' ? PRICES_USD.cloudWatchPromqlSample : 0;
  return promqlSamplesPerMonth(promql, settings) * perSample;
}

/**
 * The profiles that read per-interface counters (enis, full, mixed) with those counters from PromQL: no agent
 * series to pay or read, the PromQL reads priced instead. Under mixed each node resolves as its node_exporter
 * devices say (PromqlCoverage.nodeProfiles); agentless reads no counters, so it has no PromQL row.
 */
export function promqlProfileCosts(obs: Pick<DoctorObservations, 'nodes' | 'settings'>, promql: PromqlCoverage): ProfileCost[] {
  const awsSeries = obs.nodes.reduce((sum, n) => sum + 2 + (n.nodeName ? 1 : 0), 0);
  const readsUsd = promqlReadsUsdPerMonth(promql, obs.settings);
  return (['enis', 'full', 'mixed'] as const).map((profile) => {
    const netrecon = netreconUsdPerMonth(profile, { awsSeries, agentSeries: 0, estimated: false }, published(profile, promql.nodeProfiles), obs.settings, 'promql') + readsUsd;
    return { sourceProfile: profile, netreconUsdPerMonth: cents(netrecon), agentUsdPerMonth: 0, totalUsdPerMonth: cents(netrecon), estimated: false, counters: 'promql', promqlReadsUsdPerMonth: cents(readsUsd) };
  });
}
