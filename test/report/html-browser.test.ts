/**
 * The HTML report as a person sees it: opened from disk in Debian's headless Chromium (playwright-core, never a
 * downloaded browser). It must load with no console error and no request but the file itself, its numbers must
 * be the JSON report's for the same input, and its charts must draw them. The seed's page is also written as a
 * screenshot (artifacts/seed-report.png, gitignored) for a person to look at.
 *
 * Without Chromium the checks cannot run: in CI (CI set) that is a failure saying so; elsewhere they are skipped
 * with the reason printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { formatCaptureJson } from '../../lambda/capture/io';
import { chromiumMissing, launchChromium, type Chromium } from '../helpers/chromium';
import { capture, containerInsights, ec2, iface, node } from '../helpers/capture-builder';

const ROOT = resolve(__dirname, '../..');
const SEED = join(ROOT, 'examples/seed-experiment.capture.json');
const ARTIFACTS = join(ROOT, 'artifacts');
const dir = mkdtempSync(join(tmpdir(), 'netrecon-html-'));

function netrecon(...args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/netrecon.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0 && r.status !== 2) throw new Error(`netrecon ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The same input through the CLI twice: the JSON report and the HTML page. */
function reportOf(capturePath: string, name: string): { json: any; htmlPath: string } {
  const htmlPath = join(dir, `${name}.html`);
  netrecon('reconcile', '--from', capturePath, '--source-profile', 'full', '--format', 'html', '-o', htmlPath);
  return { json: JSON.parse(netrecon('reconcile', '--from', capturePath, '--source-profile', 'full', '--format', 'json')), htmlPath };
}

/** Three nodes, two periods: one reconciles (a pod downloads), one has no agent data, one disagrees with EC2. */
function troubledCapturePath(): string {
  const series = [
    ...iface('i-a', 'eth0', 10_000_000, 1_000_000),
    ...iface('i-a', 'eni0123456789a', 500_000, 9_000_000),
    ec2('i-a', 'in', [50_000_000, 50_000_000]),
    ec2('i-a', 'out', [5_000_000, 5_000_000]),
    containerInsights('i-a', Array(10).fill(20_500_000 / 60)),
    ec2('i-b', 'in', [7_000_000, 7_000_000]),
    ec2('i-b', 'out', [1_000_000, 1_000_000]),
    containerInsights('i-b', Array(10).fill(8_000_000 / 60)),
    ...iface('i-c', 'eth0', 10_000_000, 1_000_000),
    ec2('i-c', 'in', [80_000_000, 80_000_000]),
    ec2('i-c', 'out', [5_000_000, 5_000_000]),
    containerInsights('i-c', Array(10).fill(11_000_000 / 60)),
  ];
  const path = join(dir, 'troubled.capture.json');
  writeFileSync(path, formatCaptureJson(capture([node('i-a'), node('i-b', { nodeName: 'ip-10-0-0-2.<b>evil</b>.internal' }), node('i-c')], series)));
  return path;
}

/** "543.1 MB" back to bytes, to check the text against the JSON independently of the formatter that wrote it. */
function parseBytes(text: string): number {
  const m = /^(-?[\d.]+) (B|kB|MB|GB|TB|PB)$/.exec(text.trim());
  if (!m) throw new Error(`not a byte figure: ${JSON.stringify(text)}`);
  return Number(m[1]) * 1000 ** ['B', 'kB', 'MB', 'GB', 'TB', 'PB'].indexOf(m[2]!);
}

/** A JSON figure by the page's field name; `a+b` is the sum of two fields, null when either is missing. */
function figure(record: any, field: string): number | null {
  const values = field.split('+').map((f) => record[f] as number | null);
  return values.some((v) => v === null) ? null : values.reduce((a: number, v) => a + v!, 0);
}

function expectTextMatches(text: string, value: number | null, field: string): void {
  if (value === null) return void expect(text).toBe('-');
  if (field === 'ec2DiscrepancyRatio' || field === 'agentCoverageRatio') {
    expect(Math.abs(Number(text.replace('%', '')) / 100 - value)).toBeLessThanOrEqual(0.0005);
  } else if (field === 'nodesInInventory') {
    expect(Number(text.replace(/,/g, ''))).toBe(value);
  } else {
    // Four significant digits: within 0.05 % (or half a byte).
    expect(Math.abs(parseBytes(text) - value)).toBeLessThanOrEqual(Math.max(0.5, Math.abs(value) * 0.0005));
  }
}

interface Opened {
  readonly page: Page;
  readonly requests: string[];
  readonly consoleErrors: string[];
}

const missing = chromiumMissing();

describe('the HTML report in Chromium', () => {
  if (missing !== null) {
    if (process.env.CI) {
      it('cannot run without Chromium in CI', () => {
        throw new Error(`the HTML report's browser checks did not run: ${missing}. CI must run them (.ci/run installs chromium).`);
      });
    } else {
      console.warn(`SKIPPED the HTML report's browser checks: ${missing}`);
      it.skip(`needs Chromium: ${missing}`, () => {});
    }
    return;
  }

  let chromium: Chromium;
  const seed = reportOf(SEED, 'seed');
  const troubled = reportOf(troubledCapturePath(), 'troubled');

  beforeAll(async () => {
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
  });

  async function open(htmlPath: string): Promise<Opened> {
    const page = await chromium.context.newPage();
    const fileUrl = pathToFileURL(htmlPath).href;
    const requests: string[] = [];
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    // Every request goes through here: the file itself is served, anything else is recorded and refused.
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.request().url() === fileUrl ? route.continue() : route.abort();
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
    return { page, requests, consoleErrors };
  }

  it.each([
    ['seed', seed],
    ['troubled', troubled],
  ])('loads the %s report with no console error and no request but the file itself', async (_name, r) => {
    const { page, requests, consoleErrors } = await open(r.htmlPath);
    expect(requests).toEqual([pathToFileURL(r.htmlPath).href]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('says what the JSON says: the headline ratio, the explanation, the summary line', async () => {
    const { page } = await open(seed.htmlPath);
    const ci = seed.json.clusterPeriods.reduce((a: number, p: any) => a + p.containerInsightsTotalBytes, 0);
    const ec2 = seed.json.clusterPeriods.reduce((a: number, p: any) => a + p.ec2InBytes + p.ec2OutBytes, 0);
    // 1,086,504,641 / 543,564,247 bytes in the capture: 1.999.
    expect((ci / ec2).toFixed(2)).toBe('2.00');
    expect(await page.textContent('#headline')).toBe('Container Insights counted 2.00× EC2 because it counts pod traffic twice');
    expect(await page.textContent('#explanation')).toBe(seed.json.explanation);
    expect(await page.textContent('#summary-line')).toBe('3 node-periods (3 ok); 13 series read, 0 series and 0 nodes skipped.');
    await page.close();
  });

  it.each([
    ['seed', seed],
    ['troubled', troubled],
  ])('shows in its tables the %s JSON report\'s numbers, as text and as exact figures', async (_name, r) => {
    const { page } = await open(r.htmlPath);
    const cells = await page.$$eval('#periods td[data-field], #worst td[data-field]', (tds) =>
      tds.map((td) => {
        const row = td.closest('tr')!;
        return { table: td.closest('table')!.id, period: row.dataset.period!, instanceId: row.dataset.instanceId ?? null, field: td.dataset.field!, value: td.dataset.value!, text: td.textContent! };
      }),
    );
    const periodCells = cells.filter((c) => c.table === 'periods');
    const nodeCells = cells.filter((c) => c.table === 'worst');
    expect(periodCells).toHaveLength(r.json.clusterPeriods.length * 8);
    expect(nodeCells).toHaveLength(r.json.nodePeriods.length * 6);
    for (const c of cells) {
      const record =
        c.table === 'periods'
          ? r.json.clusterPeriods.find((p: any) => p.periodStart === c.period)
          : r.json.nodePeriods.find((n: any) => n.periodStart === c.period && n.instanceId === c.instanceId);
      expect(record, `${c.table} ${c.period} ${c.instanceId}`).toBeDefined();
      const value = figure(record, c.field);
      expect(c.value === '' ? null : Number(c.value), `${c.table} ${c.period} ${c.instanceId} ${c.field}`).toBe(value);
      expectTextMatches(c.text, value, c.field);
    }
    await page.close();
  });

  it('lists not-ok node-periods first with their status and every finding in plain words', async () => {
    const { page } = await open(troubled.htmlPath);
    const rows = await page.$$eval('#worst tbody tr', (trs) => trs.map((tr) => ({ status: tr.querySelector('[data-status]')!.getAttribute('data-status'), text: tr.textContent! })));
    const notOk = troubled.json.nodePeriods.filter((n: any) => n.status !== 'ok');
    expect(notOk.length).toBe(4); // i-b missingAgent and i-c ec2Mismatch, in both periods
    expect(rows.slice(0, 4).map((r) => r.status).sort()).toEqual(notOk.map((n: any) => n.status).sort());
    expect(rows.slice(4).every((r) => r.status === 'ok')).toBe(true);
    for (const n of notOk) {
      const row = rows.find((r) => r.text.includes(n.instanceId) && r.status === n.status && r.text.includes(n.periodStart.slice(11, 16)))!;
      for (const f of n.findings) expect(row.text).toContain(f.message);
    }
    // A node name from the capture is text, not markup.
    expect(await page.locator('#worst b').count()).toBe(0);
    expect(await page.locator('#worst').textContent()).toContain('ip-10-0-0-2');
    await page.close();
  });

  it.each([
    ['seed', seed],
    ['troubled', troubled],
  ])('draws the %s JSON report\'s figures: bar heights proportional to the bytes of the period chart', async (_name, r) => {
    const { page } = await open(r.htmlPath);
    const bars = await page.$$eval('#chart-periods rect.bar', (rects) =>
      rects.map((b) => ({ field: b.getAttribute('data-field')!, period: b.getAttribute('data-period')!, bytes: Number(b.getAttribute('data-bytes')), drawnHeight: b.getBoundingClientRect().height })),
    );
    const fields = ['ec2InBytes', 'ec2OutBytes', 'containerInsightsTotalBytes', 'correctedTotalBytes', 'podRxBytes', 'podTxBytes', 'doubleCountedBytes'];
    const expected = r.json.clusterPeriods.flatMap((p: any) => fields.filter((f) => p[f] !== null).map((f) => ({ period: p.periodStart, field: f, bytes: p[f] })));
    expect(bars.map(({ period, field, bytes }) => ({ period, field, bytes }))).toEqual(expect.arrayContaining(expected));
    expect(bars).toHaveLength(expected.length);
    const tallest = bars.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const pxPerByte = tallest.drawnHeight / tallest.bytes;
    expect(tallest.drawnHeight).toBeGreaterThan(100);
    for (const b of bars) expect(Math.abs(b.drawnHeight - Math.max(0, b.bytes) * pxPerByte), `${b.period} ${b.field}`).toBeLessThanOrEqual(0.05);
    await page.close();
  });

  it('draws each node-period\'s interface classes and Container Insights on one scale, and the status counts', async () => {
    const { page } = await open(troubled.htmlPath);
    const rows = await page.$$eval('#worst tbody tr', (trs) =>
      trs.map((tr) => ({
        instanceId: tr.dataset.instanceId!,
        period: tr.dataset.period!,
        segments: [...tr.querySelectorAll('svg.classes rect.bar')].map((b) => ({ field: b.getAttribute('data-field')!, bytes: Number(b.getAttribute('data-bytes')), drawn: b.getBoundingClientRect().width })),
        marker: [...tr.querySelectorAll('svg.classes line.marker')].map((l) => ({ bytes: Number(l.getAttribute('data-bytes')), x: l.getBoundingClientRect().x - tr.querySelector('svg.classes')!.getBoundingClientRect().x - 2 })),
      })),
    );
    const classFields = ['physicalRxBytes', 'physicalTxBytes', 'podRxBytes', 'podTxBytes', 'overlayBytes', 'bridgeBytes', 'unknownBytes'];
    const widest = rows.flatMap((r) => r.segments).reduce((a, s) => (s.bytes > a.bytes ? s : a));
    const pxPerByte = widest.drawn / widest.bytes;
    for (const row of rows) {
      const n = troubled.json.nodePeriods.find((x: any) => x.instanceId === row.instanceId && x.periodStart === row.period);
      const hasAgent = n.physicalRxBytes !== null;
      expect(row.segments.map((s) => [s.field, s.bytes])).toEqual(hasAgent ? classFields.map((f) => [f, n[f]]) : []);
      for (const s of row.segments) expect(Math.abs(s.drawn - s.bytes * pxPerByte)).toBeLessThanOrEqual(0.05);
      if (hasAgent) {
        expect(row.marker[0]!.bytes).toBe(n.containerInsightsTotalBytes);
        expect(Math.abs(row.marker[0]!.x - n.containerInsightsTotalBytes * pxPerByte)).toBeLessThanOrEqual(0.05);
      }
    }
    const counts = await page.$$eval('#chart-status rect.bar', (rects) => Object.fromEntries(rects.map((b) => [b.getAttribute('data-key'), Number(b.getAttribute('data-count'))])));
    expect(counts).toEqual(troubled.json.summary.nodePeriodsByStatus);
    await page.close();
  });

  it('writes a screenshot of the seed report for a person to look at (artifacts/seed-report.png)', async () => {
    const { page } = await open(seed.htmlPath);
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, 'seed-report.png');
    await page.screenshot({ path, fullPage: true });
    const png = readFileSync(path);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(50_000);
    await page.close();
  });
});
