/**
 * Reads the seeded sources back from the emulator with GetMetricData (one MetricStat per series, period P)
 * and checks every per-period value against the model. This proves the emulator stores and aggregates the
 * seed the way CloudWatch would before netrecon is judged on it: a mismatch here is the emulator's or the
 * seed's fault, not netrecon's.
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { GET_METRIC_DATA_MAX_QUERIES } from '../../lambda/plan/limits';
import { DEFAULT_SOURCE_SETTINGS as SOURCE_DEFAULTS } from '../../lambda/plan/sources';
import { MINUTE_SECONDS, type ClusterModel } from './cluster-model';
import { closeEnough } from './expected';
import type { SeededNode } from './seed';

interface Check {
  readonly query: MetricDataQuery;
  /** Expected value per period index. */
  readonly expected: readonly number[];
  readonly label: string;
}

export interface SeedCheckResult {
  readonly valuesCompared: number;
  readonly mismatches: readonly string[];
  readonly calls: number;
  readonly secondsPerCall: readonly number[];
}

function perPeriod(model: ClusterModel, perMinute: readonly number[], how: 'sum' | 'average'): number[] {
  const n = model.periodSeconds / MINUTE_SECONDS;
  return Array.from({ length: model.periods }, (_, p) => {
    const slice = perMinute.slice(p * n, (p + 1) * n);
    const sum = slice.reduce((t, v) => t + v, 0);
    return how === 'sum' ? sum : sum / slice.length;
  });
}

function checksFor(model: ClusterModel, seeded: readonly SeededNode[]): Check[] {
  const s = SOURCE_DEFAULTS;
  const checks: Check[] = [];
  const add = (label: string, namespace: string, metric: string, dims: Record<string, string>, stat: string, expected: number[]) =>
    checks.push({
      label,
      expected,
      query: {
        Id: `q${checks.length}`,
        MetricStat: {
          Metric: { Namespace: namespace, MetricName: metric, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) },
          Period: model.periodSeconds,
          Stat: stat,
        },
      },
    });
  for (const { node, instanceId, nodeName } of seeded) {
    add(`${node.key} EC2 in`, s.ec2Namespace, s.ec2InMetric, { InstanceId: instanceId }, 'Sum', perPeriod(model, node.ec2InBytesPerMinute, 'sum'));
    add(`${node.key} EC2 out`, s.ec2Namespace, s.ec2OutMetric, { InstanceId: instanceId }, 'Sum', perPeriod(model, node.ec2OutBytesPerMinute, 'sum'));
    if (node.hasContainerInsights) {
      // Dimensions deliberately listed in another order than they were put: CloudWatch matches them as a set.
      const dims = { NodeName: nodeName, ClusterName: node.cluster, InstanceId: instanceId };
      add(`${node.key} CI`, s.containerInsightsNamespace, s.containerInsightsMetric, dims, 'Average', perPeriod(model, node.containerInsightsBytesPerSecond, 'average'));
    }
    if (node.hasAgent) {
      for (const iface of node.interfaces.filter((i) => i.reportedByAgent)) {
        const dims = { [s.agentInterfaceDimension]: iface.name, [s.agentInstanceDimension]: instanceId };
        add(`${node.key} ${iface.name} rx`, s.agentNamespace, s.agentRxMetric, dims, 'Sum', perPeriod(model, iface.rxBytesPerMinute, 'sum'));
        add(`${node.key} ${iface.name} tx`, s.agentNamespace, s.agentTxMetric, dims, 'Sum', perPeriod(model, iface.txBytesPerMinute, 'sum'));
      }
    }
  }
  return checks;
}

/** Reads back the model's whole seeded window. */
export async function checkSeed(model: ClusterModel, seeded: readonly SeededNode[], cloudwatch: CloudWatchClient): Promise<SeedCheckResult> {
  const window = { startEpochSeconds: model.startEpochSeconds, endEpochSeconds: model.startEpochSeconds + model.periods * model.periodSeconds };
  const checks = checksFor(model, seeded);
  const mismatches: string[] = [];
  const secondsPerCall: number[] = [];
  let valuesCompared = 0;
  for (let i = 0; i < checks.length; i += GET_METRIC_DATA_MAX_QUERIES) {
    const batch = checks.slice(i, i + GET_METRIC_DATA_MAX_QUERIES);
    const started = performance.now();
    const answer = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(window.startEpochSeconds * 1000),
        EndTime: new Date(window.endEpochSeconds * 1000),
        MetricDataQueries: batch.map((c) => c.query),
        ScanBy: 'TimestampAscending',
      }),
    );
    secondsPerCall.push((performance.now() - started) / 1000);
    const byId = new Map((answer.MetricDataResults ?? []).map((r) => [r.Id, r]));
    for (const check of batch) {
      const result = byId.get(check.query.Id);
      const got = new Map<number, number>();
      (result?.Timestamps ?? []).forEach((t, k) => got.set(t.getTime() / 1000, result!.Values![k]!));
      check.expected.forEach((expected, p) => {
        const at = model.startEpochSeconds + p * model.periodSeconds;
        const actual = got.get(at);
        valuesCompared += 1;
        if (actual === undefined || !closeEnough(actual, expected)) {
          mismatches.push(`${check.label} @${new Date(at * 1000).toISOString()}: expected ${expected}, emulator answered ${actual ?? 'nothing'}`);
        }
      });
    }
  }
  return { valuesCompared, mismatches, calls: secondsPerCall.length, secondsPerCall };
}
