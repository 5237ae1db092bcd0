/**
 * The values netrecon must publish for the seeded cluster, computed here by hand from the model's raw
 * per-interface bytes and the definitions in lambda/core/model.ts and docs (never by calling lambda/core):
 * if the product and this file disagree, one of them misread the definitions, and the suite says which value.
 *
 * Per node and period P (bytes in the period; k runs over the period's minutes):
 *   physicalRx = Σ_k Σ_ENIs rx,        physicalTx = Σ_k Σ_ENIs tx          (agent-reported interfaces)
 *   podRx      = Σ_k Σ_veths tx,       podTx      = Σ_k Σ_veths rx         (host-side veth TX is what pods receive)
 *   corrected  = physicalRx + physicalTx
 *   ec2        = Σ_k (NetworkIn + NetworkOut)
 *   ci         = mean_k(node_network_total_bytes) × P                         (Bytes/Second × seconds)
 *   naive      = Σ_k Σ_{reported, name not starting lo, veth, docker, nerdctl} (rx + tx)
 *   hostOnly   = max(0, corrected − podRx − podTx)
 *   doubleCounted = ci − corrected,   residual = ci − naive
 * Per cluster and period: sums over the nodes that have the inputs; the EC2 ratio is
 *   (Σ ec2 − Σ corrected) / Σ ec2 over nodes with both EC2 and agent data; coverage = nodes with agent / nodes × 100.
 * The judged figures count only node-periods whose sources are complete; every seeded node runs through every
 * seeded period with every sample, so here they are the nodes with the inputs: CompleteEc2TotalBytes = Σ ec2
 * over nodes with agent data, CompleteContainerInsightsTotalBytes = Σ ci over nodes with agent and Container
 * Insights data, and PartialNodeCount = 0.
 */
import { CLUSTER_METRICS } from '../../lambda/output-metrics';
import {
  MINUTE_SECONDS,
  NODE_WITHOUT_AGENT,
  NODE_WITHOUT_CONTAINER_INSIGHTS,
  type ClusterModel,
  type ModelInterface,
  type ModelNode,
} from './cluster-model';

export interface ExpectedPeriod {
  /** ISO 8601 start of the period (the timestamp netrecon publishes at). */
  readonly periodStart: string;
  /** Metric name -> value, for the cluster-level metrics (dimension ClusterName only). */
  readonly cluster: Readonly<Record<string, number>>;
  /** Status -> node count (metric NodeCount, dimensions ClusterName and Status). */
  readonly nodeCountByStatus: Readonly<Record<string, number>>;
}

interface NodePeriod {
  readonly hasAgent: boolean;
  readonly hasCi: boolean;
  readonly physicalRx: number;
  readonly physicalTx: number;
  readonly podRx: number;
  readonly podTx: number;
  readonly naive: number;
  readonly ec2: number;
  readonly ci: number;
  readonly status: string;
}

const CADVISOR_IGNORED = ['lo', 'veth', 'docker', 'nerdctl'];

function sumMinutes(series: readonly number[], first: number, count: number): number {
  let total = 0;
  for (let k = first; k < first + count; k += 1) total += series[k]!;
  return total;
}

function nodePeriod(node: ModelNode, first: number, count: number, periodSeconds: number): NodePeriod {
  const reported = node.hasAgent ? node.interfaces.filter((i) => i.reportedByAgent) : [];
  const total = (ifaces: readonly ModelInterface[], dir: 'rx' | 'tx') =>
    ifaces.reduce((t, i) => t + sumMinutes(dir === 'rx' ? i.rxBytesPerMinute : i.txBytesPerMinute, first, count), 0);
  const enis = reported.filter((i) => i.role === 'eni');
  const veths = reported.filter((i) => i.role === 'podVeth');
  const naiveIfaces = reported.filter((i) => !CADVISOR_IGNORED.some((p) => i.name.startsWith(p)));
  const ciSamples = node.containerInsightsBytesPerSecond.slice(first, first + count);
  // A period's bytes are a whole number, rounded once from the rate (lambda/core/units.ts, wholeBytes).
  const ci = Math.round((ciSamples.reduce((t, v) => t + v, 0) / ciSamples.length) * periodSeconds);
  return {
    hasAgent: node.hasAgent,
    hasCi: node.hasContainerInsights,
    physicalRx: total(enis, 'rx'),
    physicalTx: total(enis, 'tx'),
    podRx: total(veths, 'tx'),
    podTx: total(veths, 'rx'),
    naive: total(naiveIfaces, 'rx') + total(naiveIfaces, 'tx'),
    ec2: sumMinutes(node.ec2InBytesPerMinute, first, count) + sumMinutes(node.ec2OutBytesPerMinute, first, count),
    ci,
    // Every node has EC2 data; the thresholds (10 %, 1 MiB) are far from this model's gaps (see cluster-model.ts).
    status: node.index === NODE_WITHOUT_AGENT ? 'missingAgent' : node.index === NODE_WITHOUT_CONTAINER_INSIGHTS ? 'missingContainerInsights' : 'ok',
  };
}

/** One entry per seeded period, for the model's own cluster only. */
export function expectedPeriods(model: ClusterModel): ExpectedPeriod[] {
  const perPeriod = model.periodSeconds / MINUTE_SECONDS;
  const nodes = model.nodes.filter((n) => n.cluster === model.cluster);
  const result: ExpectedPeriod[] = [];
  for (let p = 0; p < model.periods; p += 1) {
    const rows = nodes.map((n) => nodePeriod(n, p * perPeriod, perPeriod, model.periodSeconds));
    const withAgent = rows.filter((r) => r.hasAgent);
    const withAgentAndCi = withAgent.filter((r) => r.hasCi);
    const sum = (rs: readonly NodePeriod[], f: (r: NodePeriod) => number) => rs.reduce((t, r) => t + f(r), 0);
    const corrected = (r: NodePeriod) => r.physicalRx + r.physicalTx;
    const ec2OfAgentNodes = sum(withAgent, (r) => r.ec2);
    const m = CLUSTER_METRICS;
    const nodeCountByStatus: Record<string, number> = {};
    for (const r of rows) nodeCountByStatus[r.status] = (nodeCountByStatus[r.status] ?? 0) + 1;
    result.push({
      periodStart: new Date((model.startEpochSeconds + p * model.periodSeconds) * 1000).toISOString(),
      cluster: {
        [m.ec2TotalBytes.name]: sum(rows, (r) => r.ec2),
        [m.containerInsightsTotalBytes.name]: sum(rows.filter((r) => r.hasCi), (r) => r.ci),
        [m.physicalRxBytes.name]: sum(withAgent, (r) => r.physicalRx),
        [m.physicalTxBytes.name]: sum(withAgent, (r) => r.physicalTx),
        [m.podRxBytes.name]: sum(withAgent, (r) => r.podRx),
        [m.podTxBytes.name]: sum(withAgent, (r) => r.podTx),
        [m.hostOnlyBytes.name]: sum(withAgent, (r) => Math.max(0, corrected(r) - r.podRx - r.podTx)),
        [m.doubleCountedBytes.name]: sum(withAgentAndCi, (r) => r.ci - corrected(r)),
        [m.ec2DiscrepancyRatio.name]: (ec2OfAgentNodes - sum(withAgent, corrected)) / ec2OfAgentNodes,
        [m.containerInsightsResidualBytes.name]: sum(withAgentAndCi, (r) => r.ci - r.naive),
        [m.agentCoveragePercent.name]: (withAgent.length / rows.length) * 100,
        [m.completeEc2TotalBytes.name]: ec2OfAgentNodes,
        [m.completeContainerInsightsTotalBytes.name]: sum(withAgentAndCi, (r) => r.ci),
        [m.partialNodeCount.name]: 0,
      },
      nodeCountByStatus,
    });
  }
  return result;
}

/** Relative tolerance for comparing published values: they cross float math, JSON and the emulator's doubles. */
export const RELATIVE_TOLERANCE = 1e-9;

export function closeEnough(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(expected));
}
