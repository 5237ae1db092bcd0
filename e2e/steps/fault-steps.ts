/**
 * The fault-injected steps: the deployed handler run through the fault proxy (fault-proxy.ts) under each
 * scenario of fault-scenarios.ts, then cleared, rerun cold and warm, and every published series read back.
 * The scenarios are one step each and independent (a step group): one that fails does not skip the next.
 */
import type { ChildProcess } from 'node:child_process';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { RUN_SETTINGS } from '../../lambda/settings';
import { invokeDeployed, type Invocation, type InvokeResult } from '../lib/artifact';
import { onCleanup } from '../lib/cleanup';
import { CLUSTER, PERIOD_SECONDS } from '../lib/cluster-model';
import { FaultProxy } from '../lib/fault-proxy';
import { judgeExactlyOnce, periodsCovered, readNamespace } from '../lib/fault-readback';
import { SCENARIOS, type FaultedProcess, type Outcome, type Scenario } from '../lib/fault-scenarios';
import type { StepDefinition, StepFigures } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';
import { scheduledEvent } from '../lib/scheduled-event';
import { trustFaultSteps } from './trust-fault-steps';
import { LEASE_SCENARIOS } from '../lib/lease-scenarios';
import { ageLedgerTable, deployedLedgerTable } from '../lib/ledger-table';

/** Every scenario: the fault scenarios and those of the ledger lease. */
const ALL_SCENARIOS: readonly Scenario[] = [...SCENARIOS, ...LEASE_SCENARIOS];
/**
 * What the harness moves the ledger table's lease expiries and in-doubt holds back by, before a process that must
 * find them run out and before every clean rerun (simulated time, e2e/lib/ledger-table.ts): longer than the longest
 * hold (48 h for a period older than a day, plus the allowances).
 */
const STORE_AGE_SECONDS = 4 * 86_400;

/** The namespace each scenario publishes to: its own ledger, its own series. */
export const FAULT_NAMESPACE_PREFIX = 'NetReconFaults/';
/** A handler process that takes longer than this is killed and the scenario fails (a hang is a finding too). */
const PROCESS_TIMEOUT_MS = 120_000;

interface Summary {
  readonly clusters?: readonly { cluster: string; periodsEmitted: number; periodsAlreadyComplete: number; periodsHeld?: number; metricsEmitted: number; error?: string }[];
  readonly apiCalls?: Record<string, number>;
  readonly metricsEmitted?: number;
}

function describeInvocation(run: Invocation | undefined): string {
  if (!run) return 'did not run';
  if (!run.ok) return `failed in ${run.ms.toFixed(0)} ms: ${run.errorType}: ${(run.errorMessage ?? '').slice(0, 240)}`;
  const s = (run.result ?? {}) as Summary;
  const c = s.clusters?.find((x) => x.cluster === CLUSTER);
  const calls = Object.entries(s.apiCalls ?? {})
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op}=${n}`)
    .join(' ');
  const held = c?.periodsHeld ? `, ${c.periodsHeld} held (a request of theirs in doubt)` : '';
  return `succeeded in ${run.ms.toFixed(0)} ms: ${c?.periodsEmitted} periods emitted, ${c?.periodsAlreadyComplete} already complete${held}, ${s.metricsEmitted} datums (${calls})`;
}

function outcomeProblem(label: string, want: Outcome, got: 'fails' | 'succeeds' | 'killed' | 'missing'): string | undefined {
  if (want === 'either' && got !== 'missing' && got !== 'killed') return undefined;
  return want === got ? undefined : `${label}: expected the invocation to ${want === 'fails' ? 'fail' : want === 'killed' ? 'be killed' : want === 'succeeds' ? 'succeed' : 'end'}, it ${got === 'missing' ? 'never ran' : got === 'fails' ? 'failed' : got === 'killed' ? 'was killed' : 'succeeded'}`;
}

const outcomeOf = (run: Invocation | undefined): 'fails' | 'succeeds' | 'missing' => (!run ? 'missing' : run.ok ? 'succeeds' : 'fails');

function settingsOf(context: SuiteContext) {
  const env = context.deployed!.fn!.configuration.Environment?.Variables ?? {};
  const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    periodSeconds: num(RUN_SETTINGS.periodSeconds.env, PERIOD_SECONDS),
    lagSeconds: num(RUN_SETTINGS.lagSeconds.env, RUN_SETTINGS.lagSeconds.default),
    backfillSeconds: num(RUN_SETTINGS.backfillSeconds.env, RUN_SETTINGS.backfillSeconds.default),
  };
}

export function faultSteps(context: SuiteContext): StepDefinition[] {
  let proxy: FaultProxy | undefined;
  return [
    {
      title: 'Start the fault-injecting proxy between the handler\'s SDK and the emulator',
      run: async (figures) => {
        const started = await FaultProxy.start(context.emulator!.endpoint);
        onCleanup('fault proxy', () => started.close());
        proxy = started;
        figures.notes.push(`${started.endpoint} -> ${context.emulator!.endpoint}; ${ALL_SCENARIOS.length} scenarios, each in its own namespace ${FAULT_NAMESPACE_PREFIX}<scenario>`);
      },
    },
    ...ALL_SCENARIOS.map(
      (scenario, i): StepDefinition => ({
        title: `Fault ${i + 1}/${ALL_SCENARIOS.length}: ${scenario.title}; cleared, rerun cold and warm, every series read back`,
        group: 'faults',
        run: (figures) => runScenario(context, proxy!, scenario, figures),
      }),
    ),
    ...trustFaultSteps(context, { proxy: () => proxy!, namespacePrefix: FAULT_NAMESPACE_PREFIX, settings: () => settingsOf(context) }),
  ];
}

async function runScenario(context: SuiteContext, proxy: FaultProxy, scenario: Scenario, figures: StepFigures): Promise<void> {
  const namespace = `${FAULT_NAMESPACE_PREFIX}${scenario.id}`;
  const env = {
    [RUN_SETTINGS.outputNamespace.env]: namespace,
    // Every closed pending period is read at once: a period that closes between two runs of the scenario
    // is published by the next one instead of waiting for 11 more (the read-back requires every period).
    [RUN_SETTINGS.periodsPerRead.env]: '1',
    ...(scenario.backfillSeconds ? { [RUN_SETTINGS.backfillSeconds.env]: String(scenario.backfillSeconds) } : {}),
  };
  const event = scheduledEvent(context.sandbox!.region);
  const problems: string[] = [];
  let emitted = 0;
  const count = (r: InvokeResult) => r.invocations.forEach((x) => (emitted += x.ok ? (((x.result ?? {}) as Summary).metricsEmitted ?? 0) : 0));
  figures.notes.push(`fault: ${scenario.fault}`);

  /** Faults applied during the cold invocation of the last process (the warm retry's plan resets the counts). */
  let coldApplied: Record<string, number> = {};
  const invoke = async (label: string, invocations: number, faulted?: FaultedProcess): Promise<InvokeResult> => {
    let child: ChildProcess | undefined;
    let killedByUs = false;
    const kill = (why: string) => {
      if (!child || killedByUs) return;
      killedByUs = true;
      child.kill('SIGKILL');
      if (why) problems.push(`${label}: ${why}`);
    };
    const onHang = () => {
      if (!faulted?.whileHung) return kill(faulted?.killOnHang ? '' : 'the proxy held a request back in a process the scenario does not kill');
      // Other publishers run while this one is held inside its put, then it is killed.
      void faulted
        .whileHung({ context, proxy, namespace, env, label: `fault-${scenario.id}`, notes: figures.notes })
        .then((found) => problems.push(...found.map((p) => `${label}: ${p}`)), (error: unknown) => problems.push(`${label}: ${String(error)}`))
        .finally(() => kill(''));
    };
    proxy.on('hang', onHang);
    const watchdog = setTimeout(() => kill(`still running after ${PROCESS_TIMEOUT_MS / 1000} s, killed`), PROCESS_TIMEOUT_MS);
    try {
      const result = await invokeDeployed(context.sandbox!, context.deployed!.fn!, event, {
        workDir: context.workDir,
        label: `fault-${scenario.id}-${label.replace(/\W+/g, '-')}`,
        invocations,
        endpoint: proxy.endpoint,
        env,
        allowKill: true,
        onSpawn: (c) => (child = c),
        beforeWarm: async () => {
          coldApplied = proxy.applied();
          if (faulted?.afterFirst === 'nothing-published') {
            const listed = await context.clients!.cloudwatch.send(new ListMetricsCommand({ Namespace: namespace }));
            const n = listed.Metrics?.length ?? 0;
            figures.notes.push(`  after the failed run: ${n} series in ${namespace}`);
            if (n > 0) problems.push(`${label}: ${n} series published although the ledger could not be read`);
          }
          if (faulted?.warm?.inject) faulted.warm.inject(proxy);
          else proxy.clear();
        },
      });
      if (result.killed && !killedByUs) problems.push(`${label}: the handler process exited abnormally (log ${result.logPath})`);
      return result;
    } finally {
      clearTimeout(watchdog);
      proxy.off('hang', onHang);
    }
  };

  const ageStore = async (why: string) => {
    const moved = await ageLedgerTable(context.clients!.dynamodb, deployedLedgerTable(context), STORE_AGE_SECONDS);
    figures.notes.push(`  simulated: ${why} (${moved} lease expiries and in-doubt holds of the ledger table moved back ${STORE_AGE_SECONDS / 3600} h)`);
  };
  for (const [p, faulted] of scenario.processes.entries()) {
    const label = `process ${p + 1}`;
    if (faulted.afterLeaseExpired) await ageStore(`the lease of the killed process ${p} expired and its in-doubt holds ran out`);
    proxy.clear();
    faulted.inject(proxy);
    const firstRecord = proxy.records.length;
    coldApplied = {};
    const result = await invoke(label, faulted.warm ? 2 : 1, faulted);
    count(result);
    const [cold, warm] = result.invocations;
    const coldOutcome = result.killed && !cold ? 'killed' : outcomeOf(cold);
    figures.notes.push(`  ${label}, cold under the fault: ${coldOutcome === 'killed' ? 'killed (SIGKILL) when the proxy held a put' : describeInvocation(cold)}`);
    const bad = [outcomeProblem(`${label} cold`, faulted.expect, coldOutcome)];
    if (faulted.warm) {
      const warmOutcome = result.killed && !warm ? 'killed' : outcomeOf(warm);
      figures.notes.push(`  ${label}, warm retry: ${describeInvocation(warm)}`);
      bad.push(outcomeProblem(`${label} warm retry`, faulted.warm.expect, warmOutcome));
    }
    const applied = faulted.warm ? `cold ${JSON.stringify(coldApplied)}, warm ${JSON.stringify(proxy.applied())}` : JSON.stringify(proxy.applied());
    const hidden = proxy.records.slice(firstRecord).reduce((t, r) => t + (r.hiddenLedgerPoints ?? 0), 0);
    figures.notes.push(`  proxy: faults applied ${applied}${hidden > 0 ? `; ${hidden} ledger datapoints hidden from ledger reads` : ''}`);
    problems.push(...bad.filter((x): x is string => x !== undefined));
  }

  proxy.clear();
  // A later run, after every lease and hold a fault left behind has run out: they are the ledger's to settle then.
  await ageStore('every lease and in-doubt hold left by the faults ran out');
  const from = Date.now() / 1000;
  const clean = await invoke('clean rerun', 2);
  const to = Date.now() / 1000;
  count(clean);
  clean.invocations.forEach((run, k) => {
    figures.notes.push(`  faults cleared, ${k === 0 ? 'cold' : 'warm'}: ${describeInvocation(run)}`);
    const bad = outcomeProblem(`clean rerun ${k === 0 ? 'cold' : 'warm'}`, 'succeeds', outcomeOf(run));
    if (bad) problems.push(bad);
  });

  const settings = { ...settingsOf(context), ...(scenario.backfillSeconds ? { backfillSeconds: scenario.backfillSeconds } : {}) };
  const P = settings.periodSeconds;
  const window = { startEpochSeconds: Math.floor((to - settings.backfillSeconds) / P) * P - 2 * P, endEpochSeconds: Math.ceil(to / P) * P };
  const reading = await readNamespace(context.clients!.cloudwatch, namespace, CLUSTER, window, P);
  const nodes = context.seed!.model.nodes.filter((n) => n.cluster === CLUSTER).length;
  const verdict = judgeExactlyOnce(reading, context.seed!.expected, periodsCovered(from, to, settings), nodes);
  figures.emitted = emitted;
  figures.compared = verdict.compared;
  figures.notes.push(verdict.summary, ...verdict.rows);
  problems.push(...verdict.problems);
  if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.slice(0, 20).join('\n')}${problems.length > 20 ? `\n... and ${problems.length - 20} more` : ''}`);
}
