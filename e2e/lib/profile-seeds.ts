/**
 * Seeds the clusters of seed-clusters.ts into the emulator in one batch, on a shared timeline: in minute k each
 * counter moves its minute-0 value + GROWTH_BYTES_PER_MINUTE·k and each Container Insights rate its value + k, so a
 * period read one minute off, or a Sum read as an Average, shows.
 */
import type { CloudWatchClient, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { DEFAULT_SOURCE_SETTINGS as SOURCE } from '../../lambda/plan/sources';
import { MINUTE_SECONDS, PERIOD_SECONDS } from './cluster-model';
import { EKS_NODE_IMAGE, putDatums, type Datum } from './seed';
import type { AgentDimensions, SeedClusterSpec, SeedNodeSpec } from './seed-clusters';

export const GROWTH_BYTES_PER_MINUTE = 100;
/** Container Insights' `node_number_of_running_pods`, the series doctor reads to know a node runs pods. */
export const RUNNING_PODS_METRIC = 'node_number_of_running_pods';
/**
 * A stale agent's datapoints lie this many minutes before now, never later (doctor: none in the last 15 minutes).
 * moto quirk: ListMetrics ignores RecentlyActive and lists a series whatever its age. Inside 3 hours CloudWatch
 * lists it too under RecentlyActive=PT3H, so this window keeps moto's answer the same as CloudWatch's.
 */
export const STALE_MINUTES_AGO = { newest: 35, oldest: 55 } as const;

export interface SeededSpecNode {
  readonly spec: SeedNodeSpec;
  readonly instanceId: string;
  /** PrivateDnsName: Container Insights' NodeName and the agent's `host`. */
  readonly nodeName: string;
}

export interface SeededSpecCluster {
  readonly spec: SeedClusterSpec;
  readonly nodes: readonly SeededSpecNode[];
}

/** The shared timeline: minute k is at startEpochSeconds + 60·k; the last minute closed before seeding. */
export interface Timeline {
  readonly startEpochSeconds: number;
  readonly minutes: number;
  /** The whole periods `reconcile` reads: [start, start + periods·300). */
  readonly reconcilePeriods: number;
}

/** The timeline for a seed made now: `reconcilePeriods` whole periods closed at least `lagSeconds` ago, then every minute up to the last closed one. */
export function timelineFor(nowEpochSeconds: number, reconcilePeriods: number, lagSeconds: number): Timeline {
  const endEpochSeconds = Math.floor((nowEpochSeconds - lagSeconds) / PERIOD_SECONDS) * PERIOD_SECONDS;
  const startEpochSeconds = endEpochSeconds - reconcilePeriods * PERIOD_SECONDS;
  const lastClosedMinute = Math.floor(nowEpochSeconds / MINUTE_SECONDS) * MINUTE_SECONDS - MINUTE_SECONDS;
  return { startEpochSeconds, minutes: (lastClosedMinute - startEpochSeconds) / MINUTE_SECONDS + 1, reconcilePeriods };
}

/** A counter's bytes in minute k. */
export const bytesAt = (minute0: number, k: number): number => minute0 + GROWTH_BYTES_PER_MINUTE * k;
/** A Container Insights rate (Bytes/Second) in minute k. */
export const rateAt = (minute0: number, k: number): number => minute0 + k;

function tagsOf(cluster: SeedClusterSpec) {
  const kubernetes = { Key: `kubernetes.io/cluster/${cluster.name}`, Value: 'owned' };
  return cluster.tags === 'both' ? [{ Key: 'eks:cluster-name', Value: cluster.name }, kubernetes] : [kubernetes];
}

/** One RunInstances per cluster (its nodes share their tags), detailed monitoring on: one EC2 datapoint a minute. */
async function launchCluster(ec2: EC2Client, cluster: SeedClusterSpec): Promise<SeededSpecCluster> {
  const answer = await ec2.send(
    new RunInstancesCommand({
      ImageId: EKS_NODE_IMAGE,
      InstanceType: 'm5.large',
      MinCount: cluster.nodes.length,
      MaxCount: cluster.nodes.length,
      Monitoring: { Enabled: true },
      TagSpecifications: [{ ResourceType: 'instance', Tags: tagsOf(cluster) }],
    }),
  );
  const instances = answer.Instances ?? [];
  if (instances.length !== cluster.nodes.length || instances.some((i) => !i.InstanceId || !i.PrivateDnsName)) {
    throw new Error(`RunInstances for ${cluster.name} returned ${instances.length} instances of ${cluster.nodes.length}, or one without id or PrivateDnsName`);
  }
  return { spec: cluster, nodes: cluster.nodes.map((spec, i) => ({ spec, instanceId: instances[i]!.InstanceId!, nodeName: instances[i]!.PrivateDnsName! })) };
}

function agentDimensions(kind: AgentDimensions, node: SeededSpecNode, iface: string): Record<string, string> {
  const byInterface = { [SOURCE.agentInterfaceDimension]: iface };
  if (kind === 'hostAndInterface') return { host: node.nodeName, ...byInterface };
  const base = { [SOURCE.agentInstanceDimension]: node.instanceId, ...byInterface };
  return kind === 'instanceInterfaceHostAsg' ? { ...base, host: node.nodeName, AutoScalingGroupName: `eks-ng-${node.spec.key}-4ac6` } : base;
}

function datumsOf(cluster: SeededSpecCluster, timeline: Timeline, nowEpochSeconds: number): { datums: Datum[]; series: number } {
  const out: Datum[] = [];
  let series = 0;
  const minuteAt = (k: number) => new Date((timeline.startEpochSeconds + k * MINUTE_SECONDS) * 1000);
  const add = (namespace: string, name: string, dims: Record<string, string>, unit: StandardUnit, valueAt: (k: number) => number, at = minuteAt, minutes = timeline.minutes) => {
    series += 1;
    const Dimensions = Object.entries(dims).map(([Name, Value]) => ({ Name, Value }));
    for (let k = 0; k < minutes; k += 1) out.push({ namespace, MetricName: name, Dimensions, Unit: unit, Value: valueAt(k), Timestamp: at(k) });
  };
  // The stale agent's minutes: STALE_MINUTES_AGO.oldest .. newest minutes before the last whole minute, none later.
  const staleMinutes = STALE_MINUTES_AGO.oldest - STALE_MINUTES_AGO.newest + 1;
  const staleAt = (k: number) => new Date((Math.floor(nowEpochSeconds / MINUTE_SECONDS) - STALE_MINUTES_AGO.oldest + k) * MINUTE_SECONDS * 1000);

  for (const node of cluster.nodes) {
    const { spec, instanceId, nodeName } = node;
    add(SOURCE.ec2Namespace, SOURCE.ec2InMetric, { InstanceId: instanceId }, 'Bytes', (k) => bytesAt(spec.ec2InBytes, k));
    add(SOURCE.ec2Namespace, SOURCE.ec2OutMetric, { InstanceId: instanceId }, 'Bytes', (k) => bytesAt(spec.ec2OutBytes, k));
    if (spec.containerInsights) {
      const ci = spec.containerInsights;
      const dims = { ClusterName: cluster.spec.name, InstanceId: instanceId, NodeName: nodeName };
      add(SOURCE.containerInsightsNamespace, SOURCE.containerInsightsMetric, dims, 'Bytes/Second', (k) => rateAt(ci.bytesPerSecond, k));
      add(SOURCE.containerInsightsNamespace, RUNNING_PODS_METRIC, dims, 'Count', () => ci.runningPods);
    }
    if (spec.agent) {
      const { interfaces, dimensions, stale } = spec.agent;
      for (const iface of interfaces) {
        const dims = agentDimensions(dimensions, node, iface.name);
        const [at, minutes] = stale ? [staleAt, staleMinutes] : [minuteAt, timeline.minutes];
        add(SOURCE.agentNamespace, SOURCE.agentRxMetric, dims, 'Bytes', (k) => bytesAt(iface.rxBytes, k), at, minutes);
        add(SOURCE.agentNamespace, SOURCE.agentTxMetric, dims, 'Bytes', (k) => bytesAt(iface.txBytes, k), at, minutes);
      }
    }
  }
  return { datums: out, series };
}

export interface SpecSeedResult {
  readonly clusters: ReadonlyMap<string, SeededSpecCluster>;
  readonly datapoints: number;
  readonly series: number;
  readonly putCalls: number;
}

/** Launches every cluster's nodes, then puts every datapoint of every cluster in as few PutMetricData calls as the API allows. */
export async function seedSpecClusters(
  specs: readonly SeedClusterSpec[],
  timeline: Timeline,
  nowEpochSeconds: number,
  ec2: EC2Client,
  cloudwatch: CloudWatchClient,
): Promise<SpecSeedResult> {
  const seeded = await Promise.all(specs.map((s) => launchCluster(ec2, s)));
  let series = 0;
  const all: Datum[] = [];
  for (const cluster of seeded) {
    const d = datumsOf(cluster, timeline, nowEpochSeconds);
    series += d.series;
    all.push(...d.datums);
  }
  const putCalls = await putDatums(cloudwatch, all);
  return { clusters: new Map(seeded.map((c) => [c.spec.name, c])), datapoints: all.length, series, putCalls };
}
