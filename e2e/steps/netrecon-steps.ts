/**
 * netrecon's own steps: run the deployed handler, compare what it published with the hand formula, check a
 * retry and a backfill double nothing, and the live CLI (dry run, capture, replay) gives the same answer.
 */
import { CLUSTER_METRICS } from '../../lambda/output-metrics';
import { invokeDeployed, type InvokeResult } from '../lib/artifact';
import { callsBetween } from '../lib/emulator';
import { scheduledEvent } from '../lib/scheduled-event';
import { CLUSTER, OTHER_CLUSTER } from '../lib/cluster-model';
import { compareWithExpected, publishedClusters, readPublished, type Reading } from '../lib/readback';
import type { StepDefinition, StepFigures } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';
import { cliSteps } from './cli-steps';

interface RunSummaryLike {
  readonly trigger?: string;
  readonly metricsEmitted?: number;
  readonly clusters?: readonly { cluster: string; outcome: string; nodes: number; periodsEmitted: number; periodsAlreadyComplete: number; error?: string }[];
  readonly apiCalls?: Record<string, number>;
}

function summaryOf(invoked: InvokeResult, label: string, index = 0): RunSummaryLike {
  const run = invoked.invocations[index];
  if (!run?.ok) throw new Error(`${label}: the handler failed: ${run?.errorType}: ${run?.errorMessage} (log ${invoked.logPath})`);
  return (run.result ?? {}) as RunSummaryLike;
}

function describeRun(s: RunSummaryLike, invoked: InvokeResult, index = 0): string {
  const c = s.clusters?.find((x) => x.cluster === CLUSTER);
  const calls = Object.entries(s.apiCalls ?? {})
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op}=${n}`)
    .join(' ');
  return (
    `${s.trigger} run: ${index === 0 ? `init ${invoked.initMs.toFixed(0)} ms, ` : 'warm, '}invoke ${invoked.invocations[index]!.ms.toFixed(0)} ms; ${c?.nodes} nodes, ` +
    `${c?.periodsEmitted} periods emitted, ${c?.periodsAlreadyComplete} already complete, ${s.metricsEmitted} datums; handler's own count: ${calls}`
  );
}

/** The emulator's service prefix for each operation the handler counts in its run summary. */
const SERVICE_OF: Record<string, string> = {
  DescribeInstances: 'ec2',
  ListMetrics: 'monitoring',
  GetMetricData: 'monitoring',
  PutMetricData: 'monitoring',
  // The ledger store (lambda/aws/ledger-store.ts).
  UpdateItem: 'dynamodb',
  GetItem: 'dynamodb',
  Query: 'dynamodb',
  TransactWriteItems: 'dynamodb',
};

/** The handler's own per-operation call counts (its run summary) against what the emulator answered meanwhile. */
function callCountProblems(reported: Record<string, number> | undefined, answered: Record<string, number>): string[] {
  const problems: string[] = [];
  const expected = new Map(Object.entries(reported ?? {}).map(([op, n]) => [`${SERVICE_OF[op] ?? '?'}:${op}`, n]));
  for (const key of new Set([...expected.keys(), ...Object.keys(answered)])) {
    const said = expected.get(key) ?? 0;
    const seen = answered[key] ?? 0;
    if (said !== seen) problems.push(`${key}: the run summary says ${said}, the emulator answered ${seen}`);
  }
  return problems;
}

function sameReading(before: Reading, after: Reading, figures: StepFigures): string[] {
  const problems: string[] = [];
  let compared = 0;
  for (const [key, periods] of before.values) {
    for (const [at, was] of periods) {
      compared += 1;
      const now = after.values.get(key)?.get(at);
      if (!now || now.sum !== was.sum || now.samples !== was.samples) {
        problems.push(`${key} @${at}: was ${was.sum} (${was.samples} datum), now ${now?.sum} (${now?.samples} datums)`);
      }
    }
  }
  figures.compared = (figures.compared ?? 0) + compared;
  return problems;
}

export function netreconSteps(context: SuiteContext): StepDefinition[] {
  let firstEvent: Record<string, unknown> | undefined;
  let firstReading: Reading | undefined;
  const read = () => readPublished(context.clients!.cloudwatch, CLUSTER, context.seed!.window, context.seed!.model.periodSeconds);
  const invoke = (event: unknown, label: string, invocations = 1) =>
    invokeDeployed(context.sandbox!, context.deployed!.fn!, event, { workDir: context.workDir, label, invocations });

  return [
    {
      title: 'Run netrecon\'s deployed artifact with a scheduled event (cold start, the function\'s own environment)',
      run: async (figures) => {
        firstEvent = scheduledEvent(context.sandbox!.region);
        const before = await context.emulator!.calls();
        const invoked = await invoke(firstEvent, 'scheduled');
        const answered = callsBetween(before, await context.emulator!.calls());
        const summary = summaryOf(invoked, 'scheduled run');
        figures.emitted = summary.metricsEmitted;
        figures.notes.push(describeRun(summary, invoked));
        const ours = summary.clusters?.find((c) => c.cluster === CLUSTER);
        if (!ours || ours.outcome !== 'emitted') throw new Error(`cluster ${CLUSTER}: ${JSON.stringify(ours)}`);
        const seededNodes = context.seed!.model.nodes.filter((n) => n.cluster === CLUSTER).length;
        if (ours.nodes !== seededNodes) throw new Error(`the handler saw ${ours.nodes} nodes, ${seededNodes} are tagged for ${CLUSTER}`);
        // The run summary's API accounting (what the README's cost figures rest on) against the wire.
        const miscounted = callCountProblems(summary.apiCalls, answered);
        if (miscounted.length > 0) throw new Error(`the run summary's API call counts are wrong:\n${miscounted.join('\n')}`);
        figures.notes.push('the run summary\'s API call counts equal what the emulator answered');
      },
    },
    {
      title: 'Read the NetRecon metrics back (GetMetricData Sum + SampleCount) and compare with the hand formula',
      run: async (figures) => {
        const reading = await read();
        firstReading = reading;
        const result = compareWithExpected(reading, context.seed!.expected);
        figures.compared = result.compared;
        figures.notes.push(...result.rows);
        const clusters = await publishedClusters(context.clients!.cloudwatch);
        figures.notes.push(`clusters in NetRecon series: ${[...clusters].join(', ') || 'none'}`);
        const problems = [...result.problems];
        if (clusters.has(OTHER_CLUSTER)) problems.push(`${OTHER_CLUSTER} appears in the published metrics`);
        if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.slice(0, 15).join('\n')}`);
      },
    },
    {
      title: 'Retry (same event: cold, then warm in the same process) and backfill (manual event over the seeded window): nothing doubles',
      run: async (figures) => {
        // Cold: the ledger is read from CloudWatch. Warm (same process again): the container's memory of it too.
        const retryRun = await invoke(firstEvent, 'retry', 2);
        const retry = summaryOf(retryRun, 'retry');
        const warmRetry = summaryOf(retryRun, 'warm retry', 1);
        const w = context.seed!.window;
        const backfillEvent = { start: new Date(w.startEpochSeconds * 1000).toISOString(), end: new Date(w.endEpochSeconds * 1000).toISOString() };
        const backfillRun = await invoke(backfillEvent, 'backfill');
        const backfill = summaryOf(backfillRun, 'backfill');
        figures.emitted = (retry.metricsEmitted ?? 0) + (warmRetry.metricsEmitted ?? 0) + (backfill.metricsEmitted ?? 0);
        figures.notes.push(
          `retry: ${describeRun(retry, retryRun)}`,
          `retry again: ${describeRun(warmRetry, retryRun, 1)}`,
          `backfill ${backfillEvent.start} .. ${backfillEvent.end}: ${describeRun(backfill, backfillRun)}`,
        );
        const problems = sameReading(firstReading!, await read(), figures);
        const emittedSeeded = backfill.clusters?.find((c) => c.cluster === CLUSTER)?.periodsEmitted ?? 0;
        if (emittedSeeded > 0) problems.push(`the backfill over already-complete periods emitted ${emittedSeeded} period(s) again`);
        if (problems.length > 0) throw new Error(`${problems.length} value(s) changed:\n${problems.slice(0, 15).join('\n')}`);
        figures.notes.push(`every ${CLUSTER_METRICS.physicalRxBytes.name}..${CLUSTER_METRICS.nodeCount.name} value of the seeded periods unchanged, each from exactly one datum`);
      },
    },
    ...cliSteps(context, () => firstReading),
  ];
}
