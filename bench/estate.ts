/**
 * One estate measurement in its own process (so peak memory is its own): C clusters of N nodes (4 agent interfaces
 * each) in ONE simulated account (test/helpers/fake-aws.ts: 50 ms a call, the account's default quotas enforced),
 * reconciled the way the scheduled function does (lambda/runner.ts): clusters one after the other, each paced to
 * `readQuotaShare` of the GetMetricData datapoints-per-second quota, one agent namespace listing for the run, one
 * read of 12 pending periods (an hour at P = 300 s).
 *
 * - per-account: the clusters of one account. Every account of the estate has its own quota and runs the same, at
 *   the same time, so the estate's wall time is one account's; calls and datapoints multiply by the accounts.
 * - central (SIMULATED): one reconciler reading every account's clusters through one account's quota. The central
 *   reconciler itself (OAM reads with MetricDataQuery.AccountId) is another branch's work; here it is modelled as
 *   all the estate's clusters read through one quota, which is what binds it.
 * The simulated account runs in a process of its own (bench/simulated-aws.ts), so this process's CPU time and peak
 * RSS are netrecon's alone. Prints one JSON line.
 */
import { DEFAULT_QUOTAS, makeAwsRuntime, newCounters, type ApiCounters } from '../lambda/aws/api';
import { AgentListings } from '../lambda/aws/discovery';
import { parseHandlerConfig } from '../lambda/handler-config';
import { runCluster } from '../lambda/pipeline';
import { LedgerMemory } from '../lambda/plan/ledger-memory';
import { readQuotas } from '../lambda/read-budget';
import { RUN_SETTINGS } from '../lambda/settings';
import { SimulatedAwsProcess } from './simulated-aws';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const clusters = Number(args.clusters ?? 5);
const nodesPerCluster = Number(args.nodes ?? 1000);
const latencyMs = Number(args.latency ?? 50);
const share = Number(args['read-quota-share'] ?? RUN_SETTINGS.readQuotaShare.default);

const now = Math.floor(Date.UTC(2026, 2, 1, 12, 0, 0) / 1000);
const names = Array.from({ length: clusters }, (_, c) => `c${c}`);

let peakRss = 0;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 50);

const fake = await SimulatedAwsProcess.start({ kind: 'estate', clusters: names, nodesPerCluster, launchSeconds: now - 7 * 86_400 }, {
  latencyMs,
  storeAllOutput: false,
  quotas: {
    getMetricDataTps: DEFAULT_QUOTAS.getMetricDataTps,
    getMetricDataDps: DEFAULT_QUOTAS.getMetricDataDps,
    listMetricsTps: DEFAULT_QUOTAS.listMetricsTps,
    putMetricDataTps: DEFAULT_QUOTAS.putMetricDataTps,
  },
});
// The stack's settings; the 50-cluster limit of one stack does not apply to the simulated central reader.
const settings = parseHandlerConfig({ [RUN_SETTINGS.clusters.env]: 'c0', [RUN_SETTINGS.sourceProfile.env]: 'full' });
const { periodSeconds: P, lagSeconds, periodsPerRead } = settings.schedule;
const closedEnd = Math.floor((now - lagSeconds) / P) * P;
const quotas = readQuotas(undefined, share);
const agentListings = new AgentListings();
const ledgerMemory = new LedgerMemory();
const total: ApiCounters = newCounters();
let seriesRead = 0;
let nodePeriods = 0;
let nodePeriodsOk = 0;
let failed = 0;

const simBefore = await fake.stats();
const started = performance.now();
const cpuBefore = process.cpuUsage();
for (const cluster of names) {
  const rt = makeAwsRuntime({ cloudWatch: fake.cloudWatch, ec2: fake.ec2, quotas, readConcurrency: 8, progress: () => undefined });
  try {
    const result = await runCluster({
      rt,
      cluster,
      settings,
      window: { kind: 'manual', startSeconds: closedEnd - periodsPerRead * P, endSeconds: closedEnd },
      now: new Date(now * 1000),
      mode: 'emit',
      ledgerMemory,
      agentListings,
    });
    seriesRead += result.report?.summary.seriesRead ?? 0;
    nodePeriods += result.report?.summary.nodePeriods ?? 0;
    nodePeriodsOk += result.report?.summary.nodePeriodsByStatus.ok ?? 0;
  } catch (error) {
    failed++;
    process.stderr.write(`  [estate] ${cluster} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  for (const k of Object.keys(total.calls) as (keyof ApiCounters['calls'])[]) total.calls[k] += rt.counters.calls[k];
  total.metricsRequested += rt.counters.metricsRequested;
  total.datapointsReturned += rt.counters.datapointsReturned;
  total.throttled += rt.counters.throttled;
}
const wallSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
sample();
clearInterval(sampler);
const sim = await fake.stats();
fake.close();

process.stdout.write(
  `${JSON.stringify({
    clusters,
    nodesPerCluster,
    nodes: clusters * nodesPerCluster,
    periods: periodsPerRead,
    periodSeconds: P,
    readQuotaShare: share,
    dpsQuota: DEFAULT_QUOTAS.getMetricDataDps,
    seriesRead,
    calls: total.calls,
    metricsRequested: total.metricsRequested,
    datapointsReturned: total.datapointsReturned,
    throttled: total.throttled,
    throttledByFake: sim.counters.throttled,
    nodePeriods,
    nodePeriodsOk,
    failed,
    wallSeconds,
    // This process only (netrecon's loop over the clusters), as in bench/one-size.ts.
    peakRssMiB: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    productCpuSeconds: (cpu.user + cpu.system) / 1e6,
    simulatorCpuSeconds: (sim.cpuMicros - simBefore.cpuMicros) / 1e6,
    simulatorPeakRssMiB: sim.peakRssMiB,
  })}\n`,
);
