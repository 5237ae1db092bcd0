/**
 * What is wrong with a node-period, if anything: findings as codes and figures (worded by
 * lambda/report/finding-words.ts), most explanatory first.
 * Order: the node was not running for the whole period; a source is missing; a series of a source was skipped
 * (a gap, so the source is partial, never "missing"); a source has too few samples;
 * EC2 disagrees with the ENI counters; Container Insights disagrees with the interface sum. Comparisons are only
 * made between complete figures, so a gap in the data is never reported as a disagreement.
 */
import type { Thresholds } from './config';
import type { Finding, SkippedSeriesTarget, SourceCompleteness } from './model';
import type { NodeIdentity } from './node-identity';

export interface SourceCoverage {
  readonly coveredSeconds: number;
  readonly periodSeconds: number;
}

export interface StatusInput {
  readonly periodStart: number;
  readonly periodSeconds: number;
  readonly node: NodeIdentity;
  readonly thresholds: Thresholds;
  /** null when the source has no sample in the period. */
  readonly ec2In: SourceCoverage | null;
  readonly ec2Out: SourceCoverage | null;
  readonly containerInsights: SourceCoverage | null;
  readonly agent: SourceCoverage | null;
  /** The node's source profile needs the agent (source-profile.ts); otherwise its absence is no finding. */
  readonly agentRequired: boolean;
  /** False: a node-period without Container Insights is no finding (config.ts, containerInsightsExpected). */
  readonly containerInsightsExpected?: boolean;
  readonly oneSidedInterfaces: readonly string[];
  /** Series of this node that were skipped: their source is incomplete, whatever the other series say. */
  readonly skippedSeries: readonly SkippedSeriesTarget[];
  readonly ec2TotalBytes: number | null;
  readonly correctedTotalBytes: number | null;
  readonly containerInsightsTotalBytes: number | null;
  readonly containerInsightsResidualBytes: number | null;
}

function isComplete(c: SourceCoverage | null, t: Thresholds): c is SourceCoverage {
  return c !== null && c.coveredSeconds >= t.minSampleFraction * c.periodSeconds;
}

export interface Assessment {
  /** Most explanatory first; empty when the node-period is ok. */
  readonly findings: Finding[];
  readonly complete: SourceCompleteness;
}

export function assessNodePeriod(input: StatusInput): Assessment {
  const { thresholds: t, node, periodStart, periodSeconds } = input;
  const findings: Finding[] = [];
  const periodEnd = periodStart + periodSeconds;
  // A node the inventory no longer lists ran the whole period when a sampled source covers all of it: Container
  // Insights and the agent publish from the node itself, every minute it runs. EC2's one value a period cannot say.
  const ranWholePeriod =
    node.knownFrom === 'series'
      ? isComplete(input.containerInsights, t) || isComplete(input.agent, t)
      : node.launchSeconds <= periodStart && node.endSeconds >= periodEnd;

  if (node.knownFrom === 'series' && !ranWholePeriod) {
    findings.push({ status: 'partialPeriod', code: 'lifetimeUnknown' });
  }
  if (node.launchSeconds > periodStart) {
    findings.push({ status: 'partialPeriod', code: 'nodeLaunchedAfterStart', launchTime: node.launchTime });
  }
  if (node.endSeconds < periodEnd) {
    findings.push({ status: 'partialPeriod', code: 'nodeStoppedBeforeEnd', endTime: node.endTime });
  }

  const skippedOf = (source: SkippedSeriesTarget['source']): SkippedSeriesTarget[] => input.skippedSeries.filter((s) => s.source === source);
  const ec2Skipped = skippedOf('ec2');
  const ciSkipped = skippedOf('containerInsights');
  const agentSkipped = skippedOf('agent');
  const ec2DirectionSkipped = (direction: 'in' | 'out'): boolean => ec2Skipped.some((s) => s.direction === direction);

  // A source whose series were skipped is not known to be empty: it is a gap (partial), never "missing".
  if (input.ec2In === null && input.ec2Out === null && ec2Skipped.length === 0) {
    findings.push({ status: 'missingEc2', code: 'noEc2Datapoint' });
  }
  if (input.containerInsights === null && ciSkipped.length === 0 && input.containerInsightsExpected !== false) {
    findings.push({ status: 'missingContainerInsights', code: 'noContainerInsightsDatapoint' });
  }
  if (input.agent === null && agentSkipped.length === 0 && input.agentRequired) {
    findings.push({ status: 'missingAgent', code: 'noAgentCounters' });
  }

  for (const [source, list] of [
    ['ec2', ec2Skipped],
    ['containerInsights', ciSkipped],
    ['agent', agentSkipped],
  ] as const) {
    if (list.length > 0) findings.push({ status: 'partialPeriod', code: 'seriesSkipped', source, series: list });
  }
  for (const [c, direction] of [
    [input.ec2In, 'in'],
    [input.ec2Out, 'out'],
  ] as const) {
    if (c === null && !ec2DirectionSkipped(direction) && (input.ec2In !== null || input.ec2Out !== null)) {
      findings.push({ status: 'partialPeriod', code: 'ec2DirectionMissing', direction });
    }
  }
  for (const [measure, c] of [
    ['ec2In', input.ec2In],
    ['ec2Out', input.ec2Out],
    ['containerInsights', input.containerInsights],
    ['agent', input.agent],
  ] as const) {
    if (c === null) continue;
    const { coveredSeconds, periodSeconds: coverageOf } = c;
    if (!isComplete(c, t)) findings.push({ status: 'partialPeriod', code: 'sourceCoverageShort', measure, coveredSeconds, periodSeconds: coverageOf });
  }
  // An interface whose other direction was skipped is already explained by the skipped-series finding.
  const oneSided = input.oneSidedInterfaces.filter((name) => !agentSkipped.some((s) => s.interfaceName === name));
  if (oneSided.length > 0) {
    findings.push({ status: 'partialPeriod', code: 'interfacesOneSided', interfaces: oneSided });
  }

  const agentComplete = isComplete(input.agent, t) && input.oneSidedInterfaces.length === 0 && agentSkipped.length === 0;
  const ec2Complete = isComplete(input.ec2In, t) && isComplete(input.ec2Out, t) && ec2Skipped.length === 0;
  const ciComplete = isComplete(input.containerInsights, t) && ciSkipped.length === 0;
  if (agentComplete && ec2Complete && input.ec2TotalBytes !== null && input.correctedTotalBytes !== null) {
    const diff = input.ec2TotalBytes - input.correctedTotalBytes;
    const ratio = input.ec2TotalBytes === 0 ? Number.POSITIVE_INFINITY : Math.abs(diff) / input.ec2TotalBytes;
    if (ratio > t.ec2MismatchRatio && Math.abs(diff) >= t.ec2MismatchMinBytes) {
      findings.push({
        status: 'ec2Mismatch',
        code: 'ec2Mismatch',
        ec2TotalBytes: input.ec2TotalBytes,
        correctedTotalBytes: input.correctedTotalBytes,
        discrepancyRatio: ratio,
        thresholdRatio: t.ec2MismatchRatio,
      });
    }
  }

  if (
    agentComplete &&
    ciComplete &&
    input.containerInsightsTotalBytes !== null &&
    input.containerInsightsResidualBytes !== null
  ) {
    const residual = input.containerInsightsResidualBytes;
    const ci = input.containerInsightsTotalBytes;
    const ratio = ci === 0 ? Number.POSITIVE_INFINITY : Math.abs(residual) / ci;
    if (ratio > t.residualRatio && Math.abs(residual) >= t.residualMinBytes) {
      findings.push({ status: 'unexplainedResidual', code: 'containerInsightsResidual', residualBytes: residual, residualRatio: ratio });
    }
  }
  return {
    findings,
    complete: {
      ranWholePeriod,
      ec2: ranWholePeriod && ec2Complete,
      containerInsights: ranWholePeriod && ciComplete,
      agent: ranWholePeriod && agentComplete,
    },
  };
}
