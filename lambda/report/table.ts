/** The human report of `netrecon reconcile`: one row per node and period, a cluster line per period, findings. */
import { displayName } from '../core/display-text';
import { formatPercent } from '../core/format-bytes';
import type { ClusterPeriodResult, NodePeriodResult, ReconcileReport } from '../core/model';
import type { Basis } from '../core/source-profile';
import { cellBytes as bytes, clock, shortNodeName, sumPair as sum } from './cells';
import { explainGap } from './explain';
import { findingWords } from './finding-words';

interface Column {
  readonly title: string;
  readonly right?: boolean;
}
const COLUMNS: readonly Column[] = [
  { title: 'PERIOD (UTC)' },
  { title: 'INSTANCE' },
  { title: 'NODE' },
  // Where CORRECTED comes from (docs/profiles.md): a mixed cluster holds both.
  { title: 'BASIS' },
  { title: 'EC2 IN+OUT', right: true },
  { title: 'CONTAINER INS.', right: true },
  { title: 'CORRECTED', right: true },
  { title: 'POD RX+TX', right: true },
  { title: 'DOUBLE-COUNTED', right: true },
  { title: 'STATUS' },
];

const BASES: readonly Basis[] = ['agent', 'ec2'];
const BASIS_LEGEND =
  "BASIS: where CORRECTED comes from. agent: the ENIs' own counters. ec2: EC2 NetworkIn + NetworkOut (no agent data), " +
  'and DOUBLE-COUNTED is Container Insights minus EC2, an estimate of the pod traffic.';

function nodeRow(n: NodePeriodResult): string[] {
  return [
    clock(n.periodStart),
    displayName(n.instanceId, 64),
    shortNodeName(n.nodeName),
    n.basis,
    bytes(sum(n.ec2InBytes, n.ec2OutBytes)),
    bytes(n.containerInsightsTotalBytes),
    bytes(n.correctedTotalBytes),
    bytes(sum(n.podRxBytes, n.podTxBytes)),
    bytes(n.doubleCountedBytes),
    n.status,
  ];
}

/** The cluster's basis: the one its nodes share, or how many nodes have each. */
function clusterBasis(c: ClusterPeriodResult): string {
  const present = BASES.filter((b) => c.nodesByBasis[b] > 0);
  if (present.length === 0) return '-';
  return present.length === 1 ? present[0]! : present.map((b) => `${c.nodesByBasis[b]} ${b}`).join(', ');
}

function clusterRow(c: ClusterPeriodResult): string[] {
  const coverage = c.agentCoverageRatio === null ? '-' : formatPercent(c.agentCoverageRatio);
  const notOk = c.nodesInInventory - c.nodesByStatus.ok;
  return [
    clock(c.periodStart),
    'cluster',
    `${c.nodesInInventory} node${c.nodesInInventory === 1 ? '' : 's'}`,
    clusterBasis(c),
    bytes(sum(c.ec2InBytes, c.ec2OutBytes)),
    bytes(c.containerInsightsTotalBytes),
    bytes(c.correctedTotalBytes),
    bytes(sum(c.podRxBytes, c.podTxBytes)),
    bytes(c.doubleCountedBytes),
    // Partial node-periods are left out of the coverage and the ratios (rollup.ts): say how many.
    `agent coverage ${coverage}${notOk > 0 ? `, ${notOk} not ok` : ''}${c.partialNodes > 0 ? `, ${c.partialNodes} partial` : ''}`,
  ];
}

/**
 * The report as lines, each ending in a newline, one at a time: a report may have millions of rows, more than one
 * string can hold (V8's limit is about 2^29 characters). Loops, not spreads, for the same reason.
 */
export function* tableLines(report: ReconcileReport): Generator<string> {
  const s = report.summary;
  yield `cluster ${displayName(report.cluster)}: ${s.nodes} node${s.nodes === 1 ? '' : 's'}, ${s.periods} period${s.periods === 1 ? '' : 's'} of ${report.periodSeconds} s from ${clock(report.window.start)} to ${clock(report.window.end)} UTC; bytes per period\n`;
  yield '\n';
  const byPeriod = new Map<string, NodePeriodResult[]>();
  for (const n of report.nodePeriods) {
    const list = byPeriod.get(n.periodStart);
    if (list) list.push(n);
    else byPeriod.set(n.periodStart, [n]);
  }
  // Two passes over the rows, the cells made again in the second, rather than millions of rows held at once.
  function* rows(): Generator<string[]> {
    for (const c of report.clusterPeriods) {
      for (const n of byPeriod.get(c.periodStart) ?? []) yield nodeRow(n);
      yield clusterRow(c);
    }
  }
  const widths = COLUMNS.map((c) => c.title.length);
  for (const row of rows()) row.forEach((cell, i) => (widths[i] = Math.max(widths[i]!, cell.length)));
  const line = (cells: string[]): string =>
    `${cells
      .map((cell, i) => (COLUMNS[i]!.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()}\n`;
  yield line(COLUMNS.map((c) => c.title));
  for (const row of rows()) yield line(row);
  // `agent` alone needs no gloss; an EC2 basis changes what CORRECTED and DOUBLE-COUNTED mean.
  if (report.nodePeriods.some((n) => n.basis === 'ec2')) yield `${BASIS_LEGEND}\n`;
  yield '\n';

  let findings = false;
  for (const n of report.nodePeriods) {
    if (n.status === 'ok') continue;
    if (!findings) yield 'Findings:\n';
    findings = true;
    yield `  ${clock(n.periodStart)} ${displayName(n.instanceId, 64)} ${n.status}: ${displayName(n.findings.map(findingWords).join('; '), 2000)}\n`;
  }
  if (findings) yield '\n';
  yield `${explainGap(report)}\n`;
  yield '\n';
  const statusCounts = Object.entries(s.nodePeriodsByStatus)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  yield `Summary: ${s.nodePeriods} node-periods (${statusCounts || 'none'}); ${s.seriesRead} series read, ` + `${s.seriesSkipped} series and ${s.nodesSkipped} nodes skipped.\n`;
}

/** The whole table as one string: for reports that fit in one (tests, small captures). */
export function renderTable(report: ReconcileReport): string {
  let text = '';
  for (const line of tableLines(report)) text += line;
  return text;
}
