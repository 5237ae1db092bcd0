/**
 * A finding in plain words. The core's checks (lambda/core/status.ts) return codes and figures; this is the one
 * place that words them, for the table, the HTML page, the JSON report's `message` and the lab's summary.
 */
import { formatBytes, formatPercent } from '../core/format-bytes';
import type { Finding, NodePeriodResult, ReconcileReport, SkippedSeriesTarget } from '../core/model';

const SOURCE_LABEL: Readonly<Record<SkippedSeriesTarget['source'], string>> = {
  ec2: 'EC2',
  containerInsights: 'Container Insights',
  agent: 'agent',
};

const MEASURE_LABEL: Readonly<Record<Extract<Finding, { code: 'sourceCoverageShort' }>['measure'], string>> = {
  ec2In: 'EC2 NetworkIn',
  ec2Out: 'EC2 NetworkOut',
  containerInsights: 'Container Insights',
  agent: 'the agent',
};

function seriesName(s: SkippedSeriesTarget): string {
  if (s.source === 'agent') return `${s.interfaceName ?? '(no interface)'} ${s.direction}`;
  if (s.source === 'ec2') return s.direction === 'in' ? 'NetworkIn' : 'NetworkOut';
  return 'node_network_total_bytes';
}

export function findingWords(f: Finding): string {
  switch (f.code) {
    case 'nodeLaunchedAfterStart':
      return `the node launched at ${f.launchTime}, after the period began`;
    case 'nodeStoppedBeforeEnd':
      return `the node stopped running at ${f.endTime}, before the period ended`;
    case 'lifetimeUnknown':
      return 'EC2 no longer lists the instance, and neither Container Insights nor the agent covers the whole period: it may have launched or stopped inside it';
    case 'noEc2Datapoint':
      return 'no EC2 NetworkIn/NetworkOut datapoint in this period';
    case 'noContainerInsightsDatapoint':
      return 'no Container Insights node_network_total_bytes datapoint for this node in this period';
    case 'noAgentCounters':
      return 'no per-interface counters from the agent (is the CloudWatch agent net plugin running with append_dimensions InstanceId?)';
    case 'seriesSkipped': {
      const names = [...new Set(f.series.map(seriesName))].sort();
      const were = names.length === 1 ? 'series was' : 'series were';
      return `this node's ${SOURCE_LABEL[f.source]} ${were} skipped (${names.join(', ')}; see the warnings): that source is incomplete, reported as is and not compared`;
    }
    case 'ec2DirectionMissing':
      return `EC2 ${f.direction === 'in' ? 'NetworkIn' : 'NetworkOut'} has no datapoint in this period`;
    case 'sourceCoverageShort':
      return `${MEASURE_LABEL[f.measure]} covers ${f.coveredSeconds} of ${f.periodSeconds} s of the period; it is reported as is, not scaled up`;
    case 'interfacesOneSided':
      return `interface ${f.interfaces.join(', ')} has received or sent bytes but not both`;
    case 'ec2Mismatch':
      return `EC2 counted ${formatBytes(f.ec2TotalBytes)} but the ENIs' own counters ${formatBytes(f.correctedTotalBytes)} (${f.ec2TotalBytes === 0 ? 'EC2 saw nothing' : `${formatPercent(f.discrepancyRatio)} apart`}; threshold ${formatPercent(f.thresholdRatio)})`;
    case 'containerInsightsResidual':
      return f.residualBytes > 0
        ? `Container Insights counted ${formatBytes(f.residualBytes)} more than every interface the agent publishes (${formatPercent(f.residualRatio)} of it): an interface is missing from the agent's resources?`
        : `Container Insights counted ${formatBytes(-f.residualBytes)} less than the interface sum the agent publishes (${formatPercent(f.residualRatio)} of it)`;
  }
}

/** A finding as the JSON report has always shown it: its status and its sentence. */
export interface WordedFinding {
  readonly status: Finding['status'];
  readonly message: string;
}

export const wordedFinding = (f: Finding): WordedFinding => ({ status: f.status, message: findingWords(f) });

export type WordedReport = Omit<ReconcileReport, 'nodePeriods'> & {
  readonly nodePeriods: readonly (Omit<NodePeriodResult, 'findings'> & { readonly findings: readonly WordedFinding[] })[];
};

/** The report with every finding worded, for the JSON output (field names and order as before). */
export function withWordedFindings(report: ReconcileReport): WordedReport {
  return { ...report, nodePeriods: report.nodePeriods.map(wordedNodePeriod) };
}

/** One node-period with its findings worded, for a writer that streams them one at a time. */
export function wordedNodePeriod(np: NodePeriodResult): WordedReport['nodePeriods'][number] {
  return { ...np, findings: np.findings.map(wordedFinding) };
}
