/**
 * Issue 11's source profiles end to end: the small clusters of seed-clusters.ts seeded in one batch, then
 * `netrecon reconcile --cluster pe-P --source-profile P --dry-run --format json` per profile, its node-periods,
 * cluster periods and the datums it would publish compared with the hand formula of profile-expected.ts.
 * The CLI runs in-process (cli-in-process.ts): four runs, not four Node starts.
 */
import { SOURCE_PROFILES, type SourceProfile } from '../../lambda/core/source-profile';
import { NODE_STATUSES } from '../../lambda/core/model';
import { CLUSTER_METRICS, DIMENSION, LEDGER_METRIC } from '../../lambda/output-metrics';
import { RUN_SETTINGS } from '../../lambda/settings';
import { parseJsonOutput, runCliInProcess } from '../lib/cli-in-process';
import { PERIOD_SECONDS } from '../lib/cluster-model';
import { closeEnough } from '../lib/expected';
import { CHECKED_FIGURES, expectedProfileRun, type ExpectedClusterPeriod, type ExpectedNodePeriod } from '../lib/profile-expected';
import { seedSpecClusters, timelineFor } from '../lib/profile-seeds';
import { ALL_SEED_CLUSTERS, MISCONFIG_CLUSTERS, PROFILE_CLUSTERS } from '../lib/seed-clusters';
import type { StepDefinition, StepFigures } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

/**
 * Whole periods each profile cluster is reconciled over: an hour, the window `netrecon doctor` reconciles
 * (docs/doctor.md, "The last hour"), so the doctor steps compare it with a reconcile of the same hour.
 */
export const PROFILE_PERIODS = 12;

/** The JSON report's fields this step reads (model.ts), loosely typed: the point is to catch the product disagreeing. */
interface ReportJson {
  readonly sourceProfile: string;
  readonly nodePeriods: readonly (Record<string, unknown> & { instanceId: string; periodStart: string })[];
  readonly clusterPeriods: readonly (Record<string, unknown> & { periodStart: string })[];
  readonly publish?: { readonly datums: readonly { MetricName: string; Dimensions?: { Name: string; Value: string }[]; Value: number; Timestamp: string }[] };
}

function same(actual: unknown, expected: number | null): boolean {
  if (expected === null) return actual === null;
  return typeof actual === 'number' && closeEnough(actual, expected);
}

function compareNodes(report: ReportJson, expected: readonly ExpectedNodePeriod[], counter: { n: number }): string[] {
  const problems: string[] = [];
  if (report.nodePeriods.length !== expected.length) problems.push(`${report.nodePeriods.length} node-periods, expected ${expected.length}`);
  for (const want of expected) {
    const got = report.nodePeriods.find((np) => np.instanceId === want.instanceId && new Date(np.periodStart).toISOString() === want.periodStart);
    const at = `node ${want.key} (${want.instanceId}) @${want.periodStart}`;
    if (!got) {
      problems.push(`${at}: not in the report`);
      continue;
    }
    for (const [field, value] of [['sourceProfile', want.sourceProfile], ['basis', want.basis], ['status', want.status]] as const) {
      counter.n += 1;
      if (got[field] !== value) problems.push(`${at}: ${field} ${JSON.stringify(got[field])}, expected ${value}`);
    }
    for (const field of CHECKED_FIGURES) {
      counter.n += 1;
      if (!same(got[field], want.figures[field])) problems.push(`${at}: ${field} ${JSON.stringify(got[field])}, expected ${want.figures[field]}`);
    }
  }
  return problems;
}

function compareClusterPeriods(report: ReportJson, cluster: string, expected: readonly ExpectedClusterPeriod[], counter: { n: number }): string[] {
  const problems: string[] = [];
  if (report.clusterPeriods.length !== expected.length) problems.push(`${report.clusterPeriods.length} cluster periods, expected ${expected.length}`);
  const datums = report.publish?.datums ?? [];
  for (const want of expected) {
    const at = `cluster @${want.periodStart}`;
    const got = report.clusterPeriods.find((cp) => new Date(cp.periodStart).toISOString() === want.periodStart);
    if (!got) {
      problems.push(`${at}: not in the report`);
      continue;
    }
    const basis = got.nodesByBasis as Record<string, number> | undefined;
    counter.n += 3;
    if (basis?.agent !== want.nodesByBasis.agent || basis?.ec2 !== want.nodesByBasis.ec2) problems.push(`${at}: nodesByBasis ${JSON.stringify(basis)}, expected ${JSON.stringify(want.nodesByBasis)}`);
    if (!same(got.agentCoverageRatio, want.agentCoverageRatio)) problems.push(`${at}: agentCoverageRatio ${JSON.stringify(got.agentCoverageRatio)}, expected ${want.agentCoverageRatio}`);
    for (const [field, value] of Object.entries(want.figures)) {
      counter.n += 1;
      if (!same(got[field], value)) problems.push(`${at}: ${field} ${JSON.stringify(got[field])}, expected ${value}`);
    }
    const statuses = got.nodesByStatus as Record<string, number> | undefined;
    for (const status of NODE_STATUSES) {
      counter.n += 1;
      if ((statuses?.[status] ?? 0) !== (want.nodesByStatus[status] ?? 0)) problems.push(`${at}: nodesByStatus.${status} ${statuses?.[status]}, expected ${want.nodesByStatus[status] ?? 0}`);
    }

    // What the run would publish for this period: exactly the figures the profile computes, plus NodeCount per status.
    const ofPeriod = datums.filter((d) => new Date(d.Timestamp).toISOString() === want.periodStart);
    // The ledger marker rides along in the same request; it vouches for the figures and is none itself.
    const clusterLevel = ofPeriod.filter(
      (d) => d.MetricName !== LEDGER_METRIC.name && d.Dimensions?.length === 1 && d.Dimensions[0]!.Name === DIMENSION.cluster && d.Dimensions[0]!.Value === cluster,
    );
    const published = new Map(clusterLevel.map((d) => [d.MetricName, d.Value]));
    for (const name of new Set([...published.keys(), ...Object.keys(want.published)])) {
      counter.n += 1;
      const value = want.published[name];
      if (value === undefined) problems.push(`${at}: would publish ${name} = ${published.get(name)}, which this profile cannot compute`);
      else if (!published.has(name) || !closeEnough(published.get(name)!, value)) problems.push(`${at}: would publish ${name} = ${published.get(name) ?? 'nothing'}, expected ${value}`);
    }
    for (const status of NODE_STATUSES) {
      counter.n += 1;
      const d = ofPeriod.find((x) => x.MetricName === CLUSTER_METRICS.nodeCount.name && x.Dimensions?.some((dim) => dim.Name === DIMENSION.status && dim.Value === status));
      if (d?.Value !== (want.nodesByStatus[status] ?? 0)) problems.push(`${at}: would publish NodeCount/${status} = ${d?.Value ?? 'nothing'}, expected ${want.nodesByStatus[status] ?? 0}`);
    }
  }
  return problems;
}

function profileStep(context: SuiteContext, profile: SourceProfile): StepDefinition {
  const cluster = PROFILE_CLUSTERS[profile].name;
  return {
    title: `Profile ${profile}: reconcile --cluster ${cluster} --source-profile ${profile} --dry-run gives the hand formula's figures and would publish only what ${profile} can compute`,
    group: 'profiles',
    skipBecause: () => (context.specSeed ? undefined : 'the profile clusters were not seeded'),
    run: async (figures: StepFigures) => {
      const { timeline, result } = context.specSeed!;
      const seeded = result.clusters.get(cluster)!;
      const start = new Date(timeline.startEpochSeconds * 1000).toISOString();
      const end = new Date((timeline.startEpochSeconds + timeline.reconcilePeriods * PERIOD_SECONDS) * 1000).toISOString();
      const argv = ['reconcile', '--cluster', cluster, '--region', context.sandbox!.region, '--source-profile', profile, '--start', start, '--end', end, '--dry-run', '--format', 'json'];
      const run = await runCliInProcess(argv);
      const expected = expectedProfileRun(profile, seeded, timeline);
      // Exit 2 when a node-period is not ok (enis seeds an ec2Mismatch on purpose), 0 when all are.
      const wantCode = expected.nodePeriods.every((np) => np.status === 'ok') ? 0 : 2;
      const report = parseJsonOutput<ReportJson>(run, `netrecon ${argv.join(' ')}`);
      const counter = { n: 1 };
      const problems = [
        ...(run.code === wantCode ? [] : [`exit ${run.code}, expected ${wantCode}`]),
        ...(report.sourceProfile === profile ? [] : [`report.sourceProfile ${report.sourceProfile}`]),
        ...compareNodes(report, expected.nodePeriods, counter),
        ...compareClusterPeriods(report, cluster, expected.clusterPeriods, counter),
      ];
      figures.compared = counter.n;
      const byNode = seeded.nodes.map((n) => {
        const e = expected.nodePeriods.find((np) => np.instanceId === n.instanceId)!;
        return `${n.spec.key} ${e.sourceProfile}/${e.basis}/${e.status}`;
      });
      const first = expected.clusterPeriods[0]!;
      figures.notes.push(
        `${run.ms.toFixed(0)} ms, exit ${run.code}; nodes ${byNode.join(', ')}`,
        `period 1: counted once ${first.figures.correctedTotalBytes} B, double-counted ${first.figures.doubleCountedBytes} B, pod estimate ${first.figures.podEstimatedBytes ?? '-'}, ` +
          `EC2 ratio ${first.figures.ec2DiscrepancyRatio?.toFixed(4) ?? '-'}, residual ${first.figures.containerInsightsResidualBytes ?? '-'}; would publish ${Object.keys(first.published).length} cluster metrics + NodeCount`,
      );
      if (problems.length > 0) throw new Error(`${problems.length} difference(s) from the hand formula:\n${problems.slice(0, 20).join('\n')}`);
    },
  };
}

/** The batch seed both the profile and the doctor steps read. */
export function specSeedSteps(context: SuiteContext): StepDefinition[] {
  return [
    {
      title: `Seed ${Object.keys(PROFILE_CLUSTERS).length} profile clusters and ${Object.keys(MISCONFIG_CLUSTERS).length} misconfigured ones in one batch`,
      run: async (figures) => {
        const nowSeconds = Date.now() / 1000;
        const timeline = timelineFor(nowSeconds, PROFILE_PERIODS, RUN_SETTINGS.lagSeconds.default);
        const result = await seedSpecClusters(ALL_SEED_CLUSTERS, timeline, nowSeconds, context.clients!.ec2, context.clients!.cloudwatch);
        context.specSeed = { result, timeline };
        const nodes = [...result.clusters.values()].reduce((t, c) => t + c.nodes.length, 0);
        figures.notes.push(
          `${result.clusters.size} clusters, ${nodes} nodes; ${result.series} series, ${result.datapoints} datapoints in ${result.putCalls} PutMetricData calls`,
          `timeline ${new Date(timeline.startEpochSeconds * 1000).toISOString()} + ${timeline.minutes} minutes; reconciled: the first ${timeline.reconcilePeriods} periods`,
        );
      },
    },
  ];
}

export function profileSteps(context: SuiteContext): StepDefinition[] {
  return SOURCE_PROFILES.map((profile) => profileStep(context, profile));
}
