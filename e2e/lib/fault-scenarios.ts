/**
 * The fault scenarios of `npm run e2e` (docs/testing.md, "Fault injection"). Each one runs the deployed handler
 * in its own output namespace, so the scenarios share the seeded sources but never a ledger:
 *   1. its faulted processes, in order: a cold invocation under the fault, and optionally a warm retry in the
 *      same process under another plan (what Lambda's retry of a failed invocation does when it lands on the
 *      same container);
 *   2. the faults cleared, one clean process: a cold invocation and a warm one, both must succeed;
 *   3. every published series read back and judged (fault-readback.ts).
 * What an invocation under a fault must do is the product's contract (docs/aws.md): a read or a put that
 * failed after its retries fails the invocation, so Lambda's Errors metric and retries see it.
 */
import { dataRead, ledgerRead, oneCall, operation, type FaultProxy, type FaultRule } from './fault-proxy';
import type { SuiteContext } from './suite-context';

/** What a process's `whileHung` gets: the run's namespace and environment, while the process is held inside a put. */
export interface HungRun {
  readonly context: SuiteContext;
  readonly proxy: FaultProxy;
  readonly namespace: string;
  readonly env: Readonly<Record<string, string>>;
  readonly label: string;
  readonly notes: string[];
}

/** What an invocation must end with. `either`: no contract on the outcome; the read-back judges. */
export type Outcome = 'fails' | 'succeeds' | 'killed' | 'either';

export interface FaultedProcess {
  /** Sets the fault plan for the process's first (cold) invocation. */
  readonly inject: (proxy: FaultProxy) => void;
  readonly expect: Outcome;
  /** Kill the process (SIGKILL) as soon as the proxy holds a request back (rule action `hang`). */
  readonly killOnHang?: boolean;
  /** A warm retry in the same process: the plan for it (`clear` when absent) and what it must do. */
  readonly warm?: { readonly inject?: (proxy: FaultProxy) => void; readonly expect: Outcome };
  /** Checked right after the first invocation, before the warm retry: problems, or none. */
  readonly afterFirst?: 'nothing-published';
  /** With killOnHang: runs while the proxy holds the request, before the kill (other publishers meanwhile); its problems. */
  readonly whileHung?: (run: HungRun) => Promise<string[]>;
  /**
   * Before this process, the earlier process's lease and in-doubt holds in the ledger table have run out (a killed
   * process cannot give its lease back): simulated by the harness, e2e/lib/ledger-table.ts.
   */
  readonly afterLeaseExpired?: boolean;
}

export interface Scenario {
  /** Also the last part of the scenario's output namespace. */
  readonly id: string;
  readonly title: string;
  /** The words for the fault, in the suite's output and docs/testing.md. */
  readonly fault: string;
  readonly processes: readonly FaultedProcess[];
  /**
   * A shorter backfill window than the function's 24 h, for the scenarios whose faults are on the reads: the
   * first run then publishes tens of periods in one PutMetricData request instead of 285 in three, which costs
   * the emulator less. The scenarios about puts keep 24 h: they need a run of several requests.
   */
  readonly backfillSeconds?: number;
}

/** Two hours: the seeded periods (at most about 35 minutes old when the suite starts) stay well inside. */
const READ_FAULT_BACKFILL_SECONDS = 7_200;

const put = operation('PutMetricData');
const plan = (...rules: FaultRule[]) => (proxy: FaultProxy) => proxy.inject(...rules);

/** A first run over the whole 24 h backfill window publishes about 2,600 datums in three PutMetricData requests. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'read-500-every-call',
    backfillSeconds: READ_FAULT_BACKFILL_SECONDS,
    title: 'GetMetricData of the sources answered 500 on every call',
    fault: 'every source read (not the ledger read) answered 500 InternalFailure, without reaching the emulator, on every try',
    processes: [{ inject: plan({ name: 'source-reads-500', match: dataRead, action: 'fail' }), expect: 'fails', warm: { expect: 'succeeds' } }],
  },
  {
    id: 'read-500-one-call',
    backfillSeconds: READ_FAULT_BACKFILL_SECONDS,
    title: 'One GetMetricData call of the sources answered 500, however often it is retried',
    fault: 'the first source read call, and every retry of that same call, answered 500; the other calls answered',
    processes: [{ inject: plan({ name: 'one-source-read-500', match: oneCall(dataRead), action: 'fail' }), expect: 'fails', warm: { expect: 'succeeds' } }],
  },
  {
    id: 'ledger-read-500',
    backfillSeconds: READ_FAULT_BACKFILL_SECONDS,
    title: 'The ledger read failing',
    fault: 'the GetMetricData of the EmitLedger ledger answered 500 on every try',
    processes: [{ inject: plan({ name: 'ledger-read-500', match: ledgerRead, action: 'fail' }), expect: 'fails', afterFirst: 'nothing-published', warm: { expect: 'succeeds' } }],
  },
  {
    id: 'put-500-before-landing',
    title: 'PutMetricData answered 500 before it landed',
    fault: 'PutMetricData request 2 answered 500 without reaching the emulator',
    processes: [{ inject: plan({ name: 'put-2-500', match: put, action: 'fail', skip: 1, times: 1 }), expect: 'fails', warm: { expect: 'succeeds' } }],
  },
  {
    id: 'put-500-after-landing',
    title: 'PutMetricData answered 500 after it landed (in doubt)',
    fault: 'PutMetricData request 2 forwarded, stored, then answered 500',
    processes: [{ inject: plan({ name: 'put-2-landed-500', match: put, action: 'land-then-fail', skip: 1, times: 1 }), expect: 'fails', warm: { expect: 'succeeds' } }],
  },
  {
    id: 'connection-resets',
    title: 'Connection resets on reads and on puts, before and after landing',
    fault:
      'the ledger read and two source reads reset once each (the SDK retries them); PutMetricData request 2 stored then reset; ' +
      'in the warm retry, the first put reset before reaching the emulator',
    processes: [
      {
        inject: plan(
          { name: 'ledger-read-reset', match: ledgerRead, action: 'reset', times: 1 },
          { name: 'source-read-reset', match: dataRead, action: 'reset', times: 2 },
          { name: 'put-2-landed-reset', match: put, action: 'land-then-reset', skip: 1, times: 1 },
        ),
        expect: 'fails',
        warm: { inject: plan({ name: 'put-reset', match: put, action: 'reset', times: 1 }), expect: 'fails' },
      },
    ],
  },
  {
    id: 'throttling-burst',
    backfillSeconds: READ_FAULT_BACKFILL_SECONDS,
    title: 'Throttling bursts on every CloudWatch operation',
    fault: 'the first 3 GetMetricData, 3 ListMetrics and 3 PutMetricData requests answered 400 Throttling',
    processes: [
      {
        inject: plan(
          { name: 'get-throttled', match: operation('GetMetricData'), action: 'throttle', times: 3 },
          { name: 'list-throttled', match: operation('ListMetrics'), action: 'throttle', times: 3 },
          { name: 'put-throttled', match: put, action: 'throttle', times: 3 },
        ),
        expect: 'succeeds',
        warm: { expect: 'succeeds' },
      },
    ],
  },
  {
    id: 'killed-between-puts',
    title: 'The process killed between puts, twice',
    fault:
      'process 1 killed (SIGKILL) while PutMetricData request 2 was held back unsent; process 2 killed while its first put ' +
      '(the resumed request 2) had landed but was not yet answered',
    processes: [
      { inject: plan({ name: 'hold-put-2', match: put, action: 'hang', skip: 1, times: 1 }), killOnHang: true, expect: 'killed' },
      { inject: plan({ name: 'land-then-hold-put-1', match: put, action: 'land-then-hang', times: 1 }), killOnHang: true, expect: 'killed', afterLeaseExpired: true },
    ],
  },
  {
    id: 'in-doubt-put-ledger-invisible',
    title: 'A warm retry after an in-doubt put while the ledger is not yet visible',
    fault:
      'every EmitLedger datapoint hidden from GetMetricData for 10 minutes after its put; PutMetricData request 2 stored then ' +
      'answered 500; then a warm retry in the same process while the ledger is still hidden',
    processes: [
      {
        inject: (proxy) => {
          proxy.inject({ name: 'put-2-landed-500', match: put, action: 'land-then-fail', skip: 1, times: 1 });
          proxy.hideLedger(600_000);
        },
        expect: 'fails',
        // The put fault is spent; the ledger stays hidden for the retry.
        warm: { inject: () => undefined, expect: 'either' },
      },
    ],
  },
];
