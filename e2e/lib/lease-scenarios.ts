/**
 * The fault scenarios of issue 18 item 2 (docs/testing.md, "Fault injection"): publishers that overlap, and a cold
 * retry while CloudWatch does not show the ledger yet. They run like every scenario of fault-scenarios.ts (its own
 * namespace, the faults, a clean rerun, every series read back: nothing doubled, nothing missing); without the
 * ledger store (lambda/aws/ledger-store.ts) both doubled every value.
 */
import { CLUSTER } from './cluster-model';
import { invokeDeployed } from './artifact';
import { runCliInProcess } from './cli-in-process';
import { operation } from './fault-proxy';
import type { HungRun, Scenario } from './fault-scenarios';
import { deployedLedgerTable } from './ledger-table';
import { scheduledEvent } from './scheduled-event';


const put = operation('PutMetricData');

interface SkippedSummary {
  readonly clusters?: readonly { cluster: string; outcome: string; skipReason?: string; metricsEmitted: number; putRequests: number }[];
}

/**
 * While the first publisher is inside its first put (holding the lease, mid-emission): a second handler process
 * and the CLI with the stack's table must publish nothing and say who holds the lease.
 */
async function secondPublishers(run: HungRun): Promise<string[]> {
  const problems: string[] = [];
  const { context } = run;
  const second = await invokeDeployed(context.sandbox!, context.deployed!.fn!, scheduledEvent(context.sandbox!.region), {
    workDir: context.workDir,
    label: `${run.label}-second-handler`,
    invocations: 1,
    endpoint: run.proxy.endpoint,
    env: run.env,
  });
  const [inv] = second.invocations;
  const entry = ((inv?.result ?? {}) as SkippedSummary).clusters?.find((c) => c.cluster === CLUSTER);
  run.notes.push(`  meanwhile, a second handler process: ${inv?.ok ? `succeeded, cluster ${entry?.outcome} (${entry?.skipReason?.slice(0, 160)})` : `failed: ${inv?.errorMessage?.slice(0, 200)}`}`);
  if (!inv?.ok) problems.push(`second handler process: expected it to succeed with the cluster skipped, it failed: ${inv?.errorMessage?.slice(0, 200)}`);
  else if (entry?.outcome !== 'skipped' || !/another publisher holds the ledger lease/.test(entry.skipReason ?? '') || entry.putRequests !== 0) {
    problems.push(`second handler process: expected cluster ${CLUSTER} skipped for the lease with no put, got ${JSON.stringify(entry)}`);
  }
  const cli = await runCliInProcess(['reconcile', '--cluster', CLUSTER, '--namespace', run.namespace, '--ledger-table', deployedLedgerTable(context), '--region', context.sandbox!.region]);
  run.notes.push(`  meanwhile, netrecon reconcile --cluster --ledger-table: exit ${cli.code}: ${cli.stderr.trim().split('\n').at(-1)?.slice(0, 200)}`);
  if (cli.code !== 1 || !/another publisher holds the ledger lease/.test(cli.stderr)) problems.push(`the CLI with --ledger-table: expected exit 1 naming the lease, got ${cli.code}: ${cli.stderr.slice(-300)}`);
  return problems;
}

export const LEASE_SCENARIOS: readonly Scenario[] = [
  {
    id: 'two-publishers-at-once',
    title: 'Two publishers at once: a second handler process and the CLI while the first is inside a put',
    fault:
      "process 1's first PutMetricData held back unsent (it holds the lease, mid-emission); meanwhile a second handler process " +
      'and `netrecon reconcile --cluster --ledger-table` run; then process 1 killed (SIGKILL), its lease and intent left behind',
    processes: [{ inject: (proxy) => proxy.inject({ name: 'hold-put-1', match: put, action: 'hang', times: 1 }), killOnHang: true, expect: 'killed', whileHung: secondPublishers }],
  },
  {
    id: 'cold-retry-ledger-hidden',
    title: 'A cold retry after an in-doubt put while the ledger is not yet visible',
    fault:
      'every EmitLedger datapoint hidden from GetMetricData for 10 minutes after its put; PutMetricData request 2 stored then ' +
      'answered 500; then a new process (a cold start, no memory) while the ledger is still hidden',
    processes: [
      {
        inject: (proxy) => {
          proxy.inject({ name: 'put-2-landed-500', match: put, action: 'land-then-fail', skip: 1, times: 1 });
          proxy.hideLedger(600_000);
        },
        expect: 'fails',
      },
      // CloudWatch shows none of the first process's markers: only the ledger store knows what landed and what is in doubt.
      { inject: (proxy) => proxy.hideLedger(600_000), expect: 'succeeds' },
    ],
  },
];
