/**
 * The HTML report's size and load time at 1, 10,000 and 100,000 nodes (run by `npm run bench`, or alone:
 * `npx tsx bench/html-report.ts --sizes=1,10000,100000 --periods=3`). Each size is a SYNTHETIC cluster
 * (test/helpers/synthetic-cluster.ts, VPC CNI-like nodes whose pods download, so Container Insights reads about twice
 * EC2; every 50th node without agent data and every 200th without EC2 data, so the report has findings),
 * reconciled by the core, rendered by lambda/report/html.ts, written to a file and opened from disk in Debian's
 * headless Chromium. Figures, not a test.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Capture, CaptureSeries } from '../lambda/capture/capture';
import { makeReconcileConfig } from '../lambda/core/config';
import { reconcile } from '../lambda/core/reconcile';
import { renderHtml } from '../lambda/report/html';
import { chromiumMissing, launchChromium } from '../test/helpers/chromium';
import { agentBytes, containerInsightsRate, ec2Bytes, makeCluster, type SynthNode } from '../test/helpers/synthetic-cluster';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const sizes = (args.sizes ?? '1,10000,100000').split(',').map(Number);
const periods = Number(args.periods ?? 3);
const P = 300;
const START = Date.parse('2026-03-01T10:00:00Z') / 1000;
const iso = (s: number): string => new Date(s * 1000).toISOString();

function captureOf(count: number): Capture {
  const nodes: SynthNode[] = makeCluster({ cluster: 'bench', nodes: count, launchSeconds: START - 3600 }).map((n, i) => ({
    ...n,
    sources: { ...n.sources, agent: i % 50 !== 49, ec2: i % 200 !== 199 },
  }));
  const minutes = Array.from({ length: (periods * P) / 60 }, (_, m) => START + m * 60);
  const periodStarts = Array.from({ length: periods }, (_, p) => START + p * P);
  // One timestamps array for every series of a kind keeps a 100,000-node capture in memory.
  const minuteStamps = minutes.map(iso);
  const periodStamps = periodStarts.map(iso);
  const series: CaptureSeries[] = [];
  const base = { stat: 'Sum', unit: 'Bytes' } as const;
  for (const n of nodes) {
    const id = { InstanceId: n.instanceId };
    for (const iface of n.interfaces) {
      const b = minutes.map((t) => agentBytes(n, iface, t));
      if (b.some((x) => x === null)) continue;
      const dims = { ...id, interface: iface };
      series.push({ ...base, source: 'agent', direction: 'rx', namespace: 'CWAgent', metricName: 'net_bytes_recv', dimensions: dims, periodSeconds: 60, timestamps: minuteStamps, values: b.map((x) => x!.rxBytes) });
      series.push({ ...base, source: 'agent', direction: 'tx', namespace: 'CWAgent', metricName: 'net_bytes_sent', dimensions: dims, periodSeconds: 60, timestamps: minuteStamps, values: b.map((x) => x!.txBytes) });
    }
    const e = periodStarts.map((t) => ec2Bytes(n, t, P));
    if (e.every((x) => x !== null)) {
      series.push({ ...base, source: 'ec2', direction: 'in', namespace: 'AWS/EC2', metricName: 'NetworkIn', dimensions: id, periodSeconds: P, timestamps: periodStamps, values: e.map((x) => x!.inBytes) });
      series.push({ ...base, source: 'ec2', direction: 'out', namespace: 'AWS/EC2', metricName: 'NetworkOut', dimensions: id, periodSeconds: P, timestamps: periodStamps, values: e.map((x) => x!.outBytes) });
    }
    const ci = minutes.map((t) => containerInsightsRate(n, t));
    if (ci.every((x) => x !== null)) {
      series.push({ source: 'containerInsights', direction: 'total', namespace: 'ContainerInsights', metricName: 'node_network_total_bytes', dimensions: { ClusterName: 'bench', ...id, NodeName: n.nodeName }, stat: 'Average', unit: 'Bytes/Second', periodSeconds: 60, timestamps: minuteStamps, values: ci.map((x) => x!) });
    }
  }
  return {
    format: 'netrecon.capture',
    version: 1,
    cluster: 'bench',
    periodSeconds: P,
    window: { start: iso(START), end: iso(START + periods * P) },
    nodes: nodes.map((n) => ({ instanceId: n.instanceId, nodeName: n.nodeName, launchTime: iso(n.launchSeconds) })),
    series,
  };
}

const missing = chromiumMissing();
const dir = await mkdtemp(join(tmpdir(), 'netrecon-bench-html-'));
const browser = missing === null ? await launchChromium() : null;
console.log(`HTML report (lambda/report/html.ts): synthetic clusters, ${periods} periods of ${P} s, the 50 worst node-periods listed, the rest as distributions.`);
console.log(missing === null ? 'Load: the file opened from disk in headless Chromium (/usr/bin/chromium), navigation start to the load event, median of 3.' : `Load time NOT measured: ${missing}.`);
console.log(`${'nodes'.padStart(8)}${'node-periods'.padStart(14)}${'reconcile s'.padStart(13)}${'render ms'.padStart(11)}${'JSON MB'.padStart(9)}${'HTML KB'.padStart(9)}${'load ms'.padStart(9)}`);
try {
  for (const count of sizes) {
    const capture = captureOf(count);
    let t = performance.now();
    const report = reconcile(capture, makeReconcileConfig({ periodSeconds: P }));
    const reconcileSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const html = renderHtml(report, { source: `synthetic cluster of ${count} nodes` });
    const renderMs = performance.now() - t;
    const path = join(dir, `report-${count}.html`);
    await writeFile(path, html);
    const htmlKB = (await stat(path)).size / 1000;
    const jsonMB = JSON.stringify(report).length / 1e6;
    let load = '-';
    if (browser) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const page = await browser.context.newPage();
        await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
        times.push(Number(await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd')));
        await page.close();
      }
      load = times.sort((a, b) => a - b)[1]!.toFixed(0);
    }
    console.log(`${String(count).padStart(8)}${String(report.summary.nodePeriods).padStart(14)}${reconcileSeconds.toFixed(1).padStart(13)}${renderMs.toFixed(0).padStart(11)}${jsonMB.toFixed(1).padStart(9)}${htmlKB.toFixed(0).padStart(9)}${load.padStart(9)}`);
  }
} finally {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
}
