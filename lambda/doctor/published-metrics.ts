/**
 * How many custom metrics netrecon publishes per cluster under a profile (per-node metrics off, the default): each
 * cluster metric exists only where some node computes its figure (a null figure is not published,
 * lambda/plan/output-datums.ts), NodeCount once per status, plus Heartbeat and EmitLedger. Pure.
 */
import { NODE_STATUSES } from '../core/model';
import type { ClusterCapabilities } from '../core/source-profile';
import { CLUSTER_METRICS } from '../output-metrics';

type Needs = 'always' | 'podFromVeths' | 'ec2Check' | 'residual' | 'readsAgent' | 'perStatus';

/** What each cluster metric needs; the `satisfies` fails the build when a metric is added without saying. */
const NEEDS = {
  ec2TotalBytes: 'always',
  containerInsightsTotalBytes: 'always',
  physicalRxBytes: 'always',
  physicalTxBytes: 'always',
  podRxBytes: 'podFromVeths',
  podTxBytes: 'podFromVeths',
  hostOnlyBytes: 'podFromVeths',
  doubleCountedBytes: 'always',
  ec2DiscrepancyRatio: 'ec2Check',
  containerInsightsResidualBytes: 'residual',
  // Not computed under agentless (rollup.ts): no agent is read.
  agentCoveragePercent: 'readsAgent',
  completeEc2TotalBytes: 'ec2Check',
  completeContainerInsightsTotalBytes: 'residual',
  partialNodeCount: 'always',
  nodeCount: 'perStatus',
} as const satisfies Record<keyof typeof CLUSTER_METRICS, Needs>;

/** Heartbeat and EmitLedger. */
const RUN_METRICS = 2;

export type PublishedCapabilities = Pick<ClusterCapabilities, 'podFromVeths' | 'ec2Check' | 'residual' | 'readsAgent'>;

export function publishedMetricCount(can: PublishedCapabilities): number {
  let count = RUN_METRICS;
  for (const needs of Object.values(NEEDS) as Needs[]) {
    if (needs === 'perStatus') count += NODE_STATUSES.length;
    else if (needs === 'always' || can[needs]) count++;
  }
  return count;
}
