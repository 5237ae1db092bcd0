/**
 * Reading what `netrecon doctor` diagnoses, read-only: the instances of the node filter and of both cluster tag
 * conventions (DescribeInstances), the cluster's Container Insights series and every agent net_bytes series of the
 * account (ListMetrics, recently active), and one small GetMetricData over the last 15 minutes: per node the
 * Container Insights traffic series, node_number_of_running_pods, and one agent series asked twice, without a
 * unit and with Unit Bytes (ListMetrics does not return units; a query with a unit returns only data stored in
 * that unit, docs/doctor.md). Then the last hour, reconciled by the pipeline (reconcileLastHour). Progress on the
 * runtime's progress line.
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AwsRuntime } from './aws/api';
import { listSeries } from './aws/discovery';
import { readQueries } from './aws/get-metric-data';
import { describeMatchingInstances, parseNodeFilter, type InstanceFacts } from './aws/inventory';
import { classifyInterface } from './core/interface-rules';
import { FRESH_SECONDS } from './doctor/checks/context';
import { DEFAULT_NODE_FILTER, K8S_TAG_NODE_FILTER } from './doctor/fixes';
import type { DoctorInstance, DoctorObservations, DoctorSettings, ListedSeries, NodeProbe } from './doctor/model';
import { GET_METRIC_DATA_MAX_QUERIES } from './plan/limits';
import { DIMENSION } from './output-metrics';
import type { ReconcileReport } from './core/model';
import { isoOf } from './core/units';
import { runCluster } from './pipeline';
import { lastHourOfClosedPeriods } from './plan/pending-periods';
import { serverTime } from './aws/server-clock';
import type { PipelineSettings } from './read-cluster';

/** Container Insights' pod count per node (same dimensions as its node_network series). */
export const RUNNING_PODS_METRIC = 'node_number_of_running_pods';
const PROBE_PERIOD_SECONDS = 60;

export interface DoctorReadRequest {
  readonly cluster: string;
  readonly region: string;
  readonly settings: DoctorSettings;
  readonly nowSeconds: number;
}

function instanceOf(i: InstanceFacts, cluster: string): DoctorInstance {
  return {
    instanceId: i.instanceId,
    ...(i.nodeName ? { nodeName: i.nodeName } : {}),
    ...(i.monitoring ? { monitoring: i.monitoring } : {}),
    eniCount: i.eniCount,
    eksTag: i.eksClusterName === cluster,
    k8sTag: i.tagKeys.includes(`kubernetes.io/cluster/${cluster}`),
  };
}

const dims = (d: Readonly<Record<string, string>>) => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));

export async function readDoctorObservations(rt: AwsRuntime, request: DoctorReadRequest): Promise<DoctorObservations> {
  const { cluster, settings } = request;
  const src = settings.sources;
  const nodes = (await describeMatchingInstances(rt, parseNodeFilter(settings.nodeFilter), cluster)).map((i) => instanceOf(i, cluster));
  const known = new Set(nodes.map((n) => n.instanceId));
  const otherConvention: DoctorInstance[] = [];
  for (const filter of [DEFAULT_NODE_FILTER, K8S_TAG_NODE_FILTER].filter((f) => f !== settings.nodeFilter)) {
    for (const i of await describeMatchingInstances(rt, parseNodeFilter(filter), cluster)) {
      if (known.has(i.instanceId)) continue;
      known.add(i.instanceId);
      otherConvention.push(instanceOf(i, cluster));
    }
  }
  rt.progress(`${nodes.length.toLocaleString('en-US')} nodes match ${settings.nodeFilter}; ${otherConvention.length} more carry the other cluster tag`);

  const containerInsightsSeries = await listSeries(rt, {
    namespace: src.containerInsightsNamespace,
    metricName: src.containerInsightsMetric,
    dimensions: [{ name: DIMENSION.cluster, value: cluster }],
    recentlyActive: true,
    label: 'listing Container Insights series',
  });
  // Without a dimension filter: series lacking the instance dimension are what doctor looks for.
  const agentSeries: ListedSeries[] = [];
  for (const metricName of [src.agentRxMetric, src.agentTxMetric]) {
    const listed = await listSeries(rt, { namespace: src.agentNamespace, metricName, recentlyActive: true, label: `listing agent series (~${(nodes.length * 2).toLocaleString('en-US')}+ expected)` });
    // A loop, not push(...listed): an account can list more series (150,000 seen) than a call takes arguments.
    for (const s of listed) agentSeries.push(s);
  }
  rt.progress(`listed ${containerInsightsSeries.length.toLocaleString('en-US')} Container Insights and ${agentSeries.length.toLocaleString('en-US')} agent series`);

  const probes = await probeNodes(rt, request, nodes, agentSeries);
  return { cluster, region: request.region, nowSeconds: request.nowSeconds, nodes, otherConvention, containerInsightsSeries, agentSeries, probes, settings };
}

/** The agent series probed for a node: an ENI's rx series when there is one (the likeliest to carry data). */
function probedAgentSeries(nodeId: string, agentSeries: readonly ListedSeries[], settings: DoctorSettings): ListedSeries | undefined {
  const src = settings.sources;
  const own = agentSeries.filter((s) => s.dimensions[src.agentInstanceDimension] === nodeId && s.dimensions[src.agentInterfaceDimension] !== undefined);
  return own.find((s) => s.metricName === src.agentRxMetric && classifyInterface(s.dimensions[src.agentInterfaceDimension]!, settings.rules).interfaceClass === 'physical') ?? own[0];
}

async function probeNodes(rt: AwsRuntime, request: DoctorReadRequest, nodes: readonly DoctorInstance[], agentSeries: readonly ListedSeries[]): Promise<Map<string, NodeProbe>> {
  const { cluster, settings } = request;
  const src = settings.sources;
  const endSeconds = Math.ceil(request.nowSeconds / PROBE_PERIOD_SECONDS) * PROBE_PERIOD_SECONDS;
  const startSeconds = endSeconds - FRESH_SECONDS;
  const queries: MetricDataQuery[] = [];
  const stat = (id: string, namespace: string, metricName: string, d: Readonly<Record<string, string>>, s: string, unit?: 'Bytes'): MetricDataQuery => ({
    Id: id,
    MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dims(d) }, Period: PROBE_PERIOD_SECONDS, Stat: s, ...(unit ? { Unit: unit } : {}) },
    ReturnData: true,
  });
  const probedInterface = new Map<number, string>();
  nodes.forEach((n, i) => {
    if (n.nodeName) {
      const ci = { [DIMENSION.cluster]: cluster, [DIMENSION.instanceId]: n.instanceId, [DIMENSION.nodeName]: n.nodeName };
      queries.push(stat(`c${i}`, src.containerInsightsNamespace, src.containerInsightsMetric, ci, 'Average'));
      queries.push(stat(`p${i}`, src.containerInsightsNamespace, RUNNING_PODS_METRIC, ci, 'Maximum'));
    }
    const agent = probedAgentSeries(n.instanceId, agentSeries, settings);
    if (agent) {
      probedInterface.set(i, agent.dimensions[src.agentInterfaceDimension]!);
      queries.push(stat(`a${i}`, src.agentNamespace, agent.metricName, agent.dimensions, 'SampleCount'));
      queries.push(stat(`b${i}`, src.agentNamespace, agent.metricName, agent.dimensions, 'SampleCount', 'Bytes'));
    }
  });
  const answers = await readQueries(
    rt,
    queries,
    { startSeconds, endSeconds, datapointsPerQuery: FRESH_SECONDS / PROBE_PERIOD_SECONDS, maxQueries: GET_METRIC_DATA_MAX_QUERIES },
    `probing the last ${FRESH_SECONDS / 60} minutes of ${nodes.length.toLocaleString('en-US')} nodes`,
  );
  const newest = (id: string): { at: number; value: number } | null => {
    const a = answers.get(id);
    if (!a || a.timestampsSeconds.length === 0) return null;
    let k = 0;
    for (let j = 1; j < a.timestampsSeconds.length; j++) if (a.timestampsSeconds[j]! > a.timestampsSeconds[k]!) k = j;
    return { at: a.timestampsSeconds[k]!, value: a.values[k]! };
  };
  const probes = new Map<string, NodeProbe>();
  nodes.forEach((n, i) => {
    const iface = probedInterface.get(i);
    probes.set(n.instanceId, {
      ...(n.nodeName ? { containerInsightsLastSeconds: newest(`c${i}`)?.at ?? null, runningPods: newest(`p${i}`)?.value ?? null } : {}),
      ...(iface === undefined ? {} : { agentLastSeconds: newest(`a${i}`)?.at ?? null, agentBytesUnit: newest(`b${i}`) !== null, agentProbeInterface: iface }),
    });
  });
  return probes;
}

export interface LastHourRequest {
  readonly cluster: string;
  readonly region: string;
  /** The pipeline's settings with the profile doctor judges against (lambda/cli/commands/live.ts, liveSettings). */
  readonly settings: PipelineSettings;
  readonly now: Date;
}

/**
 * The last hour of closed periods reconciled exactly as `netrecon reconcile --cluster NAME --dry-run` reconciles
 * it (the pipeline's own read path, lambda/pipeline.ts: inventory, agent discovery, the ledger, GetMetricData,
 * validation, the core's reconcile), so doctor's "Ready" is that run's verdict, not a second opinion.
 * Nothing is published. Null when the window holds no closed period.
 */
export async function reconcileLastHour(rt: AwsRuntime, request: LastHourRequest): Promise<ReconcileReport | null> {
  // By the service's clock, as reconcile's own default hour (docs/aws.md, "Whose clock decides what is closed"):
  // doctor's reads before this one have told the SDK clients the offset.
  const now = serverTime(rt.serverClock, request.now);
  const window = lastHourOfClosedPeriods(now.getTime() / 1000, request.settings.schedule.lagSeconds, request.settings.reconcile.periodSeconds);
  rt.progress(`reconciling the last hour (${isoOf(window.startSeconds)} .. ${isoOf(window.endSeconds)}) as ${request.settings.reconcile.sourceProfile}, as reconcile --dry-run would`);
  const result = await runCluster({
    rt,
    cluster: request.cluster,
    settings: request.settings,
    window: { kind: 'manual', ...window },
    now: request.now,
    mode: 'dryRun',
    reportWholeWindow: true,
    region: request.region,
  });
  return result.report;
}
