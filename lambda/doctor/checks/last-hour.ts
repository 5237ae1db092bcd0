/**
 * What a reconcile of the last hour says, as checks: the core's own report (lambda/core/reconcile.ts, run by the
 * pipeline's read path in doctor-read.ts) turned into failed checks with their fix wherever it is not `ok`. The
 * name checks judge what the series are called; these judge what they count: the agent's ENI counters against
 * EC2 (`ec2Mismatch`), Container Insights against the agent's interface sum (`unexplainedResidual`), and every
 * gap (a source missing or partial, an input skipped). "Ready" therefore means a reconcile of the last hour
 * would be `ok` (docs/doctor.md, "The last hour"). Pure.
 */
import { classifyInterface } from '../../core/interface-rules';
import { formatBytes, formatPercent } from '../../core/format-bytes';
import type { Finding, FindingCode, NodePeriodResult, ReconcileReport } from '../../core/model';
import { agentConfigFix, agentProfileFor } from '../fixes';
import type { Check, CheckFix, LastHourSummary } from '../model';
import type { AgentDefects } from './agent-health';
import { check, nodesText, nodesVerb, type CheckContext } from './context';

/** The summary the JSON report carries as `lastHour`. */
export function lastHourSummary(report: ReconcileReport): LastHourSummary {
  const s = report.summary;
  return {
    sourceProfile: report.sourceProfile,
    window: report.window,
    nodePeriods: s.nodePeriods,
    nodePeriodsByStatus: s.nodePeriodsByStatus,
    seriesSkipped: s.seriesSkipped,
    nodesSkipped: s.nodesSkipped,
    ok: s.nodePeriods === s.nodePeriodsByStatus.ok && report.skipped.length === 0,
  };
}

/** Node-periods with a finding of one of these codes, by instance. */
function byNode(report: ReconcileReport, codes: ReadonlySet<FindingCode>): Map<string, { periods: NodePeriodResult[]; findings: Finding[] }> {
  const out = new Map<string, { periods: NodePeriodResult[]; findings: Finding[] }>();
  for (const np of report.nodePeriods) {
    const found = np.findings.filter((f) => codes.has(f.code));
    if (found.length === 0) continue;
    const entry = out.get(np.instanceId) ?? { periods: [], findings: [] };
    entry.periods.push(np);
    for (const f of found) entry.findings.push(f);
    out.set(np.instanceId, entry);
  }
  return out;
}

const periodsText = (n: number, report: ReconcileReport): string => `${n.toLocaleString('en-US')} of ${report.summary.nodePeriods.toLocaleString('en-US')} node-periods of the last hour`;

/** Joins the distinct fix sentences of the causes found, keeping the first agent configuration command. */
function composeFix(parts: readonly CheckFix[]): CheckFix | undefined {
  if (parts.length === 0) return undefined;
  const texts = [...new Set(parts.map((p) => p.text))];
  const withCommand = parts.find((p) => p.command !== undefined);
  const withFlags = parts.find((p) => p.cdkFlags !== undefined);
  return {
    text: texts.join(' '),
    ...(withCommand?.command ? { command: withCommand.command } : {}),
    ...(withCommand?.agentConfig ? { agentConfig: withCommand.agentConfig } : {}),
    ...(withFlags?.cdkFlags ? { cdkFlags: withFlags.cdkFlags } : {}),
  };
}

const POD_NETNS_FIX =
  "Their agent counts far less than EC2, as an agent in a pod's network namespace does (it counts that pod's eth0, not the node's ENIs): run the agent in the host's network namespace, on the node itself or as a DaemonSet with hostNetwork: true (the CloudWatch Observability add-on does this). Until then, -c sourceProfile=agentless reads no agent and reconciles every node from EC2.";

export function reconcileEc2Mismatch(ctx: CheckContext, defects: AgentDefects, report: ReconcileReport): Check {
  const nodes = byNode(report, new Set<FindingCode>(['ec2Mismatch']));
  if (nodes.size === 0) {
    const compared = report.nodePeriods.filter((np) => np.ec2DiscrepancyRatio !== null).length;
    return check(
      'reconcile-ec2-mismatch',
      'pass',
      compared > 0
        ? `the agent's ENI counters agree with EC2 in every node-period of the last hour they were compared in (${compared.toLocaleString('en-US')})`
        : `no node-period of the last hour compares the agent's ENI counters with EC2 (the ${report.sourceProfile} profile${report.sourceProfile === 'mixed' ? ' on these nodes' : ''} has no such check, or no source was complete)`,
    );
  }
  let worst: Extract<Finding, { code: 'ec2Mismatch' }> | null = null;
  let periods = 0;
  const fixes: CheckFix[] = [];
  const byId = new Map(ctx.obs.nodes.map((n) => [n.instanceId, n]));
  for (const [id, { periods: nps, findings }] of nodes) {
    periods += nps.length;
    for (const f of findings) if (f.code === 'ec2Mismatch' && (worst === null || f.discrepancyRatio > worst.discrepancyRatio)) worst = f;
    const physical = [...(ctx.agent.byInstance.get(id)?.interfaces ?? [])].filter((n) => classifyInterface(n, ctx.obs.settings.rules).interfaceClass === 'physical');
    const enis = byId.get(id)?.eniCount ?? 0;
    if (defects.podNetns.has(id)) fixes.push({ text: POD_NETNS_FIX, ...agentConfigFix(agentProfileFor(ctx.judged, true), ctx.agentTarget) });
    else if (defects.wrongUnit.has(id)) {
      fixes.push({ text: 'Their agent publishes net_bytes in another unit than Bytes (agent-units): remove the "unit" override from its net section.', ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget) });
    } else if (physical.length < enis) {
      fixes.push({ text: `Their agent collects ${physical.length} physical interface(s) of ${enis} ENIs attached: collect every ENI (eth*, ens*), as the configuration this command prints does.`, ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget) });
    } else {
      fixes.push({
        text:
          'The ENIs\' own counters and EC2 NetworkIn/NetworkOut count the same bytes (docs/domain.md): a lasting gap means the agent does not count the node\'s ENIs as they are (another network namespace, an interface filter, a unit override). Compare its net section with the configuration this command prints; ' +
          'if the gap is traffic EC2 really does not count, raise the threshold (-c thresholds=\'{"ec2MismatchRatio": …}\').',
        ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget),
      });
    }
  }
  const w = worst!;
  return check(
    'reconcile-ec2-mismatch',
    'fail',
    `${nodesVerb(nodes.size, 'have')} agent ENI counters that disagree with EC2 in ${periodsText(periods, report)} (worst: the ENIs counted ${formatBytes(w.correctedTotalBytes)} where EC2 counted ${formatBytes(w.ec2TotalBytes)}, off by ${formatPercent(w.discrepancyRatio)}, more than the ${formatPercent(w.thresholdRatio)} allowed): reconcile would report them ec2Mismatch`,
    nodes.keys(),
    composeFix(fixes),
  );
}

export function reconcileResidual(ctx: CheckContext, report: ReconcileReport): Check {
  const nodes = byNode(report, new Set<FindingCode>(['containerInsightsResidual']));
  if (nodes.size === 0) {
    const compared = report.nodePeriods.filter((np) => np.containerInsightsResidualBytes !== null).length;
    return check(
      'reconcile-residual',
      'pass',
      compared > 0
        ? `Container Insights agrees with the agent's interface sum in every node-period of the last hour they were compared in (${compared.toLocaleString('en-US')})`
        : `no node-period of the last hour compares Container Insights with the agent's interface sum (only nodes whose agent collects every interface have that check, and only with complete sources)`,
    );
  }
  let worst: Extract<Finding, { code: 'containerInsightsResidual' }> | null = null;
  let periods = 0;
  const fixes: CheckFix[] = [];
  for (const [id, { periods: nps, findings }] of nodes) {
    periods += nps.length;
    let residual = 0;
    for (const f of findings) {
      if (f.code !== 'containerInsightsResidual') continue;
      residual += f.residualBytes;
      if (worst === null || Math.abs(f.residualBytes) > Math.abs(worst.residualBytes)) worst = f;
    }
    const unknown = [...(ctx.agent.byInstance.get(id)?.interfaces ?? [])].filter((n) => classifyInterface(n, ctx.obs.settings.rules).interfaceClass === 'unknown');
    if (unknown.length > 0) {
      fixes.push({ text: `Their agent publishes interfaces no rule classifies (${unknown.slice(0, 3).map((n) => JSON.stringify(n)).join(', ')}; agent-unclassified-interfaces): add a rule for each, as that check shows.` });
    } else if (residual > 0) {
      fixes.push({
        text: 'Container Insights counts more than the interfaces their agent publishes: the agent misses interfaces Container Insights sums (pod veths, a second ENI). Collect every interface (resources ["*"]), as the configuration this command prints does, or deploy with the enis profile, which has no residual check.',
        ...agentConfigFix('full', ctx.agentTarget),
      });
    } else {
      fixes.push({
        text: 'Their agent\'s interfaces add up to more than Container Insights counts: some interface Container Insights leaves out (a bridge, an overlay, a veth not named veth…) is classified as one it counts. Check the classes with netrecon rules NAME and add a rule (-c interfaceRules=…).',
      });
    }
  }
  const w = worst!;
  return check(
    'reconcile-residual',
    'fail',
    `${nodesVerb(nodes.size, 'have')} Container Insights and their agent's interface sum apart in ${periodsText(periods, report)} (worst: ${formatBytes(Math.abs(w.residualBytes))} ${w.residualBytes > 0 ? 'more' : 'less'} in Container Insights, ${formatPercent(w.residualRatio)} of it): reconcile would report them unexplainedResidual`,
    nodes.keys(),
    composeFix(fixes),
  );
}

/** Findings of a node that ran for only part of a period: nothing is wrong, the node launched or stopped. */
const LIFECYCLE = new Set<FindingCode>(['nodeLaunchedAfterStart', 'nodeStoppedBeforeEnd']);
const INCOMPLETE = new Set<FindingCode>([
  'noEc2Datapoint',
  'noContainerInsightsDatapoint',
  'noAgentCounters',
  'seriesSkipped',
  'ec2DirectionMissing',
  'sourceCoverageShort',
  'interfacesOneSided',
]);

const INCOMPLETE_FIX: Readonly<Partial<Record<FindingCode, (ctx: CheckContext) => CheckFix>>> = {
  noEc2Datapoint: () => ({ text: 'EC2 published no NetworkIn/NetworkOut for some nodes in some periods: check that the instances ran (a node is counted from its launch time) and that their metrics reach CloudWatch.' }),
  noContainerInsightsDatapoint: (ctx) => ({
    text: `Container Insights has no datapoint for some nodes in some periods (see container-insights-missing and container-insights-stale): install or repair the Amazon CloudWatch Observability add-on (aws eks create-addon --cluster-name ${ctx.obs.cluster} --addon-name amazon-cloudwatch-observability).`,
  }),
  noAgentCounters: (ctx) => ({
    text: `The ${ctx.judged} profile reads the agent and some nodes have no agent datapoint in some periods (see agent-missing and agent-stale): run the agent on every node with the configuration this command prints, or deploy a profile that does not need it.`,
    ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget),
  }),
  seriesSkipped: () => ({ text: 'Some series were skipped (their reason is in netrecon reconcile --dry-run\'s skipped list): their nodes\' periods are partial.' }),
  ec2DirectionMissing: () => ({ text: 'EC2 published one of NetworkIn/NetworkOut without the other for some periods: wait for late EC2 data, or check the instances.' }),
  sourceCoverageShort: (ctx) => ({
    text: `A source has too few samples in some periods (thresholds.minSampleFraction): an agent whose metrics_collection_interval is not 60 s, basic EC2 monitoring at periods under 300 s (ec2-monitoring), or a publisher that stopped within the hour. The agent's interval is in the configuration this command prints.`,
    ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget),
  }),
  interfacesOneSided: (ctx) => ({ text: 'The agent publishes bytes_recv without bytes_sent (or the reverse) for some interfaces: collect both, as the configuration this command prints does.', ...agentConfigFix(agentProfileFor(ctx.judged), ctx.agentTarget) }),
};

export function reconcileIncomplete(ctx: CheckContext, report: ReconcileReport): Check {
  const gaps = byNode(report, INCOMPLETE);
  const lifecycle = byNode(report, LIFECYCLE);
  const skipped = report.skipped;
  if (gaps.size === 0 && skipped.length === 0 && lifecycle.size === 0) {
    return check('reconcile-incomplete', 'pass', `every source of every node is complete in all ${report.summary.nodePeriods.toLocaleString('en-US')} node-periods of the last hour, and no input was skipped`);
  }
  if (gaps.size === 0 && skipped.length === 0) {
    const periods = [...lifecycle.values()].reduce((t, e) => t + e.periods.length, 0);
    return check('reconcile-incomplete', 'warn', `${nodesText(lifecycle.size)} launched or stopped within the last hour: ${periodsText(periods, report)} are partial (partialPeriod), as they will be for every node that comes or goes`, lifecycle.keys(), {
      text: 'Nothing to fix: a node is reconciled from its launch to its end. Run doctor again an hour after the cluster last scaled to see every node over whole periods.',
    });
  }
  const codes = new Map<FindingCode, number>();
  let periods = 0;
  for (const { periods: nps, findings } of gaps.values()) {
    periods += nps.length;
    for (const f of findings) codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
  }
  const parts: string[] = [];
  if (gaps.size > 0) {
    const statuses = new Map<string, number>();
    for (const { periods: nps } of gaps.values()) for (const np of nps) if (np.status !== 'ok') statuses.set(np.status, (statuses.get(np.status) ?? 0) + 1);
    const shown = [...statuses].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n.toLocaleString('en-US')}`).join(', ');
    parts.push(`${nodesVerb(gaps.size, 'have')} a source missing or partial in ${periodsText(periods, report)} (${shown || 'partial'})`);
  }
  if (skipped.length > 0) {
    const first = skipped[0]!;
    parts.push(`${skipped.length.toLocaleString('en-US')} input${skipped.length === 1 ? ' was' : 's were'} skipped (first: ${first.ref}: ${first.reason})`);
  }
  const fixes = [...codes.keys()].flatMap((code) => INCOMPLETE_FIX[code]?.(ctx) ?? []);
  if (skipped.length > 0 && !codes.has('seriesSkipped')) fixes.push(INCOMPLETE_FIX.seriesSkipped!(ctx));
  const ids = new Set([...gaps.keys(), ...skipped.flatMap((s) => (s.series ? [s.series.instanceId] : s.kind === 'node' ? [s.ref] : []))]);
  return check('reconcile-incomplete', 'fail', `${parts.join('; ')}: reconcile would not report them ok`, ids, composeFix(fixes));
}
