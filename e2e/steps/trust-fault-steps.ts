/**
 * Two fault scenarios of issue 18, each a step of the `faults` group, each with its own output namespace, run
 * after the scenarios of fault-scenarios.ts through the same proxy (docs/testing.md, "Fault injection"):
 *   - a node missing from DescribeInstances (unlisted-node.ts): its own cluster, seeded here; the deployed
 *     handler, cold then warm, then a new cold process; read back: both nodes' bytes in every seeded period,
 *     nothing twice;
 *   - a clock 14 minutes fast: the deployed handler with a SIMULATED fast clock (e2e/clock-skew.cjs), cold then
 *     warm; read back: no period sealed that had not closed, by the emulator's clock, `lagSeconds` before the
 *     run ended; then the clock right again, cold and warm, and the shared seed's read-back (fault-readback.ts):
 *     every value right and from exactly one datum.
 */
import { join } from 'node:path';
import { RUN_SETTINGS } from '../../lambda/settings';
import { LEDGER_METRIC } from '../../lambda/output-metrics';
import { invokeDeployed, type Invocation, type InvokeResult } from '../lib/artifact';
import { CLUSTER } from '../lib/cluster-model';
import type { FaultProxy } from '../lib/fault-proxy';
import { judgeExactlyOnce, periodsCovered, readNamespace } from '../lib/fault-readback';
import { E2E_DIR } from '../lib/sandbox';
import { scheduledEvent } from '../lib/scheduled-event';
import type { StepDefinition, StepFigures } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';
import { judgeUnlisted, seedUnlistedCluster, UNLISTED_CLUSTER, UNLISTED_INSTANCE_ID } from '../lib/unlisted-node';

const CLOCK_SKEW = join(E2E_DIR, 'clock-skew.cjs');
const FOURTEEN_MINUTES_MS = 14 * 60_000;
const BACKFILL_SECONDS = 7_200;

interface Summary {
  readonly clusters?: readonly { cluster: string; nodes: number; nodesFromSeries?: number; periodsEmitted: number; periodsAlreadyComplete: number; error?: string }[];
}

const describeRun = (run: Invocation | undefined, cluster: string): string => {
  if (!run) return 'did not run';
  if (!run.ok) return `failed: ${run.errorType}: ${(run.errorMessage ?? '').slice(0, 240)}`;
  const c = ((run.result ?? {}) as Summary).clusters?.find((x) => x.cluster === cluster);
  return `succeeded: ${c?.nodes} nodes${c?.nodesFromSeries ? ` (${c.nodesFromSeries} from their series)` : ''}, ${c?.periodsEmitted} periods emitted, ${c?.periodsAlreadyComplete} already complete`;
};

/** What fault-steps.ts shares with these steps (passed in, so neither file imports the other). */
export interface TrustFaultDeps {
  readonly proxy: () => FaultProxy;
  readonly namespacePrefix: string;
  /** The deployed function's period, lag and backfill. */
  readonly settings: () => { periodSeconds: number; lagSeconds: number; backfillSeconds: number };
}

export function trustFaultSteps(context: SuiteContext, deps: TrustFaultDeps): StepDefinition[] {
  return [
    {
      title: 'Fault: a node missing from DescribeInstances (its series remain); cold, warm and cold again, every series read back',
      group: 'faults',
      run: (figures) => unlistedNodeScenario(context, deps, figures),
    },
    {
      title: 'Fault: the handler\'s clock 14 minutes fast; nothing sealed before it closed, then cleared, every series read back',
      group: 'faults',
      run: (figures) => fastClockScenario(context, deps, figures),
    },
  ];
}

function invoke(context: SuiteContext, proxy: FaultProxy, label: string, invocations: number, env: Record<string, string>): Promise<InvokeResult> {
  return invokeDeployed(context.sandbox!, context.deployed!.fn!, scheduledEvent(context.sandbox!.region), {
    workDir: context.workDir,
    label: `fault-${label}`,
    invocations,
    endpoint: proxy.endpoint,
    env: {
      // Every closed pending period is read at once (as fault-steps.ts does), over two hours.
      [RUN_SETTINGS.periodsPerRead.env]: '1',
      [RUN_SETTINGS.backfillSeconds.env]: String(BACKFILL_SECONDS),
      ...env,
    },
  });
}

function outcomes(result: InvokeResult, label: string, cluster: string, figures: StepFigures, problems: string[]): void {
  result.invocations.forEach((run, k) => {
    figures.notes.push(`  ${label}, ${k === 0 ? 'cold' : 'warm'}: ${describeRun(run, cluster)}`);
    if (!run.ok) problems.push(`${label} ${k === 0 ? 'cold' : 'warm'}: expected the invocation to succeed, it failed`);
  });
}

async function unlistedNodeScenario(context: SuiteContext, deps: TrustFaultDeps, figures: StepFigures): Promise<void> {
  const proxy = deps.proxy();
  const namespace = `${deps.namespacePrefix}node-missing-from-inventory`;
  proxy.clear();
  const seed = await seedUnlistedCluster(context.clients!.ec2, context.clients!.cloudwatch, Date.now() / 1000);
  figures.notes.push(
    `fault: cluster ${UNLISTED_CLUSTER}: live node ${seed.liveInstanceId} and ${UNLISTED_INSTANCE_ID}, which DescribeInstances does not return, ` +
      `both with EC2, Container Insights and agent series (${seed.datapoints} datapoints over 4 periods)`,
  );
  // The deployed function names its one cluster in its settings (its source profile): this run is for the other one.
  const env = { [RUN_SETTINGS.clusters.env]: UNLISTED_CLUSTER, [RUN_SETTINGS.sourceProfile.env]: 'full', [RUN_SETTINGS.outputNamespace.env]: namespace };
  const problems: string[] = [];
  const first = await invoke(context, proxy, 'unlisted-first', 2, env);
  outcomes(first, 'process 1', UNLISTED_CLUSTER, figures, problems);
  const again = await invoke(context, proxy, 'unlisted-again', 1, env);
  outcomes(again, 'process 2 (a new container)', UNLISTED_CLUSTER, figures, problems);
  const fromSeries = ((first.invocations[0]?.result ?? {}) as Summary).clusters?.[0]?.nodesFromSeries;
  if (fromSeries !== 1) problems.push(`the first run reconciled ${fromSeries ?? 0} node(s) from their series, expected 1 (${UNLISTED_INSTANCE_ID})`);

  const P = deps.settings().periodSeconds;
  const to = Date.now() / 1000;
  const reading = await readNamespace(context.clients!.cloudwatch, namespace, UNLISTED_CLUSTER, { startEpochSeconds: Math.floor((to - BACKFILL_SECONDS) / P) * P - 2 * P, endEpochSeconds: Math.ceil(to / P) * P }, P);
  const verdict = judgeUnlisted(reading, seed);
  figures.compared = verdict.compared;
  figures.notes.push(`read back ${reading.values.size} series: ${verdict.problems.length === 0 ? 'both nodes in every seeded period, every value from exactly one datum' : `${verdict.problems.length} problem(s)`}`, ...verdict.rows);
  problems.push(...verdict.problems);
  if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.slice(0, 20).join('\n')}`);
}

async function fastClockScenario(context: SuiteContext, deps: TrustFaultDeps, figures: StepFigures): Promise<void> {
  const proxy = deps.proxy();
  const namespace = `${deps.namespacePrefix}clock-14-minutes-fast`;
  proxy.clear();
  const functionEnv = context.deployed!.fn!.configuration.Environment?.Variables ?? {};
  const nodeOptions = [context.sandbox!.env.NODE_OPTIONS, functionEnv.NODE_OPTIONS, `--require ${CLOCK_SKEW}`].filter(Boolean).join(' ');
  const env = { [RUN_SETTINGS.outputNamespace.env]: namespace };
  const settings = { ...deps.settings(), backfillSeconds: BACKFILL_SECONDS };
  const P = settings.periodSeconds;
  const problems: string[] = [];
  figures.notes.push(`fault: the handler process's Date ${FOURTEEN_MINUTES_MS / 60_000} minutes ahead of the machine's (SIMULATED: e2e/clock-skew.cjs); the emulator answers with the machine's time`);

  const skewed = await invoke(context, proxy, 'clock-fast', 2, { ...env, NODE_OPTIONS: nodeOptions, NETRECON_E2E_CLOCK_SKEW_MS: String(FOURTEEN_MINUTES_MS) });
  const skewedEnd = Date.now() / 1000;
  outcomes(skewed, 'clock 14 min fast', CLUSTER, figures, problems);
  // By the emulator's clock, nothing may be sealed that had not closed lagSeconds before the runs ended.
  const closedEnd = Math.floor((skewedEnd - settings.lagSeconds) / P) * P;
  const early = await readNamespace(context.clients!.cloudwatch, namespace, CLUSTER, { startEpochSeconds: closedEnd - BACKFILL_SECONDS - 2 * P, endEpochSeconds: closedEnd + 3600 }, P);
  const sealed = [...(early.values.get(LEDGER_METRIC.name)?.keys() ?? [])].map((iso) => Date.parse(iso) / 1000).sort((a, b) => a - b);
  const tooEarly = sealed.filter((start) => start + P > closedEnd);
  figures.notes.push(
    `  sealed under the fast clock: ${sealed.length} periods, the last ending ${sealed.length ? new Date((sealed.at(-1)! + P) * 1000).toISOString() : '-'}; closed by the emulator's clock: up to ${new Date(closedEnd * 1000).toISOString()}`,
  );
  if (sealed.length === 0) problems.push('the runs under the fast clock sealed no period at all');
  for (const start of tooEarly) problems.push(`period ${new Date(start * 1000).toISOString()} sealed before it closed: it ends ${start + P - closedEnd} s after the last closed period's end (lag ${settings.lagSeconds} s)`);

  const from = Date.now() / 1000;
  const clean = await invoke(context, proxy, 'clock-right', 2, env);
  const to = Date.now() / 1000;
  outcomes(clean, 'clock right again', CLUSTER, figures, problems);
  const reading = await readNamespace(context.clients!.cloudwatch, namespace, CLUSTER, { startEpochSeconds: Math.floor((to - settings.backfillSeconds) / P) * P - 2 * P, endEpochSeconds: Math.ceil(to / P) * P }, P);
  const nodes = context.seed!.model.nodes.filter((n) => n.cluster === CLUSTER).length;
  const verdict = judgeExactlyOnce(reading, context.seed!.expected, periodsCovered(from, to, settings), nodes);
  figures.compared = verdict.compared;
  figures.notes.push(verdict.summary, ...verdict.rows);
  problems.push(...verdict.problems);
  if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.slice(0, 20).join('\n')}`);
}
