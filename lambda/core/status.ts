/**
 * What is wrong with a node-period, if anything: findings in plain words, most explanatory first.
 * Order: the node was not running for the whole period; a source is missing; a series of a source was skipped
 * (a gap, so the source is partial, never "missing"); a source has too few samples;
 * EC2 disagrees with the ENI counters; Container Insights disagrees with the interface sum. Comparisons are only
 * made between complete figures, so a gap in the data is never reported as a disagreement.
 */
import type { Thresholds } from './config';
import { formatBytes, formatPercent } from './format-bytes';
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

const SOURCE_LABEL: Readonly<Record<SkippedSeriesTarget['source'], string>> = {
  ec2: 'EC2',
  containerInsights: 'Container Insights',
  agent: 'agent',
};

function seriesName(s: SkippedSeriesTarget): string {
  if (s.source === 'agent') return `${s.interfaceName ?? '(no interface)'} ${s.direction}`;
  if (s.source === 'ec2') return s.direction === 'in' ? 'NetworkIn' : 'NetworkOut';
  return 'node_network_total_bytes';
}

function skippedText(source: SkippedSeriesTarget['source'], skipped: readonly SkippedSeriesTarget[]): string {
  const names = [...new Set(skipped.map(seriesName))].sort();
  const were = names.length === 1 ? 'series was' : 'series were';
  return `this node's ${SOURCE_LABEL[source]} ${were} skipped (${names.join(', ')}; see the warnings): that source is incomplete, reported as is and not compared`;
}

function coverageText(name: string, c: SourceCoverage): string {
  return `${name} covers ${c.coveredSeconds} of ${c.periodSeconds} s of the period; it is reported as is, not scaled up`;
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
  const ranWholePeriod = node.launchSeconds <= periodStart && node.endSeconds >= periodEnd;

  if (node.launchSeconds > periodStart) {
    findings.push({ status: 'partialPeriod', message: `the node launched at ${node.launchTime}, after the period began` });
  }
  if (node.endSeconds < periodEnd) {
    findings.push({ status: 'partialPeriod', message: `the node stopped running at ${node.endTime}, before the period ended` });
  }

  const skippedOf = (source: SkippedSeriesTarget['source']): SkippedSeriesTarget[] => input.skippedSeries.filter((s) => s.source === source);
  const ec2Skipped = skippedOf('ec2');
  const ciSkipped = skippedOf('containerInsights');
  const agentSkipped = skippedOf('agent');
  const ec2DirectionSkipped = (direction: 'in' | 'out'): boolean => ec2Skipped.some((s) => s.direction === direction);

  // A source whose series were skipped is not known to be empty: it is a gap (partial), never "missing".
  if (input.ec2In === null && input.ec2Out === null && ec2Skipped.length === 0) {
    findings.push({ status: 'missingEc2', message: 'no EC2 NetworkIn/NetworkOut datapoint in this period' });
  }
  if (input.containerInsights === null && ciSkipped.length === 0) {
    findings.push({
      status: 'missingContainerInsights',
      message: 'no Container Insights node_network_total_bytes datapoint for this node in this period',
    });
  }
  if (input.agent === null && agentSkipped.length === 0 && input.agentRequired) {
    findings.push({
      status: 'missingAgent',
      message:
        'no per-interface counters from the agent (is the CloudWatch agent net plugin running with append_dimensions InstanceId?)',
    });
  }

  for (const [source, list] of [
    ['ec2', ec2Skipped],
    ['containerInsights', ciSkipped],
    ['agent', agentSkipped],
  ] as const) {
    if (list.length > 0) findings.push({ status: 'partialPeriod', message: skippedText(source, list) });
  }
  for (const [name, c, direction] of [
    ['EC2 NetworkIn', input.ec2In, 'in'],
    ['EC2 NetworkOut', input.ec2Out, 'out'],
  ] as const) {
    if (c === null && !ec2DirectionSkipped(direction) && (input.ec2In !== null || input.ec2Out !== null)) {
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
  // An interface whose other direction was skipped is already explained by the skipped-series finding.
  const oneSided = input.oneSidedInterfaces.filter((name) => !agentSkipped.some((s) => s.interfaceName === name));
  if (oneSided.length > 0) {
    findings.push({
      status: 'partialPeriod',
      message: `interface ${oneSided.join(', ')} has received or sent bytes but not both`,
    });
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
        message: `EC2 counted ${formatBytes(input.ec2TotalBytes)} but the ENIs' own counters ${formatBytes(input.correctedTotalBytes)} (${input.ec2TotalBytes === 0 ? 'EC2 saw nothing' : `${formatPercent(ratio)} apart`}; threshold ${formatPercent(t.ec2MismatchRatio)})`,
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
      findings.push({
        status: 'unexplainedResidual',
        message:
          residual > 0
            ? `Container Insights counted ${formatBytes(residual)} more than every interface the agent publishes (${formatPercent(ratio)} of it): an interface is missing from the agent's resources?`
            : `Container Insights counted ${formatBytes(-residual)} less than the interface sum the agent publishes (${formatPercent(ratio)} of it)`,
      });
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
