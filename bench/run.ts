/**
 * `npm run bench`: the query plan's cost and speed, ours against the naive plan, for 1,000, 10,000 and 100,000
 * nodes with 4 agent interfaces each, through the real planner, reader, core and sink against the SIMULATION of
 * the SDK clients (test/helpers/fake-aws.ts: 50 ms a call, per-call limits and the default quotas enforced). Each
 * measurement runs in its own process so its peak memory is its own, and the simulation runs in a process of its own
 * beside it (bench/simulated-aws.ts), so the CPU time and peak RSS printed are netrecon's alone. Figures, not a test.
 *
 * Options: --sizes=1000,10000,100000 (--sizes= for none)  --latency=50  --heap-mib=768 (V8 heap limit of each run)  --dps-quota=false (lift the GetMetricData datapoints-per-second
 * quota, as if raised, to see what the plan itself costs in time)  --estate=false (skip the estate rows)  --estate-nodes=1000 (nodes a cluster in the estate rows)  --html=false (skip the HTML report)  --promql=false (skip the PromQL rows)  --package=false (skip the start-up figures).
 * Then the estate rows (bench/estate.ts): 1 account x 100,000 nodes; 20 accounts x 5 clusters x 1,000 nodes, per
 * account (each account its own quota) and central (SIMULATED: every account's clusters through one quota), each at
 * the default readQuotaShare. At the end, bench/html-report.ts measures the HTML report's file size and load time in
 * Chromium at 1 node and the same sizes, and bench/package-start.ts the function bundle's size and import time and
 * the compiled CLI's start.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HOURS_PER_MONTH, PRICES_USD, runCostUsd } from '../lambda/plan/pricing';
import { GET_METRIC_DATA_DPS_RECENT, GET_METRIC_DATA_MAX_QUERIES } from '../lambda/plan/limits';
import { RUN_SETTINGS } from '../lambda/settings';

interface Measurement {
  plan: 'ours' | 'naive';
  nodes: number;
  periods: number;
  series: number;
  calls: { DescribeInstances: number; ListMetrics: number; GetMetricData: number; PutMetricData: number };
  metricsRequested: number;
  datapointsReturned: number;
  metricsEmitted: number;
  throttled: number;
  throttledGetMetricData: number;
  retries: number;
  rejected: number;
  skipped: number;
  nodePeriods: number;
  nodePeriodsOk: number;
  emitError: string | null;
  wallSeconds: number;
  peakRssMiB: number;
  productCpuSeconds: number;
  eventLoopUtilization: number;
  simulatorCpuSeconds: number;
  simulatorPeakRssMiB: number;
}

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const sizes = (args.sizes ?? '1000,10000,100000').split(',').filter((x) => x !== '').map(Number);
const latency = args.latency ?? '50';
const dps = args['dps-quota'] ?? 'true';
const oneSize = fileURLToPath(new URL('./one-size.ts', import.meta.url));
const heapMiB = Number(args['heap-mib'] ?? 768);

function measure(plan: 'ours' | 'naive', nodes: number): Measurement {
  // A heap limit like a 1 GiB function's: without one, V8 on this 24 GiB machine lets garbage pile up and the
  // peak RSS measures its laziness rather than what the run needs.
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', oneSize, `--nodes=${nodes}`, `--plan=${plan}`, `--latency=${latency}`, `--dps-quota=${dps}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${plan} ${nodes} failed with status ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Measurement;
}

/** The API cost of the one measured run. */
function measuredRunUsd(m: Measurement): number {
  return runCostUsd({ getMetricDataCalls: m.calls.GetMetricData, metricsRequested: m.metricsRequested, listMetricsCalls: m.calls.ListMetrics, putMetricDataCalls: m.calls.PutMetricData, describeInstancesCalls: m.calls.DescribeInstances });
}

/** Runs a 5-minute schedule makes per hour: ours reads once (12 periods) and 11 runs only read the ledger and beat. */
function perHourUsd(m: Measurement): { all: number; read: number } {
  const run = measuredRunUsd(m);
  const readRun = m.metricsRequested * PRICES_USD.getMetricDataPerMetric;
  if (m.plan === 'naive') return { all: 12 * run, read: 12 * readRun };
  const idle = PRICES_USD.getMetricDataPerMetric + PRICES_USD.apiRequest; // ledger read (1 metric) + heartbeat put
  return { all: run + 11 * idle, read: readRun + 11 * PRICES_USD.getMetricDataPerMetric };
}

/** netrecon's CPU (its own process, the simulator's excluded) per node-period reconciled, in µs. */
const cpuMicrosPerNodePeriod = (m: { productCpuSeconds: number; nodePeriods: number }): number => (m.productCpuSeconds * 1e6) / Math.max(1, m.nodePeriods);

/** The per-size figures of the CPU work (issue 19): wall against the quota's floor, and what netrecon itself spent. */
function cpuLine(m: Measurement): string {
  const floor = m.datapointsReturned / GET_METRIC_DATA_DPS_RECENT;
  return (
    `${m.plan}: wall ${m.wallSeconds.toFixed(1)} s, datapoints-per-second floor ${floor.toFixed(1)} s, wall/floor ${(m.wallSeconds / floor).toFixed(2)}x; ` +
    `netrecon CPU ${m.productCpuSeconds.toFixed(1)} s = ${cpuMicrosPerNodePeriod(m).toFixed(0)} us / node-period (event loop busy ${(100 * m.eventLoopUtilization).toFixed(0)} % of the wall), ` +
    `peak RSS ${m.peakRssMiB.toFixed(0)} MiB; the simulator beside it: CPU ${m.simulatorCpuSeconds.toFixed(1)} s, peak RSS ${m.simulatorPeakRssMiB.toFixed(0)} MiB.`
  );
}

const usd = (x: number): string => (x >= 1 ? `$${x.toFixed(2)}` : `$${x.toPrecision(3)}`);
const pad = (s: string | number, n: number): string => String(s).padStart(n);

console.log(`netrecon benchmark: simulated CloudWatch/EC2 (test/helpers/fake-aws.ts), ${latency} ms a call, 4 agent interfaces a node,`);
console.log(`P = 300 s, 5-minute schedule, GetMetricData datapoints-per-second quota ${dps === 'false' ? 'lifted' : `enforced (${GET_METRIC_DATA_DPS_RECENT.toLocaleString('en-US')} DPS)`}.`);
console.log(`Each run in its own process with --max-old-space-size=${heapMiB}, the simulation in another process beside it (bench/simulated-aws.ts):`);
console.log('peak MiB is the peak RSS of netrecon\'s process alone; cpu s is that process\'s user + system CPU during the run, and us/np the same per node-period.');
console.log('ours: one read of 12 pending periods an hour (every query at P, plus a SampleCount probe per node for Container Insights and the agent) + 11 ledger-only runs; naive: 12 reads of 1 period, one put per metric.');
console.log('Prices: GetMetricData $0.01 / 1,000 metrics requested; ListMetrics and PutMetricData $0.01 / 1,000 requests (lambda/plan/pricing.ts).\n');

const header = `${'plan'.padEnd(6)}${pad('nodes', 8)}${pad('series', 9)}${pad('Describe', 9)}${pad('List', 6)}${pad('GetMD', 7)}${pad('Put', 6)}${pad('metrics req', 12)}${pad('datapoints', 12)}${pad('$/run', 11)}${pad('$/node-month', 13)}${pad('read $/n-mo', 12)}${pad('wall s', 8)}${pad('cpu s', 7)}${pad('us/np', 6)}${pad('peak MiB', 9)}${pad('ok/node-periods', 18)}`;
for (const nodes of sizes) {
  const ours = measure('ours', nodes);
  const naive = measure('naive', nodes);
  console.log(header);
  for (const m of [ours, naive]) {
    const hour = perHourUsd(m);
    const run = measuredRunUsd(m);
    console.log(
      `${m.plan.padEnd(6)}${pad(m.nodes, 8)}${pad(m.series, 9)}${pad(m.calls.DescribeInstances, 9)}${pad(m.calls.ListMetrics, 6)}${pad(m.calls.GetMetricData, 7)}${pad(m.calls.PutMetricData, 6)}${pad(m.metricsRequested, 12)}${pad(m.datapointsReturned, 12)}${pad(usd(run), 11)}${pad(usd((hour.all * HOURS_PER_MONTH) / m.nodes), 13)}${pad(usd((hour.read * HOURS_PER_MONTH) / m.nodes), 12)}${pad(m.wallSeconds.toFixed(1), 8)}${pad(m.productCpuSeconds.toFixed(1), 7)}${pad(cpuMicrosPerNodePeriod(m).toFixed(0), 6)}${pad(m.peakRssMiB.toFixed(0), 9)}${pad(`${m.nodePeriodsOk}/${m.nodePeriods}`, 18)}`,
    );
  }
  const o = perHourUsd(ours);
  const n = perHourUsd(naive);
  // Calls retried after throttling count as calls (not as metrics requested): leave them and the ledger read out.
  const dataCalls = ours.calls.GetMetricData - 1 - ours.throttledGetMetricData;
  console.log(
    `per hour of data: GetMetricData calls ours ${ours.calls.GetMetricData + 11} vs naive ${12 * naive.calls.GetMetricData} (${((12 * naive.calls.GetMetricData) / (ours.calls.GetMetricData + 11)).toFixed(1)}x); ` +
      `metrics requested ${ours.metricsRequested + 11} vs ${12 * naive.metricsRequested} (${((12 * naive.metricsRequested) / (ours.metricsRequested + 11)).toFixed(1)}x); ` +
      `PutMetricData ${ours.calls.PutMetricData + 11} vs ${12 * naive.calls.PutMetricData}; wall time ${ours.wallSeconds.toFixed(1)} s vs 12 x ${naive.wallSeconds.toFixed(1)} s; ` +
      `API $/node-month ratio naive/ours ${(n.all / o.all).toFixed(1)}x, read-only ${(n.read / o.read).toFixed(1)}x.`,
  );
  console.log(
    `GetMetricData calls of the read: ${dataCalls} for ${ours.series} series = ceil(series / ${GET_METRIC_DATA_MAX_QUERIES}) + ${dataCalls - Math.ceil(ours.series / GET_METRIC_DATA_MAX_QUERIES)}` +
      ` (+1 ledger read, +${ours.throttledGetMetricData} retried after throttling); datapoints-per-second floor ${(ours.datapointsReturned / GET_METRIC_DATA_DPS_RECENT).toFixed(1)} s; ` +
      `rejected by per-call limits: ${ours.rejected + naive.rejected}; skipped: ${ours.skipped}; emit error: ${ours.emitError ?? 'none'}.`,
  );
  for (const m of [ours, naive]) console.log(cpuLine(m));
  console.log('');
}

if (args.estate !== 'false') estateRows();

// The HTML report's size and load time at the same sizes plus a one-node cluster (bench/html-report.ts).
if (args.html !== 'false') htmlReport();

// The PromQL source's reads (bench/promql.ts): a real Prometheus at 1,000 nodes; a SIMULATED answerer at 1,000 (checked equal to the real one), 10,000 and 100,000.
if (args.promql !== 'false') {
  const promql = spawnSync(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', fileURLToPath(new URL('./promql.ts', import.meta.url)), '--measured=1000', '--simulated=1000,10000,100000'], { stdio: 'inherit' });
  if (promql.status !== 0) throw new Error(`bench/promql.ts failed with status ${promql.status}`);
}

// The function bundle's size and import time, the CLI's start (bench/package-start.ts).
if (args.package !== 'false') packageStart();

interface EstateMeasurement {
  clusters: number;
  nodes: number;
  periods: number;
  periodSeconds: number;
  readQuotaShare: number;
  dpsQuota: number;
  seriesRead: number;
  calls: Measurement['calls'];
  metricsRequested: number;
  datapointsReturned: number;
  nodePeriods: number;
  nodePeriodsOk: number;
  failed: number;
  wallSeconds: number;
  peakRssMiB: number;
  productCpuSeconds: number;
}

function measureEstate(clusters: number, nodesPerCluster: number): EstateMeasurement {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', fileURLToPath(new URL('./estate.ts', import.meta.url)), `--clusters=${clusters}`, `--nodes=${nodesPerCluster}`, `--latency=${latency}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`estate ${clusters} x ${nodesPerCluster} failed with status ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as EstateMeasurement;
}

/**
 * One row per estate form. `accounts`: how many accounts run this measurement side by side, each with its own quota
 * (per-account form): wall time is one account's, calls and datapoints are the estate's.
 */
function estateRow(name: string, m: EstateMeasurement, accounts: number): string {
  const hoursRead = (m.periods * m.periodSeconds) / 3600;
  const perNodeHour = m.datapointsReturned / m.nodes / hoursRead;
  const minimum = m.seriesRead / m.nodes / hoursRead * (3600 / m.periodSeconds);
  const floorShare = m.datapointsReturned / (m.dpsQuota * m.readQuotaShare);
  // An hour of data: the read (its metrics) + 11 ledger-only runs per cluster (one metric each).
  const readUsdPerNodeMonth = ((m.metricsRequested + 11 * m.clusters) * PRICES_USD.getMetricDataPerMetric * HOURS_PER_MONTH) / m.nodes;
  const c = m.calls;
  return `${name.padEnd(44)}${pad((m.nodes * accounts).toLocaleString('en-US'), 9)}${pad(perNodeHour.toFixed(0), 7)}${pad(minimum.toFixed(0), 5)}${pad((perNodeHour / minimum).toFixed(2) + 'x', 7)}${pad(m.wallSeconds.toFixed(1), 8)}${pad(m.productCpuSeconds.toFixed(1), 7)}${pad(cpuMicrosPerNodePeriod(m).toFixed(0), 6)}${pad(floorShare.toFixed(1), 8)}${pad((m.datapointsReturned / m.dpsQuota).toFixed(1), 8)}${pad(c.DescribeInstances * accounts, 9)}${pad(c.ListMetrics * accounts, 6)}${pad(c.GetMetricData * accounts, 7)}${pad(c.PutMetricData * accounts, 6)}${pad(usd(readUsdPerNodeMonth), 12)}${pad(m.peakRssMiB.toFixed(0), 9)}${pad(`${m.nodePeriodsOk}/${m.nodePeriods}`, 16)}`;
}

function estateRows(): void {
  console.log(`Estates: P = 300 s, 12 periods read an hour, 4 agent interfaces a node, full profile, readQuotaShare ${RUN_SETTINGS.readQuotaShare.default} of ${GET_METRIC_DATA_DPS_RECENT.toLocaleString('en-US')} DPS per account.`);
  console.log('dp/n-h: datapoints per node-hour read; min: one value per series per period; cpu s, us/np: netrecon\'s process alone; floor: datapoints / DPS (at the share, and at the whole quota).');
  console.log(`${'estate'.padEnd(44)}${pad('nodes', 9)}${pad('dp/n-h', 7)}${pad('min', 5)}${pad('ratio', 7)}${pad('wall s', 8)}${pad('cpu s', 7)}${pad('us/np', 6)}${pad('floor@s', 8)}${pad('floor@q', 8)}${pad('Describe', 9)}${pad('List', 6)}${pad('GetMD', 7)}${pad('Put', 6)}${pad('read $/n-mo', 12)}${pad('peak MiB', 9)}${pad('ok/np', 16)}`);
  const n = Number(args['estate-nodes'] ?? 1000);
  const k = n.toLocaleString('en-US');
  console.log(estateRow(`1 account x 1 cluster x ${(100 * n).toLocaleString('en-US')} nodes`, measureEstate(1, 100 * n), 1));
  console.log(estateRow(`20 accounts x 5 x ${k}, per-account`, measureEstate(5, n), 20));
  console.log(estateRow(`20 x 5 x ${k}, central (SIMULATED, 1 quota)`, measureEstate(100, n), 1));
  console.log('per-account: each account runs the same 5 clusters at once against its own quota; wall time is one account\'s, calls are the estate\'s.\n');
}

function htmlReport(): void {
  const html = spawnSync(process.execPath, ['--max-old-space-size=6144', '--import', 'tsx', fileURLToPath(new URL('./html-report.ts', import.meta.url)), `--sizes=1,${sizes.join(',')}`], { stdio: 'inherit' });
  if (html.status !== 0) throw new Error(`bench/html-report.ts failed with status ${html.status}`);
}

function packageStart(): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./package-start.ts', import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`bench/package-start.ts failed with status ${r.status}`);
}
