/**
 * One sentence that explains, in plain words, why Container Insights and EC2 disagree for a whole report.
 * Detection stays in the core; this only renders its figures.
 */
import { formatBytes, formatPercent } from '../core/format-bytes';
import type { ClusterPeriodResult, ReconcileReport } from '../core/model';

type Field = 'ec2InBytes' | 'ec2OutBytes' | 'containerInsightsTotalBytes' | 'correctedTotalBytes' | 'podRxBytes' | 'podTxBytes' | 'overlayBytes' | 'bridgeBytes' | 'doubleCountedBytes';

function total(periods: readonly ClusterPeriodResult[], field: Field): number | null {
  const present = periods.map((p) => p[field]).filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, v) => a + v, 0);
}

/** The whole window's totals both sentences compare: Container Insights, corrected and EC2 in + out (null when absent). */
function gapTotals(report: ReconcileReport) {
  const periods = report.clusterPeriods;
  const ec2In = total(periods, 'ec2InBytes');
  const ec2Out = total(periods, 'ec2OutBytes');
  return {
    periods,
    ci: total(periods, 'containerInsightsTotalBytes'),
    corrected: total(periods, 'correctedTotalBytes'),
    ec2: ec2In === null || ec2Out === null ? null : ec2In + ec2Out,
  };
}

export function explainGap(report: ReconcileReport): string {
  const { periods, ci, corrected, ec2 } = gapTotals(report);
  if (report.summary.nodePeriods === 0) {
    const skipped = report.summary.nodesSkipped;
    return `No node ran in any period of the window, so there is nothing to compare${skipped > 0 ? `; ${skipped} node${skipped === 1 ? ' was' : 's were'} skipped (see the warnings)` : ''}.`;
  }
  if (corrected === null) {
    return 'No node has per-interface counters from the agent, so the gap between the views cannot be explained: deploy the CloudWatch agent net plugin (see docs/deploy.md, Prerequisites).';
  }
  if (ci === null) {
    return `Container Insights has no data here; counted once at the ENIs the nodes moved ${formatBytes(corrected)}${ec2 === null ? '' : ` against EC2's ${formatBytes(ec2)}`}.`;
  }
  const pod = (total(periods, 'podRxBytes') ?? 0) + (total(periods, 'podTxBytes') ?? 0);
  const devices = (total(periods, 'overlayBytes') ?? 0) + (total(periods, 'bridgeBytes') ?? 0);
  const reference = ec2 ?? corrected;
  const ratio = reference === 0 ? null : ci / reference;
  const versus = ec2 === null ? `the ENIs' ${formatBytes(corrected)}` : `EC2's ${formatBytes(ec2)}`;
  const onceAtEnis =
    ec2 === null || ec2 === 0
      ? `counted once, at the ENIs, the nodes moved ${formatBytes(corrected)}`
      : `counted once, at the ENIs, the nodes moved ${formatBytes(corrected)}, ${formatPercent(Math.abs(ec2 - corrected) / ec2)} from EC2`;
  const extra = devices > 0 ? `, and ${formatBytes(devices)} more on overlay and bridge devices` : '';
  return (
    `Container Insights counted ${formatBytes(ci)}${ratio === null ? '' : `, ${ratio.toFixed(2)}× ${versus}`}, because it sums every interface ` +
    `but lo/veth/docker/nerdctl: the ${formatBytes(pod)} that pods sent and received through their host-side veths ` +
    `(eni…, cali…, lxc…) were counted again on top of the same bytes on the ENIs${extra}; ${onceAtEnis}.`
  );
}

/** The gap in one line, for a title: "Container Insights counted 2.00× EC2 because it counts pod traffic twice". */
export function gapHeadline(report: ReconcileReport): string {
  const { periods, ci, corrected, ec2 } = gapTotals(report);
  if (ci === null) return 'Container Insights has no data for this cluster';
  const reference = ec2 ?? corrected;
  if (reference === null || reference === 0) return `Container Insights counted ${formatBytes(ci)}; there is nothing to compare it with`;
  const ratio = `${(ci / reference).toFixed(2)}× ${ec2 === null ? 'the ENIs' : 'EC2'}`;
  if (corrected === null) return `Container Insights counted ${ratio}; without the agent's per-interface counters netrecon cannot say why`;
  const pod = (total(periods, 'podRxBytes') ?? 0) + (total(periods, 'podTxBytes') ?? 0);
  const devices = (total(periods, 'overlayBytes') ?? 0) + (total(periods, 'bridgeBytes') ?? 0);
  if (pod === 0 && devices === 0) return `Container Insights counted ${ratio}: no pod or overlay traffic was counted twice`;
  const what = pod > 0 && devices > 0 ? 'pod traffic and overlay or bridge traffic' : pod > 0 ? 'pod traffic' : 'overlay and bridge traffic';
  return `Container Insights counted ${ratio} because it counts ${what} twice`;
}
