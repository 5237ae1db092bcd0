/**
 * `npx tsx bench/promql.ts [--measured=200,1000] [--planned=10000,100000]`: the PromQL source's reads. Figures, not
 * a test. Measured sizes run against a REAL Prometheus (Debian's 2.42, loaded by promtool with one hour of
 * node_exporter counters scraped every 30 s: eth0, eth1, two VPC CNI veths and lo per node): wall time of the read
 * and the translation, the process' peak RSS, queries, samples. Planned sizes (a real server of 10,000 or 100,000
 * nodes does not fit this machine) are the planner's own counts: queries and samples per node-hour are linear in
 * the nodes, so they are exact; wall and memory are not measured there. The read runs in a child process of its
 * own, so its peak RSS is the read's and the translation's, not the generated series'.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PromqlHttpReader } from '../lambda/sources/promql/http-reader';
import { planQueries } from '../lambda/sources/promql/query-plan';
import { readPromql } from '../lambda/sources/promql/read-source';
import { promqlSettings } from '../lambda/sources/promql/settings';
import { promqlCaptureSeries } from '../lambda/sources/promql/to-capture';
import { isoOf } from '../lambda/core/units';
import { prometheusMissing, startPrometheus, type OmSample } from '../test/helpers/prometheus';
import { vpcCniHostVethName } from '../lambda/core/vpc-cni-veth-name';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const measured = (args.measured ?? '200,1000').split(',').filter(Boolean).map(Number);
const planned = (args.planned ?? '10000,100000').split(',').filter(Boolean).map(Number);
const T0 = Date.UTC(2026, 2, 1, 10, 0, 0) / 1000;
const HOUR = 3600;
const P = 300;
const SCRAPE = 30;
const DEVICES = 5; // eth0, eth1, two veths, lo
const settings = (url: string) => ({ ...promqlSettings({ kind: 'prometheus', url }), pods: false });

const nodeOf = (i: number) => ({ instanceId: `i-${i.toString(16).padStart(17, '0')}`, nodeName: `ip-10-${(i >> 16) & 255}-${(i >> 8) & 255}-${i & 255}.eu-west-1.compute.internal`, launchTime: isoOf(T0 - 86_400) });

function samples(nodes: number): OmSample[] {
  const out: OmSample[] = [];
  for (let i = 0; i < nodes; i++) {
    const n = nodeOf(i);
    for (const device of ['eth0', 'eth1', vpcCniHostVethName('default', `a-${i}`), vpcCniHostVethName('default', `b-${i}`), 'lo']) {
      const labels = { instance: `${n.nodeName}:9100`, device };
      for (let t = T0 - 60, k = 0; t <= T0 + HOUR; t += SCRAPE, k++) {
        out.push({ name: 'node_network_receive_bytes_total', labels, value: 1e9 + k * 1_000_000, timeSeconds: t });
        out.push({ name: 'node_network_transmit_bytes_total', labels, value: 1e9 + k * 10_000, timeSeconds: t });
      }
    }
  }
  return out;
}

/** Child mode (`--read-url=URL --nodes=N`): only the read and the translation, so the process' peak RSS is theirs. */
if (args['read-url'] !== undefined) {
  const n = Number(args.nodes);
  const nodes = Array.from({ length: n }, (_, i) => nodeOf(i));
  const start = performance.now();
  const read = await readPromql({ cluster: 'bench', nodes, windowStartSeconds: T0, windowEndSeconds: T0 + HOUR, periodSeconds: P, settings: settings(args['read-url']), reader: new PromqlHttpReader({ baseUrl: args['read-url'], timeoutMs: 120_000 }) });
  const series = promqlCaptureSeries(read.devices, P);
  const wall = (performance.now() - start) / 1000;
  if (read.skipped.length > 0 || series.length !== n * (DEVICES * 2 + 1)) throw new Error(`bench read is wrong: ${read.skipped.length} skipped, ${series.length} series`);
  console.log(JSON.stringify({ queries: read.queries, samples: read.samples, wall, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const minimumPerNodeHour = DEVICES * 2 * (HOUR / P);
const samplesPerNodeHour = DEVICES * 2 * (HOUR / SCRAPE);
const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);
console.log('| nodes | how | queries | queries per node-hour | samples per node-hour | minimum (one value per device per period) | wall s | peak RSS MiB |');
console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');

const missing = prometheusMissing();
for (const n of measured) {
  if (missing) {
    console.log(`(measured ${n}: SKIPPED, ${missing})`);
    continue;
  }
  const buildStart = performance.now();
  const prom = await startPrometheus(samples(n));
  const loadSeconds = (performance.now() - buildStart) / 1000;
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--read-url=${prom.url}`, `--nodes=${n}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`the read of ${n} nodes failed with status ${r.status}`);
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { queries: number; samples: number; wall: number; peakRssMiB: number };
    row([n, `measured (load ${loadSeconds.toFixed(0)} s)`, m.queries, (m.queries / n).toFixed(3), (m.samples / n).toFixed(0), minimumPerNodeHour, m.wall.toFixed(2), m.peakRssMiB.toFixed(0)]);
  } finally {
    await prom.stop();
  }
}
for (const n of planned) {
  const nodeValues = Array.from({ length: n }, (_, i) => nodeOf(i).nodeName);
  const q = planQueries({ settings: settings('http://planned'), nodeValues, windowStartSeconds: T0, windowEndSeconds: T0 + HOUR });
  row([n, 'planned', q.length, (q.length / n).toFixed(3), samplesPerNodeHour + 2 * DEVICES * 2, minimumPerNodeHour, 'not measured', 'not measured']);
}
console.log(`\nSamples per node-hour: ${DEVICES} devices x 2 directions x ${HOUR / SCRAPE} scrapes, plus the baseline sample before the window; the minimum a reconciler needs is one value per device, direction and ${P} s period.`);
