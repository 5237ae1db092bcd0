/**
 * The HTML report's charts, as inline SVG. Every drawn value carries its figure: a bar's `data-field` is the JSON
 * report's field name and `data-bytes` its value, so what the eye sees can be checked against the JSON (the
 * browser test does), and each chart has a text alternative (`role="img"` with a label and a description; the
 * figures also appear in a table next to it).
 */
import type { ClusterPeriodResult, NodePeriodResult } from '../core/model';
import { cellBytes, cellCount, clock } from './cells';
import { COLOURS, esc } from './html-page';

/** Two decimals are enough for a pixel and keep a 100,000-node file small. */
const px = (v: number): string => String(Math.round(v * 100) / 100);

/** The smallest 1, 2, 2.5 or 5 × 10^k step that splits `max` into at most `parts` parts, and the axis top it gives. */
export function axisTop(max: number, parts = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 1 };
  const raw = max / parts;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

export function swatch(colour: string, hatched = false): string {
  return `<svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${colour}"/>${hatched ? '<rect width="14" height="14" fill="url(#hatch)"/>' : ''}</svg>`;
}

export function legend(items: readonly { colour: string; label: string; hatched?: boolean }[]): string {
  return `<ul class="legend">${items.map((i) => `<li>${swatch(i.colour, i.hatched)}<span>${i.label}</span></li>`).join('')}</ul>`;
}

type PeriodField = 'ec2InBytes' | 'ec2OutBytes' | 'containerInsightsTotalBytes' | 'correctedTotalBytes' | 'podRxBytes' | 'podTxBytes' | 'doubleCountedBytes';

interface PeriodSeries {
  readonly label: string;
  readonly short: string;
  readonly colour: string;
  readonly fields: readonly PeriodField[];
}

/** The gap, side by side, in the order the issue and the dashboard tell it. */
export const PERIOD_SERIES: readonly PeriodSeries[] = [
  { label: 'EC2 in+out', short: 'EC2', colour: COLOURS.ec2, fields: ['ec2InBytes', 'ec2OutBytes'] },
  { label: 'Container Insights', short: 'CI', colour: COLOURS.containerInsights, fields: ['containerInsightsTotalBytes'] },
  { label: 'corrected (counted once, at the ENIs)', short: 'corr.', colour: COLOURS.corrected, fields: ['correctedTotalBytes'] },
  { label: 'pod rx+tx', short: 'pod', colour: COLOURS.pod, fields: ['podRxBytes', 'podTxBytes'] },
  { label: 'double-counted', short: '2×', colour: COLOURS.doubleCounted, fields: ['doubleCountedBytes'] },
];

const seriesTotal = (p: ClusterPeriodResult, s: PeriodSeries): number | null => {
  const values = s.fields.map((f) => p[f]);
  return values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + v!, 0);
};

/** One bar: its segments stacked from the baseline, the second one hatched; a negative figure is drawn flat. */
function stack(x: number, width: number, baseY: number, scale: number, segments: readonly { field: string; bytes: number | null; colour: string }[], extra: string): string {
  let y = baseY;
  return segments
    .map((s, i) => {
      if (s.bytes === null) return '';
      const h = Math.max(0, s.bytes) * scale;
      y -= h;
      const rect = `<rect class="bar" data-field="${s.field}" data-bytes="${s.bytes}"${extra} x="${px(x)}" y="${px(y)}" width="${px(width)}" height="${px(h)}" fill="${s.colour}"/>`;
      return i === 0 ? rect : `${rect}<rect x="${px(x)}" y="${px(y)}" width="${px(width)}" height="${px(h)}" fill="url(#hatch)"/>`;
    })
    .join('');
}

/** Per period, the five figures of the gap side by side, on one bytes axis. */
export function periodChart(periods: readonly ClusterPeriodResult[], id: string): string {
  const n = periods.length;
  const barW = n <= 6 ? 34 : n <= 24 ? 14 : 6;
  const inner = n <= 24 ? 3 : 1;
  const groupGap = n <= 6 ? 48 : n <= 24 ? 22 : 10;
  const groupW = PERIOD_SERIES.length * barW + (PERIOD_SERIES.length - 1) * inner;
  const valueLabels = n <= 12;
  const left = 78;
  const top = valueLabels ? 64 : 14;
  const plotH = 240;
  const bottom = n <= 6 ? 40 : 24;
  const width = left + n * (groupW + groupGap) + 8;
  const height = top + plotH + bottom;
  const baseY = top + plotH;
  // A loop, not Math.max(...): 15 days of 60 s periods are 108,000 bars, about as many arguments as a call takes.
  let max = 0;
  for (const p of periods) for (const s of PERIOD_SERIES) max = Math.max(max, seriesTotal(p, s) ?? 0);
  const { top: yMax, step } = axisTop(max);
  const scale = plotH / yMax;
  const sameDay = new Set(periods.map((p) => p.periodStart.slice(0, 10))).size <= 1;
  const labelEvery = Math.max(1, Math.ceil(n / 16));

  const out: string[] = [];
  for (let v = 0; v <= yMax + step / 2; v += step) {
    const y = baseY - v * scale;
    out.push(`<line class="grid" x1="${left}" x2="${px(width - 8)}" y1="${px(y)}" y2="${px(y)}"/><text x="${left - 6}" y="${px(y + 4)}" text-anchor="end">${esc(cellBytes(v))}</text>`);
  }
  periods.forEach((p, g) => {
    const gx = left + groupGap / 2 + g * (groupW + groupGap);
    const when = sameDay ? p.periodStart.slice(11, 16) : clock(p.periodStart);
    PERIOD_SERIES.forEach((s, i) => {
      const x = gx + i * (barW + inner);
      const segments = s.fields.map((f, k) => ({ field: f, bytes: p[f], colour: s.colour, k }));
      const totalBytes = seriesTotal(p, s);
      const detail = s.fields.length > 1 ? ` (${s.fields.map((f) => `${f} ${cellBytes(p[f])}`).join(' + ')})` : '';
      out.push(`<g><title>${esc(`${when}: ${s.label} ${cellBytes(totalBytes)}${detail}`)}</title>${stack(x, barW, baseY, scale, segments, ` data-period="${p.periodStart}"`)}</g>`);
      if (valueLabels) {
        const topY = baseY - Math.max(0, totalBytes ?? 0) * scale - 4;
        out.push(`<text transform="translate(${px(x + barW / 2 + 4)} ${px(topY)}) rotate(-90)" font-size="10">${esc(cellBytes(totalBytes))}</text>`);
      }
      if (n <= 6) out.push(`<text x="${px(x + barW / 2)}" y="${baseY + 13}" text-anchor="middle" font-size="10">${esc(s.short)}</text>`);
    });
    if (g % labelEvery === 0) out.push(`<text x="${px(gx + groupW / 2)}" y="${baseY + (n <= 6 ? 30 : 15)}" text-anchor="middle">${esc(when)}</text>`);
  });
  out.push(`<line class="axis" x1="${left}" x2="${px(width - 8)}" y1="${baseY}" y2="${baseY}"/>`);

  const worst = [...periods].sort((a, b) => (b.doubleCountedBytes ?? -Infinity) - (a.doubleCountedBytes ?? -Infinity))[0];
  const desc = worst
    ? `${n} period${n === 1 ? '' : 's'}. The most double-counted is ${clock(worst.periodStart)} UTC: ${PERIOD_SERIES.map((s) => `${s.label} ${cellBytes(seriesTotal(worst, s))}`).join(', ')}. Every figure is in the table below.`
    : 'No period.';
  return (
    `<div class="scroll"><svg id="${id}" class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" width="${px(width)}" height="${height}" viewBox="0 0 ${px(width)} ${height}">` +
    `<title id="${id}-title">Bytes per period: EC2 in+out, Container Insights, corrected, pod and double-counted</title><desc id="${id}-desc">${esc(desc)}</desc>${out.join('')}</svg></div>`
  );
}

type ClassField = 'physicalRxBytes' | 'physicalTxBytes' | 'podRxBytes' | 'podTxBytes' | 'overlayBytes' | 'bridgeBytes' | 'unknownBytes';

/** Where a node's bytes went, by interface class; rx before tx (tx hatched). */
export const CLASS_SEGMENTS: readonly { field: ClassField; label: string; colour: string; hatched: boolean }[] = [
  { field: 'physicalRxBytes', label: 'physical rx', colour: COLOURS.corrected, hatched: false },
  { field: 'physicalTxBytes', label: 'physical tx', colour: COLOURS.corrected, hatched: true },
  { field: 'podRxBytes', label: 'pod veth, to pods', colour: COLOURS.pod, hatched: false },
  { field: 'podTxBytes', label: 'pod veth, from pods', colour: COLOURS.pod, hatched: true },
  { field: 'overlayBytes', label: 'overlay', colour: COLOURS.overlay, hatched: false },
  { field: 'bridgeBytes', label: 'bridge', colour: COLOURS.bridge, hatched: false },
  { field: 'unknownBytes', label: 'unknown', colour: COLOURS.unknown, hatched: false },
];

export const classTotal = (n: NodePeriodResult): number => CLASS_SEGMENTS.reduce((a, s) => a + Math.max(0, n[s.field] ?? 0), 0);

/** One node-period's interface classes as a horizontal stacked bar, with Container Insights marked on it. */
export function classBar(n: NodePeriodResult, maxBytes: number): string {
  if (n.physicalRxBytes === null) return '<span class="small">no agent data</span>';
  const W = 170;
  const H = 16;
  const scale = maxBytes > 0 ? W / maxBytes : 0;
  let x = 0;
  const rects = CLASS_SEGMENTS.map((s) => {
    const bytes = n[s.field];
    if (bytes === null) return '';
    const w = Math.max(0, bytes) * scale;
    const r = `<rect class="bar" data-field="${s.field}" data-bytes="${bytes}" x="${px(x)}" y="3" width="${px(w)}" height="${H}" fill="${s.colour}"/>${s.hatched ? `<rect x="${px(x)}" y="3" width="${px(w)}" height="${H}" fill="url(#hatch)"/>` : ''}`;
    x += w;
    return r;
  }).join('');
  const ci = n.containerInsightsTotalBytes;
  const marker = ci === null ? '' : `<line class="marker" data-field="containerInsightsTotalBytes" data-bytes="${ci}" x1="${px(ci * scale)}" x2="${px(ci * scale)}" y1="0" y2="${H + 6}" stroke="#000" stroke-width="2" stroke-dasharray="3 2"/>`;
  const label = `${CLASS_SEGMENTS.map((s) => `${s.label} ${cellBytes(n[s.field])}`).join(', ')}; Container Insights ${cellBytes(ci)}.`;
  return `<svg class="classes" role="img" aria-label="${esc(label)}" width="${W + 4}" height="${H + 6}" viewBox="-2 0 ${W + 4} ${H + 6}">${rects}${marker}</svg>`;
}

export interface CountBin {
  readonly label: string;
  readonly count: number;
  /** What the bin is, for the test and for a reader of the source: a status name or a range. */
  readonly key: string;
}

/** A distribution: one horizontal bar per bin, its count written next to it. */
export function countChart(bins: readonly CountBin[], id: string, title: string, colour: string = COLOURS.neutral): string {
  const labelW = 330;
  const barMax = 360;
  const rowH = 22;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const width = labelW + barMax + 90;
  const height = bins.length * rowH + 4;
  const rows = bins
    .map((b, i) => {
      const y = 2 + i * rowH;
      const w = (b.count / max) * barMax;
      return (
        `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>` +
        `<rect class="bar" data-key="${esc(b.key)}" data-count="${b.count}" x="${labelW}" y="${y + 3}" width="${px(w)}" height="${rowH - 6}" fill="${colour}"/>` +
        `<text x="${px(labelW + w + 6)}" y="${y + 15}">${esc(cellCount(b.count))}</text>`
      );
    })
    .join('');
  const desc = bins.map((b) => `${b.label}: ${cellCount(b.count)}`).join('; ');
  return `<svg id="${id}" class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(desc)}</desc>${rows}</svg>`;
}
