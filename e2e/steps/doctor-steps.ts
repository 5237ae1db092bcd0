/**
 * Issue 11's `netrecon doctor` end to end: `doctor --cluster X --format json` (docs/doctor.md) on the clusters of
 * seed-clusters.ts: the ready one (pe-full) and one per misconfiguration. Each must be found, with its check code
 * at warn or fail, the nodes concerned named and the fix given; the exit code follows `ready`. The CLI runs
 * in-process (one Node start for all of them); one last step spawns bin/netrecon.mjs to see the process's own
 * exit code on a ready and a not-ready cluster.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { join } from 'node:path';
import { ec2Filters, parseNodeFilter } from '../../lambda/aws/inventory';
import { parseJsonOutput, runCliInProcess } from '../lib/cli-in-process';
import { CONTRACT_CODES, DOCTOR_CASES, EXIT_NOT_READY, EXIT_READY, LAST_HOUR_OK, contractProblems, faultyNodes, type DoctorJson, type DoctorLastHourJson } from '../lib/doctor-expectations';
import { runProcess } from '../lib/proc';
import { ALL_SEED_CLUSTERS, MISCONFIG_CLUSTERS, PROFILE_CLUSTERS, type MisconfigCase } from '../lib/seed-clusters';
import { REPO_DIR } from '../lib/sandbox';
import type { StepDefinition, StepFigures } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

const READY_CLUSTER = PROFILE_CLUSTERS.full.name;
/** What the ready cluster's agents publish now (seed-clusters.ts): f0 eth0, eth1, 2 veths, lo; f1 ens5, ens6, 1 veth, lo; rx and tx each. */
const READY_AGENT_SERIES = { all: 2 * (5 + 4), enis: 2 * (2 + 2) };
/** us-east-1 custom metric, per month (the issue's $19.80 for 66 series). */
const USD_PER_SERIES_MONTH = 0.3;

async function doctor(context: SuiteContext, cluster: string) {
  const argv = ['doctor', '--cluster', cluster, '--region', context.sandbox!.region, '--format', 'json'];
  const run = await runCliInProcess(argv);
  return { run, report: parseJsonOutput<DoctorJson & { lastHour: DoctorLastHourJson | null }>(run, `netrecon ${argv.join(' ')}`) };
}

/** The reconcile JSON report's fields the last-hour step reads (lambda/core/model.ts). */
interface ReconcileJson {
  readonly window: { readonly start: string; readonly end: string };
  readonly nodePeriods: readonly { readonly instanceId: string; readonly status: string }[];
  readonly skipped: readonly unknown[];
  readonly summary: { readonly nodePeriodsByStatus: Readonly<Record<string, number>> };
}

/**
 * Issue 18, item 4: on every seeded cluster, `doctor` then `reconcile --dry-run` of the hour doctor reconciled,
 * with the profile doctor judged against. Doctor is ready exactly where that reconcile exits 0, each node the
 * reconcile does not find ok is named by a failed check, and both agree with the seeds' design (LAST_HOUR_OK).
 */
function lastHourStep(context: SuiteContext): StepDefinition {
  return {
    title: `doctor is ready exactly where reconcile --dry-run of the same hour is ok, on all ${ALL_SEED_CLUSTERS.length} seeded clusters, and names every node that is not`,
    group: 'doctor',
    skipBecause: () => (context.specSeed ? undefined : 'the clusters were not seeded'),
    run: async (figures) => {
      const problems: string[] = [];
      let compared = 0;
      for (const spec of ALL_SEED_CLUSTERS) {
        const name = spec.name;
        const want = LAST_HOUR_OK[name];
        const { run, report } = await doctor(context, name);
        problems.push(...contractProblems(report, name, run.code).map((p) => `${name}: ${p}`));
        const last = report.lastHour;
        // Without a node (dr-other-tag) doctor reconciles nothing; the reconcile then runs as a user would, on the last hour.
        const argv = ['reconcile', '--cluster', name, '--region', context.sandbox!.region, '--dry-run', '--format', 'json', ...(last ? ['--source-profile', last.sourceProfile, '--start', last.window.start, '--end', last.window.end] : [])];
        const rec = await runCliInProcess(argv);
        const reconcileOk = rec.code === 0;
        const json = rec.code === 1 ? null : parseJsonOutput<ReconcileJson>(rec, `netrecon ${argv.join(' ')}`);
        compared += 3;
        if (want === undefined) problems.push(`${name}: no LAST_HOUR_OK expectation`);
        else {
          if (reconcileOk !== want.ok) problems.push(`${name}: reconcile exit ${rec.code}, expected ${want.ok ? 0 : 'not 0'} (${want.why}); stderr: ${rec.stderr.trim().split('\n').slice(-2).join(' | ')}`);
          if (report.ready !== want.ok) problems.push(`${name}: doctor ready ${report.ready}, expected ${want.ok} (${want.why})`);
        }
        if (report.ready !== reconcileOk) problems.push(`${name}: doctor ready ${report.ready} (exit ${run.code}) but reconcile --dry-run of the same hour exited ${rec.code}`);
        const failed = report.checks.filter((c) => c.severity === 'fail');
        if (json && last) {
          compared += 2;
          if (json.window.start !== last.window.start || json.window.end !== last.window.end) problems.push(`${name}: reconcile read ${json.window.start} .. ${json.window.end}, doctor ${last.window.start} .. ${last.window.end}`);
          if (last.ok !== reconcileOk) problems.push(`${name}: doctor's lastHour.ok ${last.ok}, reconcile exit ${rec.code}`);
          for (const [status, n] of Object.entries(json.summary.nodePeriodsByStatus)) {
            compared += 1;
            if ((last.nodePeriodsByStatus[status] ?? 0) !== n) problems.push(`${name}: doctor counts ${last.nodePeriodsByStatus[status] ?? 0} ${status} node-periods, reconcile ${n}`);
          }
          const named = new Set(failed.flatMap((c) => c.instanceIds));
          for (const id of new Set(json.nodePeriods.filter((np) => np.status !== 'ok').map((np) => np.instanceId))) {
            compared += 1;
            if (!named.has(id)) problems.push(`${name}: reconcile finds ${id} not ok, but no failed check of doctor names it`);
          }
        } else if (last) problems.push(`${name}: doctor reconciled the hour, reconcile --dry-run of it exited ${rec.code}: ${rec.stderr.trim().slice(-300)}`);
        const statuses = json ? Object.entries(json.summary.nodePeriodsByStatus).filter(([, n]) => n > 0).map(([st, n]) => `${n} ${st}`).join(', ') : 'no report';
        figures.notes.push(
          `${name}: doctor ${report.ready ? 'ready' : 'not ready'} (exit ${run.code}${failed.length ? `; fails ${failed.map((c) => c.code).join(', ')}` : ''}); ` +
            `reconcile${last ? ` --source-profile ${last.sourceProfile}` : ''} exit ${rec.code} (${statuses})`,
        );
      }
      failIf(problems, figures, compared);
    },
  };
}

function failIf(problems: string[], figures: StepFigures, compared: number): void {
  figures.compared = compared;
  if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.slice(0, 20).join('\n')}`);
}

const describe = (c: { code: string; severity: string; instanceIds: readonly string[] }) => `${c.code}=${c.severity}${c.instanceIds.length ? `(${c.instanceIds.length})` : ''}`;

function readyStep(context: SuiteContext): StepDefinition {
  return {
    title: `doctor on the ready cluster ${READY_CLUSTER}: exit 0, every documented check ran and passed, the agent's cost at its real series counts`,
    group: 'doctor',
    skipBecause: () => (context.specSeed ? undefined : 'the clusters were not seeded'),
    run: async (figures) => {
      const { run, report } = await doctor(context, READY_CLUSTER);
      const problems = contractProblems(report, READY_CLUSTER, run.code);
      if (run.code !== EXIT_READY) problems.push(`exit ${run.code}, expected ${EXIT_READY}`);
      if (report.nodes?.count !== 2 || report.nodes.tag !== 'eks:cluster-name') problems.push(`nodes ${JSON.stringify(report.nodes)}, expected 2 by eks:cluster-name`);
      if (report.recommendedProfile !== 'full') problems.push(`recommendedProfile ${report.recommendedProfile}, expected full (every node's agent collects every interface)`);
      for (const code of CONTRACT_CODES) {
        const found = report.checks.filter((c) => c.code === code);
        if (found.length !== 1) problems.push(`check ${code} appears ${found.length} times, expected once`);
        else if (found[0]!.severity !== 'pass') problems.push(`check ${code} is ${found[0]!.severity} on a ready cluster: ${found[0]!.summary}`);
      }
      // The agent's own series at this cluster's counts: every interface for full and mixed (each node keeps its
      // agent), the ENI series for enis, none for agentless.
      const wantAgent: Record<string, number> = {
        agentless: 0,
        enis: READY_AGENT_SERIES.enis * USD_PER_SERIES_MONTH,
        full: READY_AGENT_SERIES.all * USD_PER_SERIES_MONTH,
        mixed: READY_AGENT_SERIES.all * USD_PER_SERIES_MONTH,
      };
      for (const cost of report.costs) {
        const want = wantAgent[cost.sourceProfile];
        if (want !== undefined && Math.abs(cost.agentUsdPerMonth - want) > 0.005) problems.push(`costs.${cost.sourceProfile}.agentUsdPerMonth ${cost.agentUsdPerMonth}, expected ${want.toFixed(2)}`);
      }
      figures.notes.push(
        `${run.ms.toFixed(0)} ms, exit ${run.code}, ready ${report.ready}, recommends ${report.recommendedProfile}; ${report.checks.map(describe).join(' ')}`,
        `costs (netrecon + agent USD/month): ${report.costs.map((c) => `${c.sourceProfile} ${c.netreconUsdPerMonth} + ${c.agentUsdPerMonth} = ${c.totalUsdPerMonth}`).join('; ')}`,
      );
      failIf(problems, figures, CONTRACT_CODES.length + report.costs.length + 4);
    },
  };
}

/** The node filter the fix names, applied with DescribeInstances: it must find exactly the cluster's instances. */
async function nodeFilterProblems(context: SuiteContext, cdkFlags: string, cluster: string, instanceIds: readonly string[]): Promise<string[]> {
  const flag = /nodeFilter=('?)([^'\s]+)\1/.exec(cdkFlags);
  if (!flag) return [`fix.cdkFlags ${JSON.stringify(cdkFlags)} holds no -c nodeFilter=VALUE`];
  const filter = parseNodeFilter(flag[2]!);
  const answer = await context.clients!.ec2.send(new DescribeInstancesCommand({ Filters: [...ec2Filters(filter, cluster), { Name: 'instance-state-name', Values: ['running'] }] }));
  const found = (answer.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!).sort();
  const want = [...instanceIds].sort();
  return found.join(',') === want.join(',') ? [] : [`the fix's node filter ${flag[2]} finds [${found.join(', ')}], the cluster's nodes are [${want.join(', ')}]`];
}

function misconfigStep(context: SuiteContext, which: MisconfigCase): StepDefinition {
  const spec = MISCONFIG_CLUSTERS[which];
  const want = DOCTOR_CASES[which];
  return {
    title: `doctor on ${spec.name}: ${want.code} at ${want.severities.join(' or ')}, naming the faulty nodes and the fix (${want.fix.fields.join('/')} with "${want.fix.contains}")`,
    group: 'doctor',
    skipBecause: () => (context.specSeed ? undefined : 'the clusters were not seeded'),
    run: async (figures) => {
      const seeded = context.specSeed!.result.clusters.get(spec.name)!;
      const { faulty, healthy } = faultyNodes(which, seeded);
      const { run, report } = await doctor(context, spec.name);
      const problems = contractProblems(report, spec.name, run.code);
      const found = report.checks.find((c) => c.code === want.code);
      if (!found) problems.push(`no ${want.code} check`);
      else {
        if (!(want.severities as readonly string[]).includes(found.severity)) problems.push(`${want.code} is ${found.severity}, expected ${want.severities.join(' or ')}: ${found.summary}`);
        const named = new Set(found.instanceIds);
        if (want.names === 'faulty') for (const id of faulty) if (!named.has(id)) problems.push(`${want.code} does not name the faulty node ${id}`);
        for (const id of healthy) if (named.has(id)) problems.push(`${want.code} names the healthy node ${id}`);
        const fixFields = want.fix.fields.map((f) => found.fix?.[f] ?? '');
        if (!fixFields.some((v) => v.includes(want.fix.contains))) problems.push(`${want.code}'s fix has no ${want.fix.fields.join('/')} naming "${want.fix.contains}": ${JSON.stringify(found.fix)}`);
        if (which === 'nodesOtherTag' && found.fix?.cdkFlags) problems.push(...(await nodeFilterProblems(context, found.fix.cdkFlags, spec.name, faulty)));
      }
      if (want.severities.every((s) => s === 'fail') && run.code !== EXIT_NOT_READY) problems.push(`exit ${run.code}, expected ${EXIT_NOT_READY}: ${want.code} must make the cluster not ready`);
      if (which === 'nodesOtherTag') {
        const nodesFound = report.checks.find((c) => c.code === 'nodes-found');
        if (nodesFound?.severity !== 'fail') problems.push(`nodes-found is ${nodesFound?.severity ?? 'absent'}: the default filter tag:eks:cluster-name matches no instance of ${spec.name}`);
      }
      // Each fault raises its own check, not the others': the other clusters' codes pass (or did not run) here.
      for (const [other, otherCase] of Object.entries(DOCTOR_CASES)) {
        if (other === which) continue;
        const c = report.checks.find((x) => x.code === otherCase.code);
        if (c && c.severity !== 'pass') problems.push(`${otherCase.code} is ${c.severity} here, but ${spec.name} has no such fault: ${c.summary}`);
      }
      figures.notes.push(`${run.ms.toFixed(0)} ms, exit ${run.code}, ready ${report.ready}, recommends ${report.recommendedProfile}; ${report.checks.map(describe).join(' ')}`);
      if (found) figures.notes.push(`${found.code}: ${found.summary}`, `fix: ${JSON.stringify({ ...found.fix, agentConfig: found.fix?.agentConfig ? '…' : undefined })}`);
      failIf(problems, figures, 6 + Object.keys(DOCTOR_CASES).length);
    },
  };
}

/**
 * bin/netrecon.mjs as a user runs it, in the default table format: the process's exit code, not main()'s return
 * value. The tables (checks, fixes and the cost table) are kept in the work dir (`npm run e2e -- --keep`).
 */
function processExitStep(context: SuiteContext): StepDefinition {
  const notReady = MISCONFIG_CLUSTERS.agentStale.name;
  return {
    title: `bin/netrecon.mjs doctor (table) exits ${EXIT_READY} on ${READY_CLUSTER} and ${EXIT_NOT_READY} on ${notReady} (the processes)`,
    group: 'doctor',
    skipBecause: () => (context.specSeed ? undefined : 'the clusters were not seeded'),
    run: async (figures) => {
      const cli = join(REPO_DIR, 'bin', 'netrecon.mjs');
      const spawnDoctor = (cluster: string) =>
        runProcess(process.execPath, [cli, 'doctor', '--cluster', cluster, '--region', context.sandbox!.region], {
          env: { ...context.sandbox!.env },
          cwd: REPO_DIR,
          logPath: join(context.workDir, `doctor-${cluster}.log`),
          allowFailure: true,
        });
      const [ready, stale] = await Promise.all([spawnDoctor(READY_CLUSTER), spawnDoctor(notReady)]);
      const problems: string[] = [];
      if (ready.code !== EXIT_READY) problems.push(`${READY_CLUSTER}: exit ${ready.code}, expected ${EXIT_READY}; stderr: ${ready.stderr.trim().slice(-400)}`);
      if (stale.code !== EXIT_NOT_READY) problems.push(`${notReady}: exit ${stale.code}, expected ${EXIT_NOT_READY}; stderr: ${stale.stderr.trim().slice(-400)}`);
      figures.notes.push(
        `${READY_CLUSTER}: exit ${ready.code} in ${ready.seconds.toFixed(1)} s; ${notReady}: exit ${stale.code} in ${stale.seconds.toFixed(1)} s; ` +
          `tables in ${join(context.workDir, `doctor-${READY_CLUSTER}.log`)} and doctor-${notReady}.log`,
      );
      failIf(problems, figures, 2);
    },
  };
}

export function doctorSteps(context: SuiteContext): StepDefinition[] {
  return [readyStep(context), ...(Object.keys(MISCONFIG_CLUSTERS) as MisconfigCase[]).map((which) => misconfigStep(context, which)), lastHourStep(context), processExitStep(context)];
}
