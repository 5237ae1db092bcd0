/**
 * The fault scenario "a node missing from DescribeInstances" (issue 18, item 1): a cluster of its own, so the
 * shared seed and the other scenarios' expectations are untouched. One live node, launched in the emulator and
 * tagged like an EKS node, and one instance that never existed there: DescribeInstances does not return it, as
 * for an instance terminated more than about an hour before the read. Both have EC2 NetworkIn/Out, Container
 * Insights (ClusterName = the cluster, InstanceId, NodeName) and agent series (eth0) for SEEDED_PERIODS closed
 * periods. The expected figures are the hand sums of the seeded bytes (never lambda/core), both nodes counted.
 */
import { RunInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { NODE_STATUSES } from '../../lambda/core/model';
import { CLUSTER_METRICS, LEDGER_METRIC } from '../../lambda/output-metrics';
import { DEFAULT_SOURCE_SETTINGS as S } from '../../lambda/plan/sources';
import { MINUTE_SECONDS, PERIOD_SECONDS } from './cluster-model';
import { judgeOnceEach, type NamespaceReading } from './fault-readback';
import { EKS_NODE_IMAGE, putDatums, type Datum } from './seed';

export const UNLISTED_CLUSTER = 'netrecon-e2e-unlisted';
/** An instance id the emulator never launched: DescribeInstances cannot return it. */
export const UNLISTED_INSTANCE_ID = 'i-0e2e00000000dead1';
const UNLISTED_NODE_NAME = 'ip-10-250-0-1.ec2.internal';
const SEEDED_PERIODS = 4;

interface NodeBytes {
  readonly instanceId: string;
  readonly nodeName: string;
  /** eth0 per minute of the seeded window. */
  readonly rx: readonly number[];
  readonly tx: readonly number[];
}

export interface UnlistedSeed {
  readonly startEpochSeconds: number;
  readonly liveInstanceId: string;
  readonly nodes: readonly NodeBytes[];
  readonly datapoints: number;
}

const minutes = SEEDED_PERIODS * (PERIOD_SECONDS / MINUTE_SECONDS);
const perMinute = (f: (k: number) => number) => Array.from({ length: minutes }, (_, k) => f(k));

/** Launches the live node and puts both nodes' series; the seeded periods end at least 20 minutes before now. */
export async function seedUnlistedCluster(ec2: EC2Client, cloudwatch: CloudWatchClient, nowSeconds: number): Promise<UnlistedSeed> {
  const answer = await ec2.send(
    new RunInstancesCommand({
      ImageId: EKS_NODE_IMAGE,
      InstanceType: 'm6i.large',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'eks:cluster-name', Value: UNLISTED_CLUSTER }, { Key: `kubernetes.io/cluster/${UNLISTED_CLUSTER}`, Value: 'owned' }] }],
    }),
  );
  const live = answer.Instances?.[0];
  if (!live?.InstanceId || !live.PrivateDnsName) throw new Error(`RunInstances returned no instance id or PrivateDnsName: ${JSON.stringify(answer.Instances)}`);
  const P = PERIOD_SECONDS;
  const startEpochSeconds = Math.floor((nowSeconds - 20 * 60) / P) * P - SEEDED_PERIODS * P;
  const nodes: NodeBytes[] = [
    { instanceId: live.InstanceId, nodeName: live.PrivateDnsName, rx: perMinute((k) => 47_000_000 + k * 1_000), tx: perMinute((k) => 2_000_000 + k * 100) },
    { instanceId: UNLISTED_INSTANCE_ID, nodeName: UNLISTED_NODE_NAME, rx: perMinute((k) => 47_000_000 + k * 3_000), tx: perMinute((k) => 3_000_000 + k * 300) },
  ];
  const all: Datum[] = [];
  const at = (k: number) => new Date((startEpochSeconds + k * MINUTE_SECONDS) * 1000);
  const series = (namespace: string, name: string, dims: Record<string, string>, unit: Datum['Unit'], values: readonly number[]) =>
    values.forEach((Value, k) => all.push({ namespace, MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })), Unit: unit, Value, Timestamp: at(k) }));
  for (const n of nodes) {
    // EC2 counts exactly the ENI's bytes here, and Container Insights eth0's rate: every node-period is `ok`.
    series(S.ec2Namespace, S.ec2InMetric, { InstanceId: n.instanceId }, 'Bytes', n.rx);
    series(S.ec2Namespace, S.ec2OutMetric, { InstanceId: n.instanceId }, 'Bytes', n.tx);
    series(S.containerInsightsNamespace, S.containerInsightsMetric, { ClusterName: UNLISTED_CLUSTER, InstanceId: n.instanceId, NodeName: n.nodeName }, 'Bytes/Second', n.rx.map((r, k) => (r + n.tx[k]!) / MINUTE_SECONDS));
    const agent = { [S.agentInstanceDimension]: n.instanceId, [S.agentInterfaceDimension]: 'eth0' };
    series(S.agentNamespace, S.agentRxMetric, agent, 'Bytes', n.rx);
    series(S.agentNamespace, S.agentTxMetric, agent, 'Bytes', n.tx);
  }
  await putDatums(cloudwatch, all);
  return { startEpochSeconds, liveInstanceId: live.InstanceId, nodes, datapoints: all.length };
}

/** The seeded periods' figures by hand: sums over both nodes of the period's minutes. */
export function unlistedExpected(seed: UnlistedSeed): { periodStart: string; metrics: Record<string, number> }[] {
  const perPeriod = PERIOD_SECONDS / MINUTE_SECONDS;
  return Array.from({ length: SEEDED_PERIODS }, (_, p) => {
    const ks = Array.from({ length: perPeriod }, (_, i) => p * perPeriod + i);
    const sum = (pick: (n: NodeBytes, k: number) => number) => seed.nodes.reduce((t, n) => t + ks.reduce((u, k) => u + pick(n, k), 0), 0);
    const rx = sum((n, k) => n.rx[k]!);
    const tx = sum((n, k) => n.tx[k]!);
    return {
      periodStart: new Date((seed.startEpochSeconds + p * PERIOD_SECONDS) * 1000).toISOString(),
      metrics: {
        [CLUSTER_METRICS.physicalRxBytes.name]: rx,
        [CLUSTER_METRICS.physicalTxBytes.name]: tx,
        [CLUSTER_METRICS.ec2TotalBytes.name]: rx + tx,
        [`${CLUSTER_METRICS.nodeCount.name}/ok`]: seed.nodes.length,
      },
    };
  });
}

/**
 * Judges the scenario's namespace: each seeded period's figures equal the hand sums of both nodes (within a
 * byte per million, the rates' floating point), each from exactly one datum, the NodeCount over the statuses
 * equal to 2; every other datum published once; every period's ledger complete; no series of another cluster.
 */
export function judgeUnlisted(reading: NamespaceReading, seed: UnlistedSeed): { compared: number; problems: string[]; rows: string[] } {
  const problems: string[] = [];
  let compared = 0;
  const expected = unlistedExpected(seed);
  const seededStarts = new Set(expected.map((e) => e.periodStart));
  const rows: string[] = [];
  for (const e of expected) {
    const shown: string[] = [];
    for (const [key, want] of Object.entries(e.metrics)) {
      compared += 1;
      const got = reading.values.get(key)?.get(e.periodStart);
      shown.push(`${key} ${got ? `${got.sum}${got.samples === 1 ? '' : ` (SampleCount ${got.samples})`}` : '-'} (expected ${want})`);
      if (!got) problems.push(`${e.periodStart} ${key}: not published (expected ${want})`);
      else if (got.samples !== 1) problems.push(`${e.periodStart} ${key}: published ${got.samples} times (SampleCount), expected once`);
      else if (Math.abs(got.sum - want) > Math.max(1, want * 1e-6)) problems.push(`${e.periodStart} ${key}: ${got.sum}, expected ${want} (both nodes)`);
    }
    compared += 1;
    const counted = NODE_STATUSES.reduce((t, s) => t + (reading.values.get(`${CLUSTER_METRICS.nodeCount.name}/${s}`)?.get(e.periodStart)?.sum ?? 0), 0);
    if (counted !== seed.nodes.length) problems.push(`${e.periodStart}: NodeCount over the statuses is ${counted}, the cluster ran ${seed.nodes.length} nodes`);
    rows.push(`${e.periodStart} read back: ${shown.join(', ')}`);
  }
  const once = judgeOnceEach(reading, seededStarts);
  compared += once.compared;
  problems.push(...once.problems);
  for (const start of seededStarts) if (!reading.values.get(LEDGER_METRIC.name)?.has(start)) problems.push(`period ${start}: no ${LEDGER_METRIC.name} mark, never published`);
  for (const s of reading.strangers) problems.push(`unexpected series ${s}`);
  return { compared, problems, rows };
}
