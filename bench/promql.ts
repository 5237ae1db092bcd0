/**
 * `npx tsx bench/promql.ts [--measured=1000] [--simulated=1000,10000,100000]`: the PromQL source's reads. Figures,
 * not a test. Each read runs in a child process of its own, so its wall time and peak RSS are netrecon's reads and
 * translation only, not the generation of the answers; it reads in the pipeline's node batches (1,000 nodes).
 * - measured: against a REAL Prometheus (Debian's 2.42, loaded by promtool with one hour of node_exporter counters
 *   scraped every 30 s: eth0, eth1, two VPC CNI veths and lo per node).
 * - SIMULATED: a real server of 10,000 or 100,000 nodes does not fit this machine, so netrecon's own side is
 *   measured against bench/simulated-promql.ts, a loopback HTTP server that answers the plan's queries with
 *   generated matrix JSON of the shape and size Prometheus would send for the same counters. Its wall and memory
 *   are netrecon's (HTTP, JSON parse, checks, counter periods, translation), not a Prometheus' query cost. At the
 *   sizes run both ways, the figures netrecon derives from both are compared (a digest of every series) and the
 *   bench fails if they differ.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PromqlHttpReader } from '../lambda/sources/promql/http-reader';
import { readPromql } from '../lambda/sources/promql/read-source';
import { promqlSettings } from '../lambda/sources/promql/settings';
import { promqlCaptureSeries } from '../lambda/sources/promql/to-capture';
import { prometheusMissing, startPrometheus } from '../test/helpers/prometheus';
import { startSimulatedPromql } from './simulated-promql';
import { DEVICES, HOUR, P, SCRAPE, T0, nodeOf, samples, simulatedSeries } from './promql-counters';
import { DEFAULT_NODE_BATCH_SIZE } from '../lambda/pipeline';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const sizes = (x: string | undefined, d: string) => (x ?? d).split(',').filter(Boolean).map(Number);
const measured = sizes(args.measured, '1000');
const simulated = sizes(args.simulated, '1000,10000,100000');
const settings = (url: string) => ({ ...promqlSettings({ kind: 'prometheus', url }), pods: false });

interface ChildResult {
  queries: number;
  samples: number;
  series: number;
  wall: number;
  peakRssMiB: number;
  digest: string;
}

/**
 * Child mode (`--read-url=URL --nodes=N`): only the reads and the translation, so the process' peak RSS is theirs.
 * In node batches of DEFAULT_NODE_BATCH_SIZE, sorted by instance id, as the pipeline reads them (lambda/pipeline.ts):
 * each batch's series are digested and let go, as the pipeline lets them go once reconciled.
 */
if (args['read-url'] !== undefined) {
  const n = Number(args.nodes);
  const nodes = Array.from({ length: n }, (_, i) => nodeOf(i)).sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  const reader = new PromqlHttpReader({ baseUrl: args['read-url'], timeoutMs: 300_000 });
  const hash = createHash('sha256');
  const totals = { queries: 0, samples: 0, series: 0 };
  const start = performance.now();
  for (let i = 0; i < n; i += DEFAULT_NODE_BATCH_SIZE) {
    const batch = nodes.slice(i, i + DEFAULT_NODE_BATCH_SIZE);
    const read = await readPromql({ cluster: 'bench', nodes: batch, windowStartSeconds: T0, windowEndSeconds: T0 + HOUR, periodSeconds: P, settings: settings(args['read-url']), reader });
    const series = promqlCaptureSeries(read.devices, P);
    if (read.skipped.length > 0 || series.length !== batch.length * (DEVICES * 2 + 1)) throw new Error(`bench read is wrong: ${read.skipped.length} skipped, ${series.length} series`);
    // Every figure netrecon derived, in an order that does not depend on the answers' order.
    for (const s of [...series].sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1))) hash.update(JSON.stringify(s));
    totals.queries += read.queries;
    totals.samples += read.samples;
    totals.series += series.length;
  }
  const wall = (performance.now() - start) / 1000;
  const result: ChildResult = { ...totals, wall, peakRssMiB: process.resourceUsage().maxRSS / 1024, digest: hash.digest('hex') };
  console.log(JSON.stringify(result));
  process.exit(0);
}

/** Runs the child asynchronously: the simulated answerer lives in this process and must keep answering. */
function readInChild(url: string, nodes: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--read-url=${url}`, `--nodes=${nodes}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('exit', (code, signal) => {
      if (code !== 0) reject(new Error(`the read of ${nodes} nodes failed: status ${code}, signal ${signal}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

const minimumPerNodeHour = DEVICES * 2 * (HOUR / P);
const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);
const fmt = (x: number) => x.toLocaleString('en-US');
console.log('| nodes | answered by | queries | queries per node-hour | samples per node-hour | minimum (one value per device per period) | wall s | peak RSS MiB |');
console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const printRow = (n: number, how: string, m: ChildResult) => row([fmt(n), how, fmt(m.queries), (m.queries / n).toFixed(3), fmt(Math.round(m.samples / n)), minimumPerNodeHour, m.wall.toFixed(2), fmt(Math.round(m.peakRssMiB))]);

const digests = new Map<number, { real?: string; simulated?: string }>();
const missing = prometheusMissing();
for (const n of measured) {
  if (missing) {
    console.log(`(real Prometheus, ${n} nodes: SKIPPED, ${missing})`);
    continue;
  }
  const buildStart = performance.now();
  const prom = await startPrometheus(samples(n));
  const loadSeconds = (performance.now() - buildStart) / 1000;
  try {
    const m = await readInChild(prom.url, n);
    printRow(n, `real Prometheus 2.42 (promtool load ${loadSeconds.toFixed(0)} s)`, m);
    digests.set(n, { ...digests.get(n), real: m.digest });
  } finally {
    await prom.stop();
  }
}
for (const n of simulated) {
  const sim = await startSimulatedPromql(simulatedSeries);
  try {
    const m = await readInChild(sim.url, n);
    printRow(n, 'SIMULATED answerer (bench/simulated-promql.ts)', m);
    digests.set(n, { ...digests.get(n), simulated: m.digest });
  } finally {
    await sim.stop();
  }
}
for (const [n, d] of digests) {
  if (d.real === undefined || d.simulated === undefined) continue;
  if (d.real !== d.simulated) throw new Error(`at ${n} nodes netrecon's figures from the SIMULATED answerer differ from the real Prometheus' (${d.simulated} against ${d.real}): the simulation is wrong`);
  console.log(`\nAt ${fmt(n)} nodes netrecon's figures from the SIMULATED answerer equal those from the real Prometheus (sha256 ${d.real.slice(0, 16)}… of every series).`);
}
console.log(`\nSamples per node-hour: ${DEVICES} devices x 2 directions x ${HOUR / SCRAPE} scrapes, plus the baseline samples before the window; the minimum a reconciler needs is one value per device, direction and ${P} s period. SIMULATED rows measure netrecon's side only (HTTP, JSON, checks, counter periods, translation), not what a Prometheus of that size would take to answer.`);
