/**
 * What is wrong with a node-period, if anything: findings in plain words, most explanatory first.
 * Order: the node was not running for the whole period; a source is missing; a source has too few samples;
 * EC2 disagrees with the ENI counters; Container Insights disagrees with the interface sum. Comparisons are only
 * made between complete figures, so a gap in the data is never reported as a disagreement.
 */
import type { Thresholds } from './config';
import { formatBytes, formatPercent } from './format-bytes';
import type { Finding } from './model';
import type { NodeIdentity } from './node-period';

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
  readonly oneSidedInterfaces: readonly string[];
  readonly ec2TotalBytes: number | null;
  readonly correctedTotalBytes: number | null;
  readonly containerInsightsTotalBytes: number | null;
  readonly containerInsightsResidualBytes: number | null;
}

function isComplete(c: SourceCoverage | null, t: Thresholds): c is SourceCoverage {
  return c !== null && c.coveredSeconds >= t.minSampleFraction * c.periodSeconds;
}

function coverageText(name: string, c: SourceCoverage): string {
  return `${name} covers ${c.coveredSeconds} of ${c.periodSeconds} s of the period; it is reported as is, not scaled up`;
}

export function findingsFor(input: StatusInput): Finding[] {
  const { thresholds: t, node, periodStart, periodSeconds } = input;
  const findings: Finding[] = [];
  const periodEnd = periodStart + periodSeconds;

  if (node.launchSeconds > periodStart) {
    findings.push({ status: 'partialPeriod', message: `the node launched at ${node.launchTime}, after the period began` });
  }
  if (node.endSeconds < periodEnd) {
    findings.push({ status: 'partialPeriod', message: `the node stopped running at ${node.endTime}, before the period ended` });
  }

  if (input.ec2In === null && input.ec2Out === null) {
    findings.push({ status: 'missingEc2', message: 'no EC2 NetworkIn/NetworkOut datapoint in this period' });
  }
  if (input.containerInsights === null) {
    findings.push({
      status: 'missingContainerInsights',
      message: 'no Container Insights node_network_total_bytes datapoint for this node in this period',
    });
  }
  if (input.agent === null) {
    findings.push({
      status: 'missingAgent',
      message:
        'no per-interface counters from the agent (is the CloudWatch agent net plugin running with append_dimensions InstanceId?)',
    });
  }

  for (const [name, c] of [
    ['EC2 NetworkIn', input.ec2In],
    ['EC2 NetworkOut', input.ec2Out],
  ] as const) {
    if (c === null && (input.ec2In !== null || input.ec2Out !== null)) {
      findings.push({ status: 'partialPeriod', message: `${name} has no datapoint in this period` });
    }
  }
  for (const [name, c] of [
    ['EC2 NetworkIn', input.ec2In],
    ['EC2 NetworkOut', input.ec2Out],
    ['Container Insights', input.containerInsights],
    ['the agent', input.agent],
  ] as const) {
    if (c !== null && !isComplete(c, t)) findings.push({ status: 'partialPeriod', message: coverageText(name, c) });
  }
  if (input.oneSidedInterfaces.length > 0) {
    findings.push({
      status: 'partialPeriod',
      message: `interface ${input.oneSidedInterfaces.join(', ')} has received or sent bytes but not both`,
    });
  }

  const agentComplete = isComplete(input.agent, t) && input.oneSidedInterfaces.length === 0;
  const ec2Complete = isComplete(input.ec2In, t) && isComplete(input.ec2Out, t);
  if (agentComplete && ec2Complete && input.ec2TotalBytes !== null && input.correctedTotalBytes !== null) {
    const diff = input.ec2TotalBytes - input.correctedTotalBytes;
    const ratio = input.ec2TotalBytes === 0 ? Number.POSITIVE_INFINITY : Math.abs(diff) / input.ec2TotalBytes;
    if (ratio > t.ec2MismatchRatio && Math.abs(diff) >= t.ec2MismatchMinBytes) {
      findings.push({
        status: 'ec2Mismatch',
        message: `EC2 counted ${formatBytes(input.ec2TotalBytes)} but the ENIs' own counters ${formatBytes(input.correctedTotalBytes)} (${input.ec2TotalBytes === 0 ? 'EC2 saw nothing' : `${formatPercent(ratio)} apart`}; threshold ${formatPercent(t.ec2MismatchRatio)})`,
      });
    }
  }

  if (
    agentComplete &&
    isComplete(input.containerInsights, t) &&
    input.containerInsightsTotalBytes !== null &&
    input.containerInsightsResidualBytes !== null
  ) {
    const residual = input.containerInsightsResidualBytes;
    const ci = input.containerInsightsTotalBytes;
    const ratio = ci === 0 ? Number.POSITIVE_INFINITY : Math.abs(residual) / ci;
    if (ratio > t.residualRatio && Math.abs(residual) >= t.residualMinBytes) {
      findings.push({
        status: 'unexplainedResidual',
        message:
          residual > 0
            ? `Container Insights counted ${formatBytes(residual)} more than every interface the agent publishes (${formatPercent(ratio)} of it): an interface is missing from the agent's resources?`
            : `Container Insights counted ${formatBytes(-residual)} less than the interface sum the agent publishes (${formatPercent(ratio)} of it)`,
      });
    }
  }
  return findings;
}
