/**
 * `netrecon reconcile --format html`: the report as one self-contained page for people who explain the gap to
 * others (an incident review, a ticket). Pure: takes the report, returns the page. The picture of the gap comes
 * first, then the nodes worst first, then every node-period as distributions, then what was skipped. Figures are
 * written by the table's formatter (./cells.ts) and labelled with the JSON report's field names.
 */
import type { ClusterPeriodResult, ReconcileReport } from '../core/model';
import { cellCount, cellPercent, clock } from './cells';
import { explainGap, gapHeadline } from './explain';
import { legend, PERIOD_SERIES, periodChart } from './html-charts';
import { distributionSection, worstSection } from './html-nodes';
import { esc, gapCells, numberCell, numberHead, page, withCode } from './html-page';
import { WHY_TWICE_SENTENCES, WHY_TWICE_TITLE } from './why-twice';

export interface HtmlOptions {
  /** Where the report came from, e.g. the capture file or the account and region. */
  readonly source?: string;
  /** Lines about the run shown at the end, e.g. what the live CLI published. */
  readonly notes?: readonly string[];
  /** How many node-periods the node table lists before the distributions take over. Default 50. */
  readonly worstRows?: number;
}

export const DEFAULT_WORST_ROWS = 50;
/** Skipped input listed one by one; the rest is counted. */
const SKIPPED_SHOWN = 50;

function periodRow(p: ClusterPeriodResult): string {
  const notOk = p.nodesInInventory - p.nodesByStatus.ok;
  return (
    `<tr data-period="${p.periodStart}"><td class="when">${esc(clock(p.periodStart))}</td>` +
    gapCells(p) +
    numberCell('agentCoverageRatio', p.agentCoverageRatio, cellPercent(p.agentCoverageRatio)) +
    numberCell('nodesInInventory', p.nodesInInventory, cellCount(p.nodesInInventory)) +
    `<td class="n">${cellCount(notOk)}</td></tr>`
  );
}

function gapSection(report: ReconcileReport): string {
  const periods = report.clusterPeriods;
  const head =
    '<tr><th>period (UTC)</th>' +
    numberHead('EC2 in+out', ['ec2InBytes', 'ec2OutBytes']) +
    numberHead('Container Insights', ['containerInsightsTotalBytes']) +
    numberHead('corrected', ['correctedTotalBytes']) +
    numberHead('pod rx+tx', ['podRxBytes', 'podTxBytes']) +
    numberHead('double-counted', ['doubleCountedBytes']) +
    numberHead('EC2 discrepancy', ['ec2DiscrepancyRatio']) +
    numberHead('agent coverage', ['agentCoverageRatio']) +
    numberHead('nodes', ['nodesInInventory']) +
    '<th class="n">not ok</th></tr>';
  const table = `<table id="periods"><thead>${head}</thead><tbody>${periods.map(periodRow).join('')}</tbody></table>`;
  const figures = periods.length > 24 ? `<details><summary>The figures of all ${periods.length} periods</summary><div class="scroll">${table}</div></details>` : `<div class="scroll">${table}</div>`;
  const seriesLegend = legend([
    ...PERIOD_SERIES.map((s) => ({ colour: s.colour, label: `${esc(s.label)} <code>${s.fields.join(' + ')}</code>` })),
    { colour: '#777', hatched: true, label: 'hatched: the second half of a pair (out, tx)' },
  ]);
  return (
    `<h2 id="gap">The gap, per period</h2>${seriesLegend}<figure>${periodChart(periods, 'chart-periods')}` +
    `<figcaption>Bytes per period of ${report.periodSeconds} s, summed over the cluster's nodes (decimal units: 1 MB = 10<sup>6</sup> bytes). ` +
    'Corrected is what crossed the ENIs, counted once; it should match EC2. Double-counted is Container Insights minus corrected.</figcaption></figure>' +
    figures
  );
}

function skippedSection(report: ReconcileReport): string {
  const s = report.summary;
  const statusCounts = Object.entries(s.nodePeriodsByStatus)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${cellCount(count)} ${status}`)
    .join(', ');
  const sentence =
    `${cellCount(s.nodePeriods)} node-periods (${statusCounts || 'none'}); ${cellCount(s.seriesRead)} series read, ` +
    `${cellCount(s.seriesSkipped)} series and ${cellCount(s.nodesSkipped)} nodes skipped.`;
  const shown = report.skipped.slice(0, SKIPPED_SHOWN);
  const list =
    shown.length === 0
      ? '<p>Nothing was skipped: every series and node of the input was used.</p>'
      : `<p>Bad input is reported and skipped, never fatal: the other nodes were reconciled.</p><ul id="skipped">${shown
          .map((k) => `<li><code>${esc(k.kind)}</code> <code>${esc(k.ref)}</code>: ${esc(k.reason)}${k.value === undefined ? '' : ` (value: <code>${esc(JSON.stringify(k.value) ?? '')}</code>)`}</li>`)
          .join('')}</ul>${report.skipped.length > shown.length ? `<p>… and ${cellCount(report.skipped.length - shown.length)} more (see <code>--format json</code>).</p>` : ''}`;
  return `<h2 id="summary">What was read and skipped</h2><p id="summary-line">${esc(sentence)}</p>${list}`;
}

export function renderHtml(report: ReconcileReport, options: HtmlOptions = {}): string {
  const s = report.summary;
  const title = `netrecon: cluster ${report.cluster}`;
  const meta =
    `${cellCount(s.nodes)} node${s.nodes === 1 ? '' : 's'}, ${cellCount(s.periods)} period${s.periods === 1 ? '' : 's'} of ${report.periodSeconds} s ` +
    `from ${clock(report.window.start)} to ${clock(report.window.end)} UTC${options.source ? `; from ${options.source}` : ''}.`;
  const why = `<div class="why"><h3>${esc(WHY_TWICE_TITLE)}</h3>${WHY_TWICE_SENTENCES.map((x) => `<p>${withCode(x)}</p>`).join('')}</div>`;
  const notes = options.notes && options.notes.length > 0 ? `<h2 id="run">This run</h2>${options.notes.map((n) => `<p>${esc(n)}</p>`).join('')}` : '';
  const body = [
    `<header><h1>${esc(title)}</h1><p class="meta">${esc(meta)}</p></header>`,
    `<main><p class="headline" id="headline">${esc(gapHeadline(report))}</p><p id="explanation">${esc(explainGap(report))}</p>${why}`,
    gapSection(report),
    worstSection(report, options.worstRows ?? DEFAULT_WORST_ROWS),
    distributionSection(report),
    skippedSection(report),
    notes,
    '<p class="small">Made by <code>netrecon reconcile --format html</code>. Field names are those of <code>--format json</code>; the formulas are in the README ("The formulas").</p></main>',
  ];
  return page(title, body.join('\n'));
}
