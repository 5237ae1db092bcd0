/**
 * One cluster, end to end, as `runCluster` reads: decide (the ledger, then the pending periods) -> read and
 * reconcile (inventory, agent discovery, query plan, GetMetricData, capture, validateCapture, reconcile, roll-up)
 * -> emit (PutMetricData with the exactly-once ledger). The planning is pure (lambda/plan/), the requests are
 * lambda/aws/'s. The Lambda runner and the live CLI (`netrecon reconcile --cluster`, `netrecon capture`) both run
 * this; they differ only in the window they ask for and whether they emit.
 *
 * Nodes are reconciled in batches (sorted by instance id), so a 100,000-node cluster never holds all its
 * series at once; the batches' node-periods are merged and rolled up by the core (core/report-merge.ts).
 */
import type { CaptureNode } from './capture/capture';
import { validateCapture } from './capture/validate';
import type { ReconcileReport } from './core/model';
import { reconcile } from './core/reconcile';
import { isoOf } from './core/units';
import type { AwsRuntime } from './aws/api';
import { readLedger } from './aws/ledger';
import type { ClusterLedgerMemory, LedgerMemory } from './plan/ledger-memory';
import { candidateWindow, decidePending, ledgerVisibleAtSeconds, mergeLedgers, type Ledger, type PendingDecision, type RunWindow } from './plan/pending-periods';
import { ReadFailedError } from './aws/metric-reader';
import type { AgentListings } from './aws/discovery';
import { requireKnownCluster } from './aws/node-history';
import { reportDatums } from './plan/output-datums';
import { datapointsPerPeriod, type ReadWindow } from './plan/query-plan';
import { ReportMerger } from './core/report-merge';
import { backfillBoundSeconds, UnreadPeriodsError } from './unread-periods';
import { sendEmission, type EmissionResult } from './aws/sink';
import { planEmission, type EmissionPlan } from './plan/emission-plan';
import { CLOCK_SKEW_ALLOWANCE_SECONDS, LEASE_SECONDS, MAX_RUN_SECONDS, PUT_SEND_DEADLINE_SECONDS } from './plan/limits';
import { randomUUID } from 'node:crypto';
import type { LeaseHandle, LedgerKey, LedgerStore } from './aws/ledger-store';
import { requestIntents, settleIntents, type StoreView } from './plan/ledger-intents';
import type { EmissionObserver } from './aws/sink';
import type { LedgerEntry } from './plan/pending-periods';
import { withinBudget } from './read-budget';
import { discover, forCluster, readCapture, type Discovered, type PipelineSettings } from './read-cluster';
import { clusterTargetOf } from './core/cluster-target';
import { serverTime } from './aws/server-clock';


export const DEFAULT_NODE_BATCH_SIZE = 1000;

export interface ClusterRunInput {
  /**
   * For a source account's cluster (`ACCOUNT_ID/CLUSTER`), `rt.ec2` must sign as that account (the runner's
   * SourceAccounts); CloudWatch stays the monitoring account's, read through OAM.
   */
  readonly rt: AwsRuntime;
  /** The cluster target as configured: `CLUSTER`, or `ACCOUNT_ID/CLUSTER` for a source account's (docs/central.md). */
  readonly cluster: string;
  readonly settings: PipelineSettings;
  readonly window: RunWindow;
  readonly now: Date;
  /** `emit` publishes; `dryRun` reads everything and plans the emission only. */
  readonly mode: 'emit' | 'dryRun';
  /**
   * Publish the run's `Heartbeat` with the emission. Only the scheduled function does: the heartbeat alarm watches
   * that function, and a person's CLI run beating it would hide a dead function from the alarm.
   */
  readonly heartbeat?: boolean;
  /**
   * Report every closed period of the window, not only the pending ones, and every node-period whole, however
   * many node batches it took (the CLI's view: it prints them and sets its exit status from them).
   */
  readonly reportWholeWindow?: boolean;
  readonly ledgerMemory?: LedgerMemory;
  /** The run's one listing of the agent namespace, shared by its clusters (aws/discovery.ts); none: this cluster lists it. */
  readonly agentListings?: AgentListings;
  readonly region?: string;
  /**
   * At most this many GetMetricData datapoints in this run. The pending periods are cut to fit, oldest first, and
   * the rest are deferred to the next run: a large cluster catching up after an outage spreads the catch-up over
   * several runs instead of running into the function's timeout (the handler sets it from the time left and the
   * datapoints-per-second quota). Unset: no cut (the CLI reads what it is asked for).
   */
  readonly readBudgetDatapoints?: number;
  /**
   * The ledger store (docs/aws.md, "Exactly once"): an emitting run takes the cluster's lease first (or fails with
   * LeaseHeldError, having read and published nothing), decides from the store and CloudWatch's ledger together,
   * and records every put before sending it. None: CloudWatch's ledger only, and no exclusion of other publishers.
   */
  readonly ledgerStore?: LedgerStore;
  /** Who the lease names as its holder (a function invocation, a person's CLI run). */
  readonly publisher?: string;
}

export interface ClusterRunResult {
  /** The target as configured (`CLUSTER` or `ACCOUNT_ID/CLUSTER`). */
  readonly cluster: string;
  /** The source account of an `ACCOUNT_ID/CLUSTER` target. */
  readonly accountId?: string;
  readonly decision: PendingDecision;
  /** The window metrics were read for; null when nothing was read. */
  readonly readWindow: { readonly start: string; readonly end: string } | null;
  readonly nodes: number;
  /** Of `nodes`, those the cluster's Container Insights series name and DescribeInstances does not list (read-cluster.ts). */
  readonly nodesFromSeries: number;
  readonly agentSeriesListed: number;
  readonly agentSeriesDuplicates: number;
  readonly report: ReconcileReport | null;
  readonly emission: EmissionPlan | null;
  readonly emitted: EmissionResult | null;
}


/** A run's input with the target split: `cluster` is the EKS name (tags, Container Insights), `accountId` its account. */
interface TargetRunInput extends ClusterRunInput {
  readonly accountId: string | undefined;
  /** The ledger store's partition of this target, and the lease this run holds on it (emitting runs only). */
  readonly ledgerKey: LedgerKey;
  readonly lease: LeaseHandle | undefined;
  /** The run's `now`, moved on by the time elapsed on the runtime's clock (epoch seconds): what the store's records are stamped with. */
  readonly storeNow: () => number;
}

async function reconcileBatches(rt: AwsRuntime, input: TargetRunInput, window: ReadWindow, found: Discovered) {
  const { cluster, settings, accountId } = input;
  const { inventory, agent } = found;
  const size = settings.nodeBatchSize ?? DEFAULT_NODE_BATCH_SIZE;
  const batches: CaptureNode[][] = [];
  for (let i = 0; i < inventory.nodes.length; i += size) batches.push(inventory.nodes.slice(i, i + size));
  if (batches.length === 0) batches.push([]);

  // The handler needs node-periods only for per-node output, and then only their figures.
  const kept = input.reportWholeWindow ? 'full' : settings.perNodeMetrics ? 'figures' : 'none';
  const merger = batches.length > 1 ? new ReportMerger(cluster, settings.reconcile, kept) : null;
  let single: ReconcileReport | null = null;
  const readBatch = (nodes: CaptureNode[], b: number) =>
    readCapture(rt, {
      cluster,
      accountId,
      ...(input.region ? { region: input.region } : {}),
      settings,
      nodes,
      agentByInstance: agent.byInstance,
      window,
      now: input.now,
      generator: 'netrecon pipeline',
      ...(batches.length > 1 ? { part: `node batch ${b + 1} of ${batches.length}` } : {}),
    });
  // The next batch is read while this one is reconciled: reading mostly waits on the API and its quotas,
  // reconciling is CPU, so the two overlap. Two batches of series are in memory at most. A batch whose read
  // failed throws out of the loop before the next one is started: no period of the window may be published.
  const prefetch = (nodes: CaptureNode[], b: number) => {
    const p = readBatch(nodes, b);
    p.catch(() => undefined); // awaited below; this only keeps an early failure from being reported as unhandled
    return p;
  };
  let next = prefetch(batches[0]!, 0);
  for (const [b, nodes] of batches.entries()) {
    const read = await next;
    if (b + 1 < batches.length) next = prefetch(batches[b + 1]!, b + 1);
    const validated = validateCapture(read.capture, `GetMetricData answers for ${cluster}`);
    // The inventory's skipped nodes go in with the first batch, so the core counts them once in the summary.
    const before = b === 0 ? inventory.skipped : [];
    const report = reconcile(validated.capture, settings.reconcile, { skipped: [...before, ...validated.skipped, ...(read.skipped ?? [])] });
    if (merger) {
      merger.add(report);
      rt.progress(`${cluster}: batch ${b + 1}/${batches.length} reconciled (${nodes.length} nodes)`);
    } else single = report;
  }
  const report = merger ? merger.report() : single!;
  return { report, nodes: inventory.nodes.length, nodesFromSeries: found.nodesFromSeries, listed: agent.listed, duplicates: agent.duplicates };
}

/** Inventory and discovery, then the check that a cluster with no node matching the filter was never seen either. */
async function discoverKnown(input: TargetRunInput, window: ReadWindow, nowSeconds: number): Promise<Discovered> {
  const { rt, cluster, settings, accountId } = input;
  const d = await discover(rt, cluster, settings, window, nowSeconds, input.agentListings, accountId);
  await requireKnownCluster(rt, { namespace: settings.outputNamespace, cluster, accountId, filter: settings.nodeFilter, matchedInstances: d.inventory.matched, nowSeconds });
  return d;
}

/** What a run decided before reading: the periods to emit, the ledger they were decided from, and any discovery the read budget took. */
interface Decided {
  readonly decision: PendingDecision;
  readonly ledger: Ledger;
  readonly candidate: ReadWindow;
  readonly found: Discovered | null;
  /** The run's start by the service's clock (docs/aws.md, "Whose clock decides what is closed"). */
  readonly now: Date;
  readonly nowSeconds: number;
}

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * The ledger over the candidate window, by the service's clock. Until a client has been answered the offset is
 * unknown (0): the ledger read is the run's first call, so its answer tells the offset, and when that moves the
 * candidate window (a skewed clock, first run of a process), the ledger is read again over the right one.
 */
async function ledgerByServerTime(input: TargetRunInput) {
  const { rt, cluster, settings, accountId } = input;
  const read = (window: ReadWindow) => readLedger(rt, { namespace: settings.outputNamespace, cluster, accountId, periodSeconds: settings.reconcile.periodSeconds, ...window });
  const guess = epochSeconds(serverTime(rt.serverClock, input.now));
  let candidate = candidateWindow(guess, settings.schedule, input.window);
  let fromCloudWatch = await read(candidate);
  const now = serverTime(rt.serverClock, input.now);
  const corrected = candidateWindow(epochSeconds(now), settings.schedule, input.window);
  if (corrected.startSeconds !== candidate.startSeconds || corrected.endSeconds !== candidate.endSeconds) {
    const offset = Math.round((now.getTime() - input.now.getTime()) / 1000);
    rt.progress(`${cluster}: this machine's clock is ${Math.abs(offset)} s ${offset < 0 ? 'ahead of' : 'behind'} the service's; periods are closed by the service's clock, ledger read again`);
    candidate = corrected;
    fromCloudWatch = await read(candidate);
  }
  return { candidate, fromCloudWatch, now, nowSeconds: epochSeconds(now) };
}

/** Reads the ledger, merges this container's memory of it, and decides the periods to emit (cut to the read budget). */
async function decide(input: TargetRunInput, memory: ClusterLedgerMemory | undefined): Promise<Decided> {
  const { rt, cluster, settings } = input;
  const P = settings.reconcile.periodSeconds;
  const { candidate, fromCloudWatch, now, nowSeconds } = await ledgerByServerTime(input);
  // Every client signs by the service's time from here on, the PutMetricData one included.
  rt.serverClock.share();
  // The store's records are stamped by this machine's clock (a lease's skew allowance covers other machines'),
  // so they are settled by it too, and their hold times moved onto the service's clock the decision uses.
  const storeNowSeconds = input.storeNow();
  const fromStore = await readStore(input, fromCloudWatch, candidate, storeNowSeconds);
  const storeToServerSeconds = nowSeconds - storeNowSeconds;
  const ledger = mergeLedgers(mergeLedgers(fromCloudWatch, fromStore?.ledger ?? new Map()), memory?.view() ?? new Map());
  // Periods with a request in doubt wait until CloudWatch's ledger can be trusted to show it (docs/aws.md, "In-doubt puts").
  const held = new Map(memory?.held(nowSeconds) ?? []);
  for (const [start, at] of fromStore?.held ?? []) held.set(start, Math.max(at + storeToServerSeconds, held.get(start) ?? 0));
  let decision = decidePending(nowSeconds, settings.schedule, input.window, ledger, held);
  let found: Discovered | null = null;
  if (decision.periods.length > 0 && input.readBudgetDatapoints !== undefined) {
    // Discovery over every pending period is a superset of what a shorter read needs: nodes that launched later
    // simply have no node-period in the periods read.
    found = await discoverKnown(input, { startSeconds: decision.periods[0]!, endSeconds: decision.periods.at(-1)! + P }, nowSeconds);
    const points = datapointsPerPeriod(found.inventory.nodes, found.agent.byInstance, cluster, settings.sources, P);
    decision = withinBudget(decision, points, input.readBudgetDatapoints);
  }
  rt.progress(`${cluster}: ${decision.periods.length} period(s) to emit, ${decision.alreadyComplete} already complete${decision.waiting ? ` (${decision.waiting})` : ''}`);
  return { decision, ledger, candidate, found, now, nowSeconds };
}

/**
 * The store's records over the candidate window, settled against CloudWatch's ledger; the settlements are written
 * back when this run holds the lease (a dry run only looks).
 */
async function readStore(input: TargetRunInput, fromCloudWatch: Ledger, candidate: ReadWindow, nowSeconds: number): Promise<StoreView | undefined> {
  const store = input.ledgerStore;
  if (!store) return undefined;
  const stored = await store.read(input.rt, input.ledgerKey, candidate.startSeconds, candidate.endSeconds);
  const view = settleIntents(stored, fromCloudWatch, nowSeconds);
  if (input.lease && view.settlements.length > 0) {
    await store.settle(input.rt, input.lease, input.storeNow(), LEASE_SECONDS, view.settlements);
    const landed = view.settlements.filter((s) => s.landed).length;
    input.rt.progress(`${input.cluster}: ${view.settlements.length} earlier put(s) in doubt settled from CloudWatch's ledger (${landed} landed, ${view.settlements.length - landed} not)`);
  }
  return view;
}

/** The window to read: the whole candidate window for a report of it, else the periods to emit; null when nothing is read. */
function readWindowOf(input: ClusterRunInput, { decision, candidate }: Decided): ReadWindow | null {
  if (input.reportWholeWindow && candidate.endSeconds > candidate.startSeconds) return candidate;
  if (decision.periods.length === 0) return null;
  return { startSeconds: decision.periods[0]!, endSeconds: decision.periods.at(-1)! + input.settings.reconcile.periodSeconds };
}

/** Reads the window's series and reconciles them; a failed read becomes UnreadPeriodsError when periods were to be emitted. */
async function readAndReconcile(input: TargetRunInput, decided: Decided, window: ReadWindow, nowSeconds: number) {
  const { rt, cluster, settings } = input;
  const found = decided.found ?? (await discoverKnown(input, window, nowSeconds));
  return reconcileBatches(rt, input, window, found).catch((error: unknown) => {
    // A failed read publishes nothing (not even the heartbeat): the periods stay pending for the next run.
    const { periods } = decided.decision;
    if (!(error instanceof ReadFailedError) || periods.length === 0) throw error;
    throw new UnreadPeriodsError(cluster, periods, settings.reconcile.periodSeconds, backfillBoundSeconds(settings.schedule, input.window), nowSeconds, error);
  });
}

/** Sends the plan, keeping this container's memory of the ledger: what is expected, what landed, what is in doubt. */
function emit(input: TargetRunInput, plan: EmissionPlan, memory: ClusterLedgerMemory | undefined, nowSeconds: number): Promise<EmissionResult> {
  for (const p of plan.periods) memory?.expect(p.periodStartSeconds, p.resumedAfter, p.requestsNeeded);
  return sendEmission(input.rt, plan, {
    landed: (start) => memory?.landed(start),
    inDoubt: (starts) => {
      for (const start of starts) memory?.inDoubt(start, ledgerVisibleAtSeconds(start, nowSeconds + MAX_RUN_SECONDS));
    },
    ...storeObserver(input, plan),
  });
}

/** Chunks of each period in a request. */
function chunksOf(request: { readonly periods: readonly number[] }): Map<number, number> {
  const n = new Map<number, number>();
  for (const p of request.periods) n.set(p, (n.get(p) ?? 0) + 1);
  return n;
}

/**
 * The store's side of the emission: an intent before every put (fenced by the lease; the put must go out within
 * the send deadline), the confirmed count after it, the intent cleared when it definitely did not land.
 */
function storeObserver(input: TargetRunInput, plan: EmissionPlan): EmissionObserver {
  const { ledgerStore: store, lease, rt } = input;
  if (!store || !lease) return {};
  const known = new Map<number, LedgerEntry>(plan.periods.map((p) => [p.periodStartSeconds, { landed: p.resumedAfter, total: p.requestsNeeded }]));
  return {
    beforeSend: async (request) => {
      if (request.periods.length === 0) return undefined; // a heartbeat alone: nothing of the ledger
      const sentFromMs = rt.clock.now();
      const at = input.storeNow();
      const intents = requestIntents(request.periods, (s) => known.get(s)?.landed ?? 0, (s) => known.get(s)?.total ?? 1, at, lease.owner);
      await store.writeIntents(rt, lease, at, LEASE_SECONDS, intents);
      return sentFromMs + PUT_SEND_DEADLINE_SECONDS * 1000;
    },
    confirmed: async (request) => {
      if (request.periods.length === 0) return;
      const entries = [...chunksOf(request)].map(([start, n]) => {
        const before = known.get(start) ?? { landed: 0, total: 1 };
        const entry = { landed: before.landed + n, total: before.total };
        known.set(start, entry);
        return { periodStartSeconds: start, entry };
      });
      await store.recordLanded(rt, lease, entries);
    },
    notSent: async (request) => {
      if (request.periods.length > 0) await store.clearIntents(rt, lease, [...chunksOf(request).keys()]);
    },
  };
}

/** The report with its account next to the cluster's name. */
function withAccount(report: ReconcileReport, accountId: string): ReconcileReport {
  const { cluster, ...rest } = report;
  return { cluster, accountId, ...rest };
}

/** decide -> read and reconcile -> plan the emission -> emit. */
export async function runCluster(clusterInput: ClusterRunInput): Promise<ClusterRunResult> {
  const target = clusterTargetOf(clusterInput.cluster);
  // Settings (the source profile) and this container's ledger memory are the configured target's; what is read
  // and published names the EKS cluster and, for a source account's, its account.
  const settings = forCluster(clusterInput.settings, clusterInput.cluster);
  const nowSeconds = Math.floor(clusterInput.now.getTime() / 1000);
  const { rt, ledgerStore: store } = clusterInput;
  const clockStartMs = rt.clock.now();
  const storeNow = () => nowSeconds + Math.floor((rt.clock.now() - clockStartMs) / 1000);
  const ledgerKey: LedgerKey = { namespace: settings.outputNamespace, accountId: target.accountId, cluster: target.cluster };
  // The lease comes first: the decision of what is pending is only sound while no one else can publish.
  const lease =
    store && clusterInput.mode === 'emit'
      ? await store.acquire(rt, ledgerKey, {
          owner: randomUUID(),
          holder: clusterInput.publisher ?? 'netrecon',
          nowSeconds,
          leaseSeconds: LEASE_SECONDS,
          skewSeconds: CLOCK_SKEW_ALLOWANCE_SECONDS,
        })
      : undefined;
  try {
    return await runLeased({ ...clusterInput, cluster: target.cluster, accountId: target.accountId, settings, ledgerKey, lease, storeNow }, clusterInput.cluster);
  } finally {
    if (lease) await store!.release(rt, lease);
  }
}

async function runLeased(input: TargetRunInput, configured: string): Promise<ClusterRunResult> {
  const target = clusterTargetOf(configured);
  const { cluster, settings, accountId } = input;
  const memory = input.ledgerMemory?.of(settings.outputNamespace, configured);

  const decided = await decide(input, memory);
  const { decision, ledger, now, nowSeconds } = decided;
  const window = readWindowOf(input, decided);
  const read = window ? await readAndReconcile({ ...input, now }, decided, window, nowSeconds) : null;
  // The report says whose cluster it is, next to the name (the JSON report's `accountId`).
  const report = read?.report && accountId !== undefined ? withAccount(read.report, accountId) : (read?.report ?? null);

  const output = { namespace: settings.outputNamespace, cluster, accountId, perNodeMetrics: settings.perNodeMetrics };
  const periods = (report ? reportDatums(report, decision.periods, output) : []).map((p) => {
    const entry = ledger.get(p.periodStartSeconds);
    return entry ? { ...p, ledger: entry } : p;
  });
  const plan = planEmission(periods, settings.outputNamespace, target, input.mode === 'emit' && input.heartbeat === true ? now : null);

  let emitted: EmissionResult | null = null;
  if (input.mode === 'emit') {
    emitted = await emit(input, plan, memory, nowSeconds);
    input.ledgerMemory?.prune(nowSeconds - settings.schedule.backfillSeconds - settings.reconcile.periodSeconds);
  }
  return {
    cluster: configured,
    ...(accountId === undefined ? {} : { accountId }),
    decision,
    readWindow: window ? { start: isoOf(window.startSeconds), end: isoOf(window.endSeconds) } : null,
    nodes: read?.nodes ?? 0,
    nodesFromSeries: read?.nodesFromSeries ?? 0,
    agentSeriesListed: read?.listed ?? 0,
    agentSeriesDuplicates: read?.duplicates ?? 0,
    report,
    emission: plan,
    emitted,
  };
}
