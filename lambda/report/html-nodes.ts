/**
 * The HTML report's node sections: the worst node-periods first, each with where its bytes went by interface
 * class and its findings in plain words; then every node-period as distributions, so that a 100,000-node report
 * stays a page a browser opens at once instead of a million rows.
 */
import { NODE_STATUSES, type NodePeriodResult, type ReconcileReport } from '../core/model';
import { severity } from '../core/rollup';
import { cellCount, clock, shortNodeName } from './cells';
import { findingWords } from './finding-words';
import { CLASS_SEGMENTS, classBar, classTotal, countChart, legend, type CountBin } from './html-charts';
import { COLOURS, esc, gapCells, numberHead } from './html-page';
import { STATUS_WORDS } from './status-words';

function statusCell(n: NodePeriodResult): string {
  const words = STATUS_WORDS[n.status];
  const badge = `<span class="status ${n.status === 'ok' ? 'ok' : 'bad'}" data-status="${n.status}">${esc(n.status)}</span> ${esc(words.label)}`;
  // The first finding explains the badge; a later one of another status names its own.
  const findings = n.findings.length === 0 ? '' : `<ul class="findings">${n.findings.map((f) => `<li>${f.status === n.status ? '' : `<code>${esc(f.status)}</code> `}${esc(findingWords(f))}</li>`).join('')}</ul>`;
  return `<td class="findings-cell">${badge}${findings}</td>`;
}

const HEAD = [
  '<th>#</th><th>period (UTC), instance, node</th><th>status and findings</th>',
  numberHead('EC2 in+out', ['ec2InBytes', 'ec2OutBytes']),
  numberHead('Container Insights', ['containerInsightsTotalBytes']),
  numberHead('corrected', ['correctedTotalBytes']),
  numberHead('pod rx+tx', ['podRxBytes', 'podTxBytes']),
  numberHead('double-counted', ['doubleCountedBytes']),
  numberHead('EC2 discrepancy', ['ec2DiscrepancyRatio']),
  '<th>where the bytes went (dashed: Container Insights)</th>',
].join('');

function nodeRow(n: NodePeriodResult, rank: number, maxClassBytes: number): string {
  return (
    `<tr data-instance-id="${esc(n.instanceId)}" data-period="${n.periodStart}">` +
    `<td class="n">${rank}</td><td><span class="when">${esc(clock(n.periodStart))}</span><br><code>${esc(n.instanceId)}</code><br><span class="small">${esc(shortNodeName(n.nodeName))}</span>` +
    // Where "corrected" comes from: the ENIs' own counters or EC2 (docs/profiles.md); a mixed cluster holds both.
    `<br><span class="small" data-basis="${n.basis}">basis: ${n.basis === 'agent' ? 'agent (ENI counters)' : 'EC2 (no agent data)'}</span></td>` +
    statusCell(n) +
    gapCells(n) +
    `<td>${classBar(n, maxClassBytes)}</td></tr>`
  );
}

/** The node-periods that need a look, worst first (the cluster roll-up's order: not ok, then |EC2 discrepancy|, then double-counted bytes). */
export function worstNodePeriods(report: ReconcileReport, count: number): NodePeriodResult[] {
  // One pass keeping the worst `count`, instead of sorting a copy of a million node-periods.
  const worst: NodePeriodResult[] = [];
  for (const n of report.nodePeriods) {
    if (worst.length === count && (count === 0 || severity(n, worst[count - 1]!) >= 0)) continue;
    let at = worst.length;
    while (at > 0 && severity(n, worst[at - 1]!) < 0) at--;
    worst.splice(at, 0, n);
    if (worst.length > count) worst.pop();
  }
  return worst;
}

export function worstSection(report: ReconcileReport, count: number): string {
  const rows = worstNodePeriods(report, count);
  const total = report.nodePeriods.length;
  const notOk = report.nodePeriods.filter((n) => n.status !== 'ok').length;
  const scope =
    rows.length === total
      ? `All ${cellCount(total)} node-period${total === 1 ? '' : 's'}, worst first`
      : `The ${cellCount(rows.length)} worst of ${cellCount(total)} node-periods (${cellCount(notOk)} not ok); every node-period is counted in the distributions below`;
  if (rows.length === 0) return '<h2 id="nodes">Nodes</h2><p>No node ran in the window.</p>';
  const maxClassBytes = Math.max(0, ...rows.flatMap((n) => [classTotal(n), n.containerInsightsTotalBytes ?? 0]));
  const classLegend = legend(CLASS_SEGMENTS.map((s) => ({ colour: s.colour, hatched: s.hatched, label: `${esc(s.label)} <code>${s.field}</code>` })));
  return (
    `<h2 id="nodes">Nodes, worst first</h2><p>${esc(scope)}. Worst means: not ok before ok, then the largest EC2 discrepancy, then the most bytes counted twice. ` +
    'The bar shows where each node-period\'s bytes went: on a VPC CNI node the pod veths carry the same bytes as the physical ENIs, which is what Container Insights (the dashed line) adds up twice.</p>' +
    classLegend +
    `<div class="scroll"><table id="worst"><thead><tr>${HEAD}</tr></thead><tbody>${rows.map((n, i) => nodeRow(n, i + 1, maxClassBytes)).join('')}</tbody></table></div>`
  );
}

const CI_BINS: readonly { key: string; label: string; below: number }[] = [
  { key: '<0.9', label: 'below 0.9×', below: 0.9 },
  { key: '0.9-1.1', label: '0.9× to 1.1× (agrees)', below: 1.1 },
  { key: '1.1-1.5', label: '1.1× to 1.5×', below: 1.5 },
  { key: '1.5-1.9', label: '1.5× to 1.9×', below: 1.9 },
  { key: '1.9-2.1', label: '1.9× to 2.1× (about twice)', below: 2.1 },
  { key: '2.1-3', label: '2.1× to 3×', below: 3 },
  { key: '>=3', label: '3× or more', below: Infinity },
];

const DISCREPANCY_BINS: readonly { key: string; label: string; below: number }[] = [
  { key: '<1%', label: 'under 1 %', below: 0.01 },
  { key: '1-5%', label: '1 % to 5 %', below: 0.05 },
  { key: '5-10%', label: '5 % to 10 %', below: 0.1 },
  { key: '10-25%', label: '10 % to 25 %', below: 0.25 },
  { key: '25-50%', label: '25 % to 50 %', below: 0.5 },
  { key: '>=50%', label: '50 % or more', below: Infinity },
];

/** Counts per bin of `ratio(n)`; node-periods without the figure are counted in their own bin. */
function bin(nodes: readonly NodePeriodResult[], edges: readonly { key: string; label: string; below: number }[], ratio: (n: NodePeriodResult) => number | null): CountBin[] {
  const counts = edges.map(() => 0);
  let none = 0;
  for (const n of nodes) {
    const r = ratio(n);
    if (r === null) none++;
    else counts[edges.findIndex((e) => r < e.below)]!++;
  }
  return [...edges.map((e, i) => ({ key: e.key, label: e.label, count: counts[i]! })), { key: 'none', label: 'no figure (a source is missing)', count: none }];
}

const ciOverCorrected = (n: NodePeriodResult): number | null =>
  n.containerInsightsTotalBytes === null || n.correctedTotalBytes === null || n.correctedTotalBytes === 0 ? null : n.containerInsightsTotalBytes / n.correctedTotalBytes;
const absDiscrepancy = (n: NodePeriodResult): number | null => (n.ec2DiscrepancyRatio === null ? null : Math.abs(n.ec2DiscrepancyRatio));

export function distributionSection(report: ReconcileReport): string {
  const byStatus = report.summary.nodePeriodsByStatus;
  const statusBins: CountBin[] = NODE_STATUSES.map((s) => ({ key: s, label: `${STATUS_WORDS[s].label} (${s})`, count: byStatus[s] }));
  const meanings = NODE_STATUSES.map((s) => `<tr><td><code>${s}</code></td><td>${esc(STATUS_WORDS[s].label)}</td><td>${esc(STATUS_WORDS[s].meaning)}</td><td class="n" data-field="nodePeriodsByStatus.${s}" data-value="${byStatus[s]}">${cellCount(byStatus[s])}</td></tr>`).join('');
  return (
    `<h2 id="distribution">Every node-period</h2>` +
    `<h3>By status <code>summary.nodePeriodsByStatus</code></h3>${countChart(statusBins, 'chart-status', 'Node-periods by status')}` +
    `<table id="statuses"><thead><tr><th>status</th><th>in short</th><th>what it means</th><th class="n">node-periods</th></tr></thead><tbody>${meanings}</tbody></table>` +
    `<h3>Container Insights ÷ corrected, per node-period</h3><p class="small">About 2× is a VPC CNI node whose traffic is mostly its pods'; about 1× is host traffic only.</p>` +
    countChart(bin(report.nodePeriods, CI_BINS, ciOverCorrected), 'chart-ci-ratio', 'Node-periods by Container Insights over corrected', COLOURS.containerInsights) +
    `<h3>EC2 discrepancy <code>|ec2DiscrepancyRatio|</code>, per node-period</h3><p class="small">How far the ENIs' own counters are from EC2; above 10 % (and 1 MiB) a node-period is <code>ec2Mismatch</code>.</p>` +
    countChart(bin(report.nodePeriods, DISCREPANCY_BINS, absDiscrepancy), 'chart-discrepancy', 'Node-periods by EC2 discrepancy', COLOURS.ec2)
  );
}
