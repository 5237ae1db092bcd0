/**
 * The JSON and table reports are written in pieces of about 1 MB, never as one string: a capture inside both caps
 * (92 nodes, 15 days at 60 s: 1,987,200 node-periods) makes gigabytes of JSON, and building it whole aborted at the
 * 4.3 GB heap limit (the table overflowed V8's string length). The pieces add up to exactly what one
 * JSON.stringify(value, null, 2) writes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCapture } from '../../lambda/capture/validate';
import { main } from '../../lambda/cli/main';
import { formatReport } from '../../lambda/cli/report-output';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { explainGap } from '../../lambda/report/explain';
import { withWordedFindings } from '../../lambda/report/finding-words';
import { capture, containerInsights, ec2, iface, iso, node, richNodeSeries, T0 } from '../helpers/capture-builder';

const A = 'i-000000000000000aa';
const B = 'i-000000000000000bb';

describe('the JSON report written in pieces', () => {
  it('is exactly what JSON.stringify(value, null, 2) writes: node-periods, findings, skipped items and extra fields', () => {
    const c = capture([node(A), node(B), node('i-late', { launchTime: iso(T0 + 7200) })], [...richNodeSeries(A), ...iface(B, 'eth0', 10, 10), ec2(B, 'in', [1, 1]), containerInsights('i-gone', [1])]);
    const raw = JSON.parse(JSON.stringify(c));
    raw.series.push({ ...raw.series[0], values: ['x'] });
    const { capture: checked, skipped } = validateCapture(raw, 'x');
    const report = reconcile(checked, makeReconcileConfig(), { skipped });
    expect(report.skipped.length).toBeGreaterThan(1);
    expect(report.nodePeriods.some((n) => n.findings.length > 0)).toBe(true);
    const extraJson = { publish: { namespace: 'NetRecon', periods: [1, 2], nothing: undefined } };
    const whole = `${JSON.stringify({ ...withWordedFindings(report), explanation: explainGap(report), ...extraJson }, null, 2)}\n`;
    expect(formatReport(report, 'json', { source: 'x', extraJson })).toBe(whole);
    // And with nothing to list.
    const empty = reconcile(capture([], []), makeReconcileConfig());
    expect(formatReport(empty, 'json', { source: 'x' })).toBe(`${JSON.stringify({ ...withWordedFindings(empty), explanation: explainGap(empty) }, null, 2)}\n`);
  });
});

describe('a report of 28,800 node-periods from a 1 KB capture', () => {
  // 10 nodes, 2 days at 60 s, no series: every node-period missing its sources, each with findings.
  const nodes = Array.from({ length: 10 }, (_, i) => ({ instanceId: `i-${i.toString(16).padStart(17, '0')}`, launchTime: '2023-12-01T00:00:00Z' }));
  const dir = mkdtempSync(join(tmpdir(), 'netrecon-stream-'));
  const path = join(dir, 'many.capture.json');
  const text = JSON.stringify({ ...capture([], []), periodSeconds: 60, window: { start: iso(T0), end: iso(T0 + 2 * 86_400) }, nodes });
  writeFileSync(path, text);

  it.each(['json', 'table'])('--format %s reaches stdout in pieces of about 1 MB, never as one string', async (format) => {
    const pieces: number[] = [];
    let out = '';
    const code = await main(['reconcile', '--from', path, '--format', format], { stdout: (t) => void (pieces.push(t.length), (out += t)), stderr: () => undefined });
    expect(code).toBe(2);
    expect(out.length).toBeGreaterThan(4 * 2 ** 20);
    expect(pieces.length).toBeGreaterThan(4);
    expect(Math.max(...pieces)).toBeLessThan(2 ** 20 + 64 * 1024); // a piece is cut after the first line past 1 MiB
    if (format === 'json') expect(JSON.parse(out).summary.nodePeriods).toBe(10 * 2880);
    else expect(out).toContain(`Summary: ${10 * 2880} node-periods`);
  }, 120_000);

  it('-o FILE gets the same JSON, written piece by piece', async () => {
    const file = join(dir, 'report.json');
    expect(await main(['reconcile', '--from', path, '--format', 'json', '-o', file], { stdout: () => undefined, stderr: () => undefined })).toBe(2);
    expect(JSON.parse(readFileSync(file, 'utf8')).nodePeriods).toHaveLength(10 * 2880);
  }, 120_000);
});
