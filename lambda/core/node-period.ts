/**
 * The reconciliation of one node in one period: from its aligned buckets to every figure of NodePeriodResult.
 * The formulas are those of docs/domain.md, "Why pod traffic is counted twice", per source profile
 * (docs/profiles.md): a figure the node's profile cannot compute is null; statuses come from status.ts.
 */
import type { ReconcileConfig } from './config';
import { classifyInterface, containerInsightsCounts, type InterfaceClass } from './interface-rules';
import type { InterfacePeriodBytes, NodePeriodResult, SkippedSeriesTarget } from './model';
import { assessNodePeriod, type SourceCoverage } from './status';
import { coveredSeconds, type ProbeCoverage, type SeriesPeriodBucket } from './align';
import { isoOf } from './units';
import type { NodeIdentity } from './node-identity';
import { NODE_PROFILE_CAPABILITIES, type NodeProfile } from './source-profile';

/** One node's aligned series, keyed by what they measure. */
export interface NodeSeriesBuckets {
  ec2In: ReadonlyMap<number, SeriesPeriodBucket> | null;
  ec2Out: ReadonlyMap<number, SeriesPeriodBucket> | null;
  containerInsights: ReadonlyMap<number, SeriesPeriodBucket> | null;
  /** interface name -> rx / tx buckets */
  agent: Map<string, { rx: ReadonlyMap<number, SeriesPeriodBucket> | null; tx: ReadonlyMap<number, SeriesPeriodBucket> | null }>;
  /** Series of this node that were skipped (bad values, unaligned samples, a failed read): gaps in their source. */
  skipped: SkippedSeriesTarget[];
  /** SampleCount probes: how much of each period the source's samples cover, when its values aggregate several. */
  probes?: { containerInsights: ProbeCoverage | null; agent: ProbeCoverage | null };
}

/**
 * A source's coverage of one period: the union of its values' intervals where each value is one sample (as
 * before), and where values aggregate several samples, what the source's probe counted (none counted: nothing
 * covered, so the period is partial, never complete by default). The probe counts one series' samples, at most
 * the union of all the source's samples: it can only err towards partial (docs/aws.md, "Reading at the period").
 */
function coverage(buckets: (SeriesPeriodBucket | undefined)[], periodSeconds: number, probe?: ProbeCoverage | null, periodStart?: number): SourceCoverage | null {
  const present = buckets.filter((b): b is SeriesPeriodBucket => b !== undefined);
  if (present.length === 0) return null;
  const exact = present.filter((b) => b.coverageFromProbe !== true);
  let covered = exact.length > 0 ? coveredSeconds(exact) : 0;
  if (exact.length < present.length) covered = Math.max(covered, Math.min(periodSeconds, (periodStart === undefined ? undefined : probe?.get(periodStart)) ?? 0));
  return { coveredSeconds: covered, periodSeconds };
}

function sumOrNull(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0);
}

export function reconcileNodePeriod(
  node: NodeIdentity,
  periodStart: number,
  series: NodeSeriesBuckets,
  config: ReconcileConfig,
  profile: NodeProfile,
): NodePeriodResult {
  const P = config.periodSeconds;
  const caps = NODE_PROFILE_CAPABILITIES[profile];
  const onAgent = caps.basis === 'agent';
  const ec2InBucket = series.ec2In?.get(periodStart);
  const ec2OutBucket = series.ec2Out?.get(periodStart);
  const ciBucket = series.containerInsights?.get(periodStart);

  const ec2InBytes = ec2InBucket?.bytes ?? null;
  const ec2OutBytes = ec2OutBucket?.bytes ?? null;
  const containerInsightsTotalBytes = ciBucket?.bytes ?? null;

  const interfaces: InterfacePeriodBytes[] = [];
  const agentBuckets: SeriesPeriodBucket[] = [];
  const oneSidedInterfaces: string[] = [];
  // On the EC2 basis the agent's series, if any, are not used at all.
  for (const [name, { rx, tx }] of onAgent ? [...series.agent].sort(([a], [b]) => a.localeCompare(b)) : []) {
    const rxBucket = rx?.get(periodStart);
    const txBucket = tx?.get(periodStart);
    if (!rxBucket && !txBucket) continue;
    if (!rxBucket || !txBucket) oneSidedInterfaces.push(name);
    if (rxBucket) agentBuckets.push(rxBucket);
    if (txBucket) agentBuckets.push(txBucket);
    interfaces.push({
      name,
      interfaceClass: classifyInterface(name, config.rules).interfaceClass,
      rxBytes: rxBucket?.bytes ?? 0,
      txBytes: txBucket?.bytes ?? 0,
    });
  }
  const hasAgent = interfaces.length > 0;

  // A class's sum only where the profile collects that class (enis: the ENIs only).
  const sumOf = (cls: InterfaceClass, pick: (i: InterfacePeriodBytes) => number, collected = caps.residual): number | null =>
    hasAgent && collected ? interfaces.filter((i) => i.interfaceClass === cls).reduce((a, i) => a + pick(i), 0) : null;
  const rxPlusTx = (i: InterfacePeriodBytes): number => i.rxBytes + i.txBytes;

  // EC2 counts every byte once at the instance's ENIs: on the EC2 basis it is the counted-once figure.
  const physicalRxBytes = onAgent ? sumOf('physical', (i) => i.rxBytes, true) : ec2InBytes;
  const physicalTxBytes = onAgent ? sumOf('physical', (i) => i.txBytes, true) : ec2OutBytes;
  // The host side of a pod's veth transmits what the pod receives, and receives what the pod sends.
  const podRxBytes = sumOf('podVeth', (i) => i.txBytes, caps.podFromVeths);
  const podTxBytes = sumOf('podVeth', (i) => i.rxBytes, caps.podFromVeths);
  const overlayBytes = sumOf('overlay', rxPlusTx);
  const bridgeBytes = sumOf('bridge', rxPlusTx);
  const unknownBytes = sumOf('unknown', rxPlusTx);
  const naiveTotalBytes =
    hasAgent && caps.residual ? interfaces.filter((i) => containerInsightsCounts(i.name)).reduce((a, i) => a + rxPlusTx(i), 0) : null;
  const correctedTotalBytes = sumOrNull([physicalRxBytes, physicalTxBytes]);
  const podTotalBytes = sumOrNull([podRxBytes, podTxBytes]);
  const hostOnlyBytes =
    correctedTotalBytes === null || podTotalBytes === null ? null : Math.max(0, correctedTotalBytes - podTotalBytes);

  const doubleCountedBytes =
    containerInsightsTotalBytes === null || correctedTotalBytes === null ? null : containerInsightsTotalBytes - correctedTotalBytes;
  // Without the veths' own counters, what Container Insights counts beyond the ENIs is the pod traffic estimate
  // (with overlay and bridge traffic in it).
  const podEstimatedBytes = caps.podFromVeths ? null : doubleCountedBytes;
  const ec2TotalBytes = sumOrNull([ec2InBytes, ec2OutBytes]);
  const ec2DiscrepancyRatio =
    !caps.ec2Check || ec2TotalBytes === null || correctedTotalBytes === null || ec2TotalBytes === 0
      ? null
      : (ec2TotalBytes - correctedTotalBytes) / ec2TotalBytes;
  const containerInsightsResidualBytes =
    containerInsightsTotalBytes === null || naiveTotalBytes === null ? null : containerInsightsTotalBytes - naiveTotalBytes;

  const { findings, complete } = assessNodePeriod({
    periodStart,
    periodSeconds: P,
    node,
    thresholds: config.thresholds,
    ec2In: coverage([ec2InBucket], P),
    ec2Out: coverage([ec2OutBucket], P),
    containerInsights: coverage([ciBucket], P, series.probes?.containerInsights, periodStart),
    agent: coverage(agentBuckets, P, series.probes?.agent, periodStart),
    agentRequired: caps.agentRequired,
    containerInsightsExpected: config.containerInsightsExpected !== false,
    oneSidedInterfaces,
    // On the EC2 basis a skipped agent series is no gap: the agent is not used.
    skippedSeries: onAgent ? series.skipped : series.skipped.filter((s) => s.source !== 'agent'),
    ec2TotalBytes,
    correctedTotalBytes,
    containerInsightsTotalBytes,
    containerInsightsResidualBytes,
  });

  return {
    instanceId: node.instanceId,
    nodeName: node.nodeName,
    periodStart: isoOf(periodStart),
    periodSeconds: P,
    sourceProfile: profile,
    basis: caps.basis,
    ec2InBytes,
    ec2OutBytes,
    containerInsightsTotalBytes,
    physicalRxBytes,
    physicalTxBytes,
    podRxBytes,
    podTxBytes,
    overlayBytes,
    bridgeBytes,
    unknownBytes,
    naiveTotalBytes,
    correctedTotalBytes,
    hostOnlyBytes,
    doubleCountedBytes,
    podEstimatedBytes,
    ec2DiscrepancyRatio,
    containerInsightsResidualBytes,
    interfaces,
    complete,
    partial: findings.some((f) => f.status === 'partialPeriod'),
    status: findings[0]?.status ?? 'ok',
    findings,
  };
}
