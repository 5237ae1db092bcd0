/**
 * The live CLI against the same emulated account: `netrecon reconcile --cluster C --dry-run --format json`
 * must give the answer the handler published; `netrecon capture` writes a file and `netrecon reconcile --from`
 * on it must give the same answer again.
 */
import { join } from 'node:path';
import type { ClusterPeriodResult, ReconcileReport } from '../../lambda/core/model';
import { clusterDatums } from '../../lambda/plan/output-datums';
import { DIMENSION } from '../../lambda/output-metrics';
import { CLUSTER } from '../lib/cluster-model';
import { closeEnough } from '../lib/expected';
import { runProcess } from '../lib/proc';
import type { Reading } from '../lib/readback';
import { REPO_DIR } from '../lib/sandbox';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

const CLI = join(REPO_DIR, 'bin', 'netrecon.mjs');
/** Exit codes of `netrecon reconcile`: 0 all ok, 2 some node-period not ok (the seeded cluster has such nodes). */
const RECONCILE_OK = [0, 2];

/**
 * What the handler publishes for a report's cluster period, keyed like a Reading (`${metric}`, `NodeCount/${status}`).
 * The sink's own clusterDatums: this step checks that the CLI and the handler agree, not the formulas (the
 * hand formula in expected.ts does that, independently of lambda/).
 */
export function metricsOfClusterPeriod(cp: ClusterPeriodResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const datum of clusterDatums(cp, CLUSTER)) {
    const status = datum.Dimensions?.find((d) => d.Name === DIMENSION.status)?.Value;
    out.set(status === undefined ? datum.MetricName! : `${datum.MetricName}/${status}`, datum.Value!);
  }
  return out;
}

/** Differences between a report and what the handler published, over the periods the reading holds. */
export function compareReportWithReading(report: ReconcileReport, reading: Reading): { compared: number; problems: string[] } {
  const problems: string[] = [];
  let compared = 0;
  const byStart = new Map(report.clusterPeriods.map((cp) => [new Date(cp.periodStart).toISOString(), cp]));
  const periods = new Set<string>();
  for (const perPeriod of reading.values.values()) for (const at of perPeriod.keys()) periods.add(at);
  for (const at of periods) {
    const cp = byStart.get(at);
    if (!cp) {
      problems.push(`period ${at}: published by the handler, absent from the CLI's report`);
      continue;
    }
    const fromReport = metricsOfClusterPeriod(cp);
    const published = [...reading.values].filter(([, perPeriod]) => perPeriod.has(at)).map(([key]) => key);
    for (const key of new Set([...fromReport.keys(), ...published])) {
      const value = fromReport.get(key);
      const got = reading.values.get(key)?.get(at);
      compared += 1;
      if (value === undefined || !got || !closeEnough(value, got.sum)) {
        problems.push(`${key} @${at}: CLI ${value ?? 'nothing'}, handler published ${got?.sum ?? 'nothing'}`);
      }
    }
  }
  return { compared, problems };
}

async function cli(context: SuiteContext, args: string[], label: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await runProcess(process.execPath, [CLI, ...args], {
    env: { ...context.sandbox!.env },
    cwd: REPO_DIR,
    logPath: join(context.workDir, `cli-${label}.log`),
    allowFailure: true,
  });
  if (!RECONCILE_OK.includes(result.code)) {
    throw new Error(`netrecon ${args.join(' ')} exited ${result.code}:\n${result.stderr.trim().split('\n').slice(-15).join('\n')}`);
  }
  return result;
}

function parseReport(stdout: string, what: string): ReconcileReport {
  try {
    return JSON.parse(stdout) as ReconcileReport;
  } catch (error) {
    throw new Error(`${what} did not print JSON: ${(error as Error).message}; stdout starts ${JSON.stringify(stdout.slice(0, 200))}`);
  }
}

export function cliSteps(context: SuiteContext, handlerReading: () => Reading | undefined): StepDefinition[] {
  const window = () => {
    const w = context.seed!.window;
    return ['--start', new Date(w.startEpochSeconds * 1000).toISOString(), '--end', new Date(w.endEpochSeconds * 1000).toISOString()];
  };
  return [
    {
      title: 'Live CLI: reconcile --cluster --dry-run --format json equals what the handler published; capture, then reconcile --from equals it again',
      run: async (figures) => {
        const reading = handlerReading();
        if (!reading) throw new Error('no handler reading to compare with (an earlier step did not run)');
        const live = await cli(context, ['reconcile', '--cluster', CLUSTER, '--region', context.sandbox!.region, '--source-profile', 'full', ...window(), '--dry-run', '--format', 'json'], 'dry-run');
        const liveReport = parseReport(live.stdout, 'reconcile --dry-run');
        const captureFile = join(context.workDir, 'e2e.capture.json');
        await cli(context, ['capture', '--cluster', CLUSTER, '--region', context.sandbox!.region, ...window(), '-o', captureFile], 'capture');
        const replay = await cli(context, ['reconcile', '--from', captureFile, '--source-profile', 'full', '--format', 'json'], 'replay');
        const replayReport = parseReport(replay.stdout, 'reconcile --from');
        const a = compareReportWithReading(liveReport, reading);
        const b = compareReportWithReading(replayReport, reading);
        figures.compared = a.compared + b.compared;
        figures.notes.push(
          `dry run: ${liveReport.summary.nodes} nodes, ${liveReport.summary.periods} periods, exit ${live.code}; ` +
            `replay of ${captureFile}: ${replayReport.summary.nodes} nodes, ${replayReport.summary.periods} periods, exit ${replay.code}`,
        );
        const problems = [...a.problems.map((p) => `dry run: ${p}`), ...b.problems.map((p) => `replay: ${p}`)];
        if (problems.length > 0) throw new Error(`${problems.length} difference(s):\n${problems.slice(0, 15).join('\n')}`);
      },
    },
  ];
}
