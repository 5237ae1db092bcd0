/**
 * One benchmark measurement in its own process (so peak memory is this run's alone): a synthetic cluster of N
 * nodes behind the simulated SDK clients (test/helpers/fake-aws.ts), which run in a process of their own
 * (bench/simulated-aws.ts) so that this process's CPU time and peak RSS are netrecon's alone; then either
 * - `ours`: one scheduled-style run over 12 pending periods (one hour at P = 300 s) through the real pipeline:
 *   ledger read, inventory, discovery, planner, GetMetricData, capture, validation, core, roll-up, sink; or
 * - `naive`: the plan we compare against: every 5-minute run reads its one closed period with one query per
 *   series, and publishes one PutMetricData request per metric (the same planner, reader and core, window of
 *   one period; no ledger).
 * Prints one JSON line.
 *
 * `--cpu-profile=FILE` also writes a V8 CPU profile of the measured run alone (the sampling profiler `node --cpu-prof`
 * uses, started and stopped around the run so module loading stays out, its positions mapped back to the TypeScript
 * sources); `npx tsx bench/cpu-profile-top.ts FILE` lists where the time went.
 */
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { makeAwsRuntime, DEFAULT_QUOTAS } from '../lambda/aws/api';
import { LedgerMemory } from '../lambda/plan/ledger-memory';
import { parseHandlerConfig } from '../lambda/handler-config';
import { LEDGER_METRIC } from '../lambda/output-metrics';
import { runCluster } from '../lambda/pipeline';
import type { PipelineSettings } from '../lambda/read-cluster';
import { RUN_SETTINGS } from '../lambda/settings';
import { SimulatedAwsProcess } from './simulated-aws';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'];
  }),
);
const nodes = Number(args.nodes ?? 1000);
const plan = (args.plan ?? 'ours') as 'ours' | 'naive';
const latencyMs = Number(args.latency ?? 50);
const dpsQuota = args['dps-quota'] !== 'false';

const CLUSTER = 'bench';
// The deployed function's settings, defaults and all, as its handler parses them from its environment.
const settings: PipelineSettings = parseHandlerConfig({ [RUN_SETTINGS.clusters.env]: CLUSTER });
const { periodSeconds: P, lagSeconds, periodsPerRead } = settings.schedule;
const now = Math.floor(Date.UTC(2026, 2, 1, 12, 0, 0) / 1000);
const closedEnd = Math.floor((now - lagSeconds) / P) * P;
// Ours: the one read of a scheduled run once the pending periods reach the read batch; naive: one period a run.
const periods = plan === 'ours' ? periodsPerRead : 1;

let peakRss = 0;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 50);

const fake = await SimulatedAwsProcess.start({ kind: 'cluster', cluster: CLUSTER, nodes, launchSeconds: now - 7 * 86_400 }, {
  latencyMs,
  storeAllOutput: false,
  quotas: {
    getMetricDataTps: DEFAULT_QUOTAS.getMetricDataTps,
    ...(dpsQuota ? { getMetricDataDps: DEFAULT_QUOTAS.getMetricDataDps } : {}),
    listMetricsTps: DEFAULT_QUOTAS.listMetricsTps,
    putMetricDataTps: DEFAULT_QUOTAS.putMetricDataTps,
  },
});
const rt = makeAwsRuntime({
  cloudWatch: fake.cloudWatch,
  ec2: fake.ec2,
  // The quotas our pacing keeps to; the fake throttles anything above them.
  quotas: dpsQuota ? {} : { getMetricDataDps: 1e12 },
  readConcurrency: 8,
  progress: (m) => process.stderr.write(`  [${plan} ${nodes}] ${m}\n`),
});
const profileFile = args['cpu-profile'];
const profiler = profileFile ? await startProfiler() : undefined;
const simBefore = await fake.stats();
const started = performance.now();
const cpuBefore = process.cpuUsage();
const eluBefore = performance.eventLoopUtilization();
const result = await runCluster({
  rt,
  cluster: CLUSTER,
  settings,
  window: { kind: 'manual', startSeconds: closedEnd - periods * P, endSeconds: closedEnd },
  now: new Date(now * 1000),
  mode: plan === 'ours' ? 'emit' : 'dryRun',
  ledgerMemory: new LedgerMemory(),
});
let naivePuts = 0;
if (plan === 'naive') {
  // One put per metric: every datum of the period in its own request.
  for (const request of result.emission?.requests ?? []) {
    for (const datum of request.input.MetricData ?? []) {
      if (datum.MetricName === LEDGER_METRIC.name) continue;
      await fake.cloudWatch.send(new PutMetricDataCommand({ Namespace: settings.outputNamespace, MetricData: [datum] }));
      rt.counters.calls.PutMetricData++;
      naivePuts++;
    }
  }
}
const wallSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const elu = performance.eventLoopUtilization(eluBefore);
sample();
clearInterval(sampler);
const sim = await fake.stats();
fake.close();
if (profiler && profileFile) await stopProfiler(profiler, profileFile);

const series = result.report?.summary.seriesRead ?? 0;
if (plan === 'naive') {
  // The naive plan keeps no ledger: take the pipeline's one ledger read out of its figures.
  rt.counters.calls.GetMetricData -= 1;
  rt.counters.metricsRequested -= 1;
}
process.stdout.write(
  `${JSON.stringify({
    plan,
    nodes,
    periods,
    latencyMs,
    dpsQuota,
    series,
    calls: rt.counters.calls,
    metricsRequested: rt.counters.metricsRequested,
    datapointsReturned: rt.counters.datapointsReturned,
    metricsEmitted: plan === 'naive' ? naivePuts : rt.counters.metricsEmitted,
    throttled: sim.counters.throttled,
    throttledGetMetricData: (sim.counters.throttledBy.GetMetricData ?? 0) + (sim.counters.throttledBy.GetMetricDataPoints ?? 0),
    rejected: sim.counters.rejected,
    retries: rt.counters.retries,
    skipped: result.report?.skipped.length ?? 0,
    nodePeriodsOk: result.report?.summary.nodePeriodsByStatus.ok ?? 0,
    nodePeriods: result.report?.summary.nodePeriods ?? 0,
    emitError: result.emitted?.error?.message ?? null,
    wallSeconds,
    // This process only: netrecon, the SDK-free channel to the simulator, tsx and the bench's own loop.
    peakRssMiB: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    productCpuSeconds: (cpu.user + cpu.system) / 1e6,
    productCpuUserSeconds: cpu.user / 1e6,
    eventLoopUtilization: elu.utilization,
    simulatorCpuSeconds: (sim.cpuMicros - simBefore.cpuMicros) / 1e6,
    simulatorPeakRssMiB: sim.peakRssMiB,
  })}\n`,
);

async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

/** Stops the profile and writes it with each frame's position in the TypeScript source (tsx compiles a module to one line). */
async function stopProfiler(session: Session, file: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    if (!frame.url.startsWith('file://') || frame.lineNumber < 0) continue;
    // ES modules are keyed by URL, CommonJS ones by path.
    const entry = (findSourceMap(frame.url) ?? findSourceMap(fileURLToPath(frame.url)))?.findEntry(frame.lineNumber, frame.columnNumber);
    if (!entry || !('originalLine' in entry)) continue;
    frame.lineNumber = entry.originalLine;
    frame.columnNumber = entry.originalColumn;
    delete node.positionTicks; // lines of the compiled text, meaningless after the mapping
  }
  writeFileSync(file, JSON.stringify(profile));
}
