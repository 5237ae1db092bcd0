/**
 * `netrecon doctor`'s diagnosis: from what the reads found (DoctorObservations) and the reconcile of the last hour
 * (the core's own report) to the JSON report (docs/doctor.md): every check with its severity, the nodes concerned
 * and the fix, the recommended profile and the monthly cost of each profile. Ready means no check failed, and a
 * check fails wherever the last hour's reconcile is not ok (checks/last-hour.ts). Pure: no I/O, the time comes in
 * the observations.
 */
import type { ReconcileReport } from '../core/model';
import type { SourceProfile } from '../core/source-profile';
import { agentView } from './agent-view';
import { agentExtraDimensions, agentMissing, agentNoInstanceId } from './checks/agent-presence';
import { agentDefects, agentPodNetns, agentStale, agentUnclassifiedInterfaces, agentUnits } from './checks/agent-health';
import { containerInsightsAddressable, containerInsightsMissing, containerInsightsStale } from './checks/container-insights';
import type { CheckContext } from './checks/context';
import { ec2Monitoring } from './checks/ec2-monitoring';
import { lastHourSummary, reconcileEc2Mismatch, reconcileIncomplete, reconcileResidual } from './checks/last-hour';
import { nodesFound, nodesOtherTag } from './checks/nodes';
import { profileCosts, promqlProfileCosts } from './costs';
import { filterTag } from './fixes';
import type { Check, DoctorObservations, DoctorReport, PromqlCoverage } from './model';
import { recommendProfile, recommendWithPromql } from './recommend';

/** The profile the checks judge against and the last hour is reconciled with: `--source-profile`, else the recommended one. */
export function judgedProfile(obs: DoctorObservations): SourceProfile {
  if (obs.settings.intendedProfile) return obs.settings.intendedProfile;
  const agent = agentView(obs);
  return recommendProfile(obs, agent, agentDefects({ obs, agent })).profile;
}

/**
 * `lastHour`: the reconcile of the last hour under judgedProfile(obs), as `netrecon reconcile --dry-run` would
 * report it; null when it did not run (no node found, no closed period). `promql`: what `--promql-url` found; it
 * adds the PromQL rows to the costs and, where its series cover every node, `promqlRecommendation`. The checks and
 * `recommendedProfile` stay the agent's: that deploy works without a PromQL source.
 */
export function diagnose(obs: DoctorObservations, lastHour: ReconcileReport | null = null, promql?: PromqlCoverage): DoctorReport {
  const agent = agentView(obs);
  const defects = agentDefects({ obs, agent });
  const recommendation = recommendProfile(obs, agent, defects);
  const base = { obs, agent, judged: obs.settings.intendedProfile ?? recommendation.profile, agentTarget: 'ec2' as const };
  // Container Insights comes with the CloudWatch Observability add-on: where it runs, the agent is the add-on's.
  const ctx: CheckContext = { ...base, agentTarget: containerInsightsAddressable(base).size > 0 ? 'addon' : 'ec2' };

  const checks: Check[] = [nodesFound(ctx), nodesOtherTag(ctx)];
  if (obs.nodes.length > 0) {
    checks.push(
      ec2Monitoring(ctx),
      containerInsightsMissing(ctx),
      containerInsightsStale(ctx),
      agentMissing(ctx),
      agentNoInstanceId(ctx),
      agentExtraDimensions(ctx),
      agentPodNetns(ctx, defects),
      agentStale(ctx, defects),
      agentUnclassifiedInterfaces(ctx),
      agentUnits(ctx, defects),
    );
    if (lastHour) checks.push(reconcileEc2Mismatch(ctx, defects, lastHour), reconcileResidual(ctx, lastHour), reconcileIncomplete(ctx, lastHour));
  }
  const costs = profileCosts(obs, agent, recommendation.mixedNodeProfiles, new Set([...defects.podNetns].filter(([, how]) => how === 'certain').map(([id]) => id)));
  // What the agents publish now: mixed keeps them as they are.
  const promqlRecommendation = promql ? recommendWithPromql(obs, promql, costs.find((c) => c.sourceProfile === 'mixed')?.agentUsdPerMonth ?? 0) : undefined;
  return {
    cluster: obs.cluster,
    region: obs.region,
    ready: checks.every((c) => c.severity !== 'fail'),
    recommendedProfile: recommendation.profile,
    nodes: { count: obs.nodes.length, tag: filterTag(obs.settings.nodeFilter, obs.cluster) },
    lastHour: lastHour ? lastHourSummary(lastHour) : null,
    checks,
    costs: promql ? [...costs, ...promqlProfileCosts(obs, promql)] : costs,
    ...(promqlRecommendation ? { promqlRecommendation } : {}),
  };
}
