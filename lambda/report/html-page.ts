/**
 * The HTML report's page: escaping, the palette, the stylesheet and the shell. Everything is inline and there
 * is no script, so the file opens offline (a mail attachment, a ticket) and the Content-Security-Policy forbids
 * any request at all when it is viewed.
 */
import type { NodePeriodResult } from '../core/model';
import { cellBytes, cellPercent, sumPair } from './cells';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values: capture files are user input (node names, findings), never markup. */
export const esc = (text: string | number): string => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** A JSON field name that may wrap between its words (`container<wbr>Insights…`), so a narrow column stays narrow. */
export const fieldCode = (name: string): string => `<code>${esc(name).replace(/([a-z])([A-Z])/g, '$1<wbr>$2')}</code>`;

/** A numeric column's header: the words, then the JSON field names it shows. */
export const numberHead = (words: string, fields: readonly string[]): string => `<th class="n">${esc(words)}${fields.map(fieldCode).join('')}</th>`;

/** Escaped text with its `code` spans (the Markdown of ./why-twice.ts) as <code>. */
/** A number cell: the text as the table writes it, the exact figure and its JSON field name alongside. */
export function numberCell(field: string, value: number | null, text: string): string {
  return `<td class="n" data-field="${field}" data-value="${value === null ? '' : value}">${esc(text)}</td>`;
}

/**
 * The six gap figures, in the order both the period table and the node table show them; node-periods and cluster
 * periods carry them under the same JSON names.
 */
export function gapCells(x: Pick<NodePeriodResult, 'ec2InBytes' | 'ec2OutBytes' | 'containerInsightsTotalBytes' | 'correctedTotalBytes' | 'podRxBytes' | 'podTxBytes' | 'doubleCountedBytes' | 'ec2DiscrepancyRatio'>): string {
  const ec2 = sumPair(x.ec2InBytes, x.ec2OutBytes);
  const pod = sumPair(x.podRxBytes, x.podTxBytes);
  return (
    numberCell('ec2InBytes+ec2OutBytes', ec2, cellBytes(ec2)) +
    numberCell('containerInsightsTotalBytes', x.containerInsightsTotalBytes, cellBytes(x.containerInsightsTotalBytes)) +
    numberCell('correctedTotalBytes', x.correctedTotalBytes, cellBytes(x.correctedTotalBytes)) +
    numberCell('podRxBytes+podTxBytes', pod, cellBytes(pod)) +
    numberCell('doubleCountedBytes', x.doubleCountedBytes, cellBytes(x.doubleCountedBytes)) +
    numberCell('ec2DiscrepancyRatio', x.ec2DiscrepancyRatio, cellPercent(x.ec2DiscrepancyRatio))
  );
}

export const withCode = (text: string): string => esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');

/**
 * Okabe and Ito's palette, which stays distinguishable under the common colour-vision deficiencies; the second
 * half of a pair (out, tx) is hatched, and every chart also has its figures in a table, so print in grey loses
 * nothing.
 */
export const COLOURS = {
  ec2: '#0072B2',
  containerInsights: '#E69F00',
  corrected: '#009E73',
  pod: '#CC79A7',
  doubleCounted: '#D55E00',
  overlay: '#56B4E9',
  bridge: '#F0E442',
  unknown: '#999999',
  neutral: '#555555',
} as const;

const CSS = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #5a5a5a; --rule: #d8d8d8; --band: #f4f4f4; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
p { margin: 6px 0; max-width: 90ch; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--band); padding: 0 3px; border-radius: 3px; }
.meta { color: var(--muted); }
.headline { font-size: 20px; font-weight: 650; margin: 18px 0 6px; max-width: none; }
.why { background: var(--band); border-left: 4px solid ${COLOURS.containerInsights}; padding: 8px 14px; margin: 12px 0; }
.why h3 { margin: 2px 0 4px; }
figure { margin: 12px 0; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; max-width: 90ch; }
.scroll { overflow-x: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 6px 0; padding: 0; list-style: none; font-size: 13px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend svg { flex: none; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
th code { font-size: 10.5px; background: none; padding: 0; color: var(--muted); display: block; font-weight: 400; }
td code { white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.when { white-space: nowrap; }
.status { display: inline-block; padding: 0 6px; border-radius: 8px; border: 1px solid var(--muted); font-size: 12px; white-space: nowrap; }
.status.ok { border-color: ${COLOURS.corrected}; }
.status.bad { border-width: 2px; border-color: ${COLOURS.doubleCounted}; font-weight: 600; }
td.findings-cell { min-width: 250px; }
ul.findings { margin: 4px 0 0; padding-left: 16px; font-size: 12.5px; max-width: 60ch; }
.small { font-size: 12.5px; color: var(--muted); }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .axis { stroke: #888; stroke-width: 1; }
svg .grid { stroke: #e4e4e4; stroke-width: 1; }
@media print {
  body { padding: 0; font-size: 11px; max-width: none; }
  h2 { break-after: avoid; }
  figure, tr, .why { break-inside: avoid; }
  .scroll { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** The hatching that marks the second half of a pair (out, tx); defined once, used by every chart. */
export const HATCH_DEFS =
  '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>' +
  '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
  '<rect width="6" height="6" fill="none"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2.5"/></pattern>' +
  '</defs></svg>';

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="netrecon">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${HATCH_DEFS}
${body}
</body>
</html>
`;
}
