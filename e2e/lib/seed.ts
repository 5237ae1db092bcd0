/**
 * Seeds the synthetic cluster (cluster-model.ts) into the emulator through the AWS SDK, as the real sources
 * would have published it: EC2 instances tagged like EKS nodes, and 1-minute datapoints for EC2
 * NetworkIn/Out, Container Insights node_network_total_bytes and the CloudWatch agent's net_bytes_recv/sent.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { PUT_METRIC_DATA_MAX_METRICS } from '../../lambda/plan/limits';
import { DEFAULT_SOURCE_SETTINGS as SOURCE_DEFAULTS } from '../../lambda/plan/sources';
import { MINUTE_SECONDS, type ClusterModel, type ModelNode } from './cluster-model';

/** moto ships this image id for EKS nodes; any id would do, this one reads right in DescribeInstances. */
export const EKS_NODE_IMAGE = 'ami-ekslinux';

export interface SeededNode {
  readonly node: ModelNode;
  readonly instanceId: string;
  /** PrivateDnsName, which Container Insights uses as NodeName. */
  readonly nodeName: string;
}

export interface SeedResult {
  readonly nodes: readonly SeededNode[];
  readonly datapoints: number;
  readonly series: number;
  readonly putCalls: number;
}

function tagsFor(node: ModelNode) {
  return [
    { Key: 'Name', Value: `${node.cluster}-${node.key}` },
    { Key: 'eks:cluster-name', Value: node.cluster },
    { Key: `kubernetes.io/cluster/${node.cluster}`, Value: 'owned' },
    { Key: 'netrecon-e2e:os', Value: node.os },
  ];
}

async function launch(ec2: EC2Client, node: ModelNode): Promise<SeededNode> {
  const answer = await ec2.send(
    new RunInstancesCommand({
      ImageId: EKS_NODE_IMAGE,
      InstanceType: node.os === 'al2' ? 'm5.large' : 'm6i.large',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: tagsFor(node) }],
    }),
  );
  const instance = answer.Instances?.[0];
  if (!instance?.InstanceId || !instance.PrivateDnsName) {
    throw new Error(`RunInstances for ${node.key} returned no instance id or PrivateDnsName: ${JSON.stringify(answer.Instances)}`);
  }
  return { node, instanceId: instance.InstanceId, nodeName: instance.PrivateDnsName };
}

/** A datum and the namespace it is put in. */
export type Datum = MetricDatum & { readonly namespace: string };

function datums(model: ClusterModel, seeded: SeededNode, seriesCount: { n: number }): Datum[] {
  const { node, instanceId, nodeName } = seeded;
  const at = (k: number) => new Date((model.startEpochSeconds + k * MINUTE_SECONDS) * 1000);
  const out: Datum[] = [];
  const series = (namespace: string, name: string, dims: Record<string, string>, unit: StandardUnit, values: readonly number[]) => {
    seriesCount.n += 1;
    const Dimensions = Object.entries(dims).map(([Name, Value]) => ({ Name, Value }));
    values.forEach((Value, k) => out.push({ namespace, MetricName: name, Dimensions, Unit: unit, Value, Timestamp: at(k) }));
  };
  const s = SOURCE_DEFAULTS;
  series(s.ec2Namespace, s.ec2InMetric, { InstanceId: instanceId }, 'Bytes', node.ec2InBytesPerMinute);
  series(s.ec2Namespace, s.ec2OutMetric, { InstanceId: instanceId }, 'Bytes', node.ec2OutBytesPerMinute);
  if (node.hasContainerInsights) {
    series(
      s.containerInsightsNamespace,
      s.containerInsightsMetric,
      { ClusterName: node.cluster, InstanceId: instanceId, NodeName: nodeName },
      'Bytes/Second',
      node.containerInsightsBytesPerSecond,
    );
  }
  if (node.hasAgent) {
    for (const iface of node.interfaces.filter((i) => i.reportedByAgent)) {
      const dims = { [s.agentInstanceDimension]: instanceId, [s.agentInterfaceDimension]: iface.name };
      series(s.agentNamespace, s.agentRxMetric, dims, 'Bytes', iface.rxBytesPerMinute);
      series(s.agentNamespace, s.agentTxMetric, dims, 'Bytes', iface.txBytesPerMinute);
    }
  }
  return out;
}

/** Container Insights also publishes the cluster-wide series (dimension ClusterName only): the sum of the nodes' rates. */
function clusterWideContainerInsights(model: ClusterModel, cluster: string): Datum[] {
  const nodes = model.nodes.filter((n) => n.cluster === cluster && n.hasContainerInsights);
  return Array.from({ length: model.minutes }, (_, k) => ({
    namespace: SOURCE_DEFAULTS.containerInsightsNamespace,
    MetricName: SOURCE_DEFAULTS.containerInsightsMetric,
    Dimensions: [{ Name: 'ClusterName', Value: cluster }],
    Unit: 'Bytes/Second' as const,
    Value: nodes.reduce((t, n) => t + n.containerInsightsBytesPerSecond[k]!, 0),
    Timestamp: new Date((model.startEpochSeconds + k * MINUTE_SECONDS) * 1000),
  }));
}

export async function seedCluster(model: ClusterModel, ec2: EC2Client, cloudwatch: CloudWatchClient): Promise<SeedResult> {
  const nodes: SeededNode[] = [];
  for (const node of model.nodes) nodes.push(await launch(ec2, node));

  const seriesCount = { n: 0 };
  const all: Datum[] = nodes.flatMap((n) => datums(model, n, seriesCount));
  for (const cluster of [model.cluster, model.otherCluster]) {
    all.push(...clusterWideContainerInsights(model, cluster));
    seriesCount.n += 1;
  }

  const putCalls = await putDatums(cloudwatch, all);
  return { nodes, datapoints: all.length, series: seriesCount.n, putCalls };
}

/** Puts the datums by namespace, as many to a PutMetricData call as the API takes; returns the number of calls. */
export async function putDatums(cloudwatch: CloudWatchClient, all: readonly Datum[]): Promise<number> {
  let putCalls = 0;
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const { namespace, ...datum } of all) {
    const list = byNamespace.get(namespace) ?? [];
    list.push(datum);
    byNamespace.set(namespace, list);
  }
  for (const [namespace, list] of byNamespace) {
    for (let i = 0; i < list.length; i += PUT_METRIC_DATA_MAX_METRICS) {
      await cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: list.slice(i, i + PUT_METRIC_DATA_MAX_METRICS) }));
      putCalls += 1;
    }
  }
  return putCalls;
}
