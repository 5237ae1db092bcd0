/**
 * Whether netrecon ever published a node for a cluster: the evidence that tells a cluster that scaled to zero
 * nodes (its zeros are true and are published) from a cluster name or node filter that matches nothing (an
 * error; docs/aws.md, "An empty inventory"). Read only when DescribeInstances matched no instance at all: one
 * GetMetricData call, the Maximum of NodeCount per Status over the lookback at one point a day.
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { NODE_STATUSES } from '../core/model';
import { CLUSTER_METRICS, clusterDimensions, DIMENSION } from '../output-metrics';
import type { AwsRuntime } from './api';
import { getMetricDataPages } from './get-metric-data';
import { EmptyInventoryError, filterText, type NodeFilter } from './inventory';
import { ReadFailedError } from './metric-reader';

/**
 * How far back a published node counts: 63 days, as long as CloudWatch keeps 5-minute data ("Data points with a
 * period of 300 seconds (5-minute) are available for 63 days", GetMetricData API reference). A cluster idle longer
 * than that is treated like an unknown one.
 */
export const NODE_HISTORY_LOOKBACK_SECONDS = 63 * 86_400;
const DAY_SECONDS = 86_400;

export async function hadNodesBefore(rt: AwsRuntime, q: { namespace: string; cluster: string; accountId?: string | undefined; nowSeconds: number }): Promise<boolean> {
  const endSeconds = Math.floor(q.nowSeconds / DAY_SECONDS) * DAY_SECONDS + DAY_SECONDS;
  const startSeconds = endSeconds - NODE_HISTORY_LOOKBACK_SECONDS - DAY_SECONDS;
  const queries: MetricDataQuery[] = NODE_STATUSES.map((status, i) => ({
    Id: `s${i}`,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: CLUSTER_METRICS.nodeCount.name,
        Dimensions: Object.entries({ ...clusterDimensions(q.cluster, q.accountId), [DIMENSION.status]: status }).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: DAY_SECONDS,
      Stat: 'Maximum',
    },
    ReturnData: true,
  }));
  let hadNodes = false;
  const refused: string[] = [];
  try {
    await getMetricDataPages(
      rt,
      { queries, startSeconds, endSeconds, datapoints: queries.length * ((endSeconds - startSeconds) / DAY_SECONDS), billedMetrics: queries.length },
      (results) => {
        for (const r of results) {
          if (r.StatusCode === 'InternalError' || r.StatusCode === 'Forbidden') refused.push(`${r.Id}: StatusCode ${r.StatusCode}`);
          if ((r.Values ?? []).some((v) => v > 0)) hadNodes = true;
        }
      },
    );
  } catch (error) {
    if (rt.signal?.aborted) throw error;
    const reason = `the call failed after retries: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    throw new ReadFailedError([{ series: [`${q.namespace} NodeCount {ClusterName=${q.cluster}}`], reason }], 0, `the NodeCount history of cluster ${q.cluster}`);
  }
  // A refused answer can only hide nodes; only a positive count is evidence either way.
  if (!hadNodes && refused.length > 0) {
    throw new ReadFailedError([{ series: [`${q.namespace} NodeCount {ClusterName=${q.cluster}}`], reason: `CloudWatch answered ${refused.join(', ')}` }], 0, `the NodeCount history of cluster ${q.cluster}`);
  }
  return hadNodes;
}

/**
 * A cluster whose node filter matches no instance at all is published (its honest zeros) only when netrecon
 * published nodes for it before; otherwise it is a wrong name, Region or filter, and nothing is sealed.
 */
export async function requireKnownCluster(
  rt: AwsRuntime,
  q: { namespace: string; cluster: string; accountId?: string | undefined; filter: NodeFilter; matchedInstances: number; nowSeconds: number },
): Promise<void> {
  if (q.matchedInstances > 0) return;
  if (await hadNodesBefore(rt, q)) {
    rt.progress(`${q.cluster}: no instance matches ${filterText(q.filter, q.cluster)}; it had nodes before, so its periods are published with zero nodes`);
    return;
  }
  throw new EmptyInventoryError(q.cluster, q.filter, NODE_HISTORY_LOOKBACK_SECONDS);
}
