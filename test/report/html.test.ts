/** The HTML renderer without a browser: self-contained, escaped, bounded, and its headline on hand-computed cases. */
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { readCaptureFile } from '../../lambda/capture/io';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { gapHeadline } from '../../lambda/report/explain';
import { renderHtml } from '../../lambda/report/html';
import { axisTop } from '../../lambda/report/html-charts';
import { capture, containerInsights, ec2, iface, node } from '../helpers/capture-builder';

const config = makeReconcileConfig({ sourceProfile: 'full' });
const SEED = join(resolve(__dirname, '../..'), 'examples/seed-experiment.capture.json');

/** A node that moves host traffic only: eth0 rx 1000, tx 500 bytes a minute; EC2 and Container Insights agree. */
function hostOnly(id: string, extra: Parameters<typeof node>[1] = {}) {
  return [node(id, extra), [...iface(id, 'eth0', 1000, 500), ec2(id, 'in', [5000, 5000]), ec2(id, 'out', [2500, 2500]), containerInsights(id, Array(10).fill(1500 / 60))]] as const;
}

describe('renderHtml', () => {
  it('is one self-contained page: no script, no URL to fetch, a policy that forbids any request', async () => {
    const { capture: seed } = await readCaptureFile(SEED);
    const html = renderHtml(reconcile(seed, config));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href|xlink:href)\s*=/i);
    expect(html).not.toMatch(/url\((?!#hatch\))/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('writes node names and findings from the capture as text, never as markup', () => {
    const [n, series] = hostOnly('i-a', { nodeName: '<img src=x onerror=alert(1)>.internal' });
    const html = renderHtml(reconcile(capture([n, node('i-b', { nodeName: '"><script>x</script>' })], [...series]), config));
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;x&lt;/script&gt;');
  });

  it('lists the 50 worst node-periods of a large report and counts every node-period in the distributions', () => {
    // 60 nodes, 2 periods: 120 node-periods, the last 10 nodes without agent data (20 missingAgent).
    const nodes = Array.from({ length: 60 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    const built = nodes.map((id, i) => (i < 50 ? hostOnly(id) : ([node(id), [ec2(id, 'in', [5000, 5000]), ec2(id, 'out', [2500, 2500]), containerInsights(id, Array(10).fill(25))]] as const)));
    const report = reconcile(capture(built.map(([n]) => n), built.flatMap(([, s]) => s)), config);
    const html = renderHtml(report);
    const rows = [...html.matchAll(/<tr data-instance-id="([^"]+)" data-period="[^"]+"><td class="n">\d+<\/td>.*?data-status="(\w+)"/g)];
    expect(rows).toHaveLength(50);
    expect(rows.slice(0, 20).every((r) => r[2] === 'missingAgent')).toBe(true);
    expect(rows.slice(20).every((r) => r[2] === 'ok')).toBe(true);
    expect(html).toContain('The 50 worst of 120 node-periods (20 not ok)');
    expect(html).toMatch(/data-key="ok" data-count="100"/);
    expect(html).toMatch(/data-key="missingAgent" data-count="20"/);
    // Container Insights ÷ corrected = 1500 / 1500 = 1 for the 100 with agent data; the 20 without have no figure.
    expect(html).toMatch(/data-key="0\.9-1\.1" data-count="100"/);
    expect(html).toMatch(/data-key="none" data-count="20"/);
    expect(renderHtml(report, { worstRows: 5 }).match(/<tr data-instance-id=/g)).toHaveLength(5);
  });
});

describe('gapHeadline', () => {
  it('says twice, and why, for the seed: 1,086,504,641 bytes against EC2 543,564,247', async () => {
    const { capture: seed } = await readCaptureFile(SEED);
    expect(gapHeadline(reconcile(seed, config))).toBe('Container Insights counted 2.00× EC2 because it counts pod traffic twice');
  });

  it('does not blame pods when there are none: host traffic only is 1.00×', () => {
    const [n, series] = hostOnly('i-a');
    expect(gapHeadline(reconcile(capture([n], [...series]), config))).toBe('Container Insights counted 1.00× EC2: no pod or overlay traffic was counted twice');
  });

  it('says so when Container Insights has no data', () => {
    const id = 'i-a';
    const report = reconcile(capture([node(id)], [...iface(id, 'eth0', 1000, 500), ec2(id, 'in', [5000, 5000]), ec2(id, 'out', [2500, 2500])]), config);
    expect(gapHeadline(report)).toBe('Container Insights has no data for this cluster');
  });
});

describe('axisTop', () => {
  it('rounds the axis up to a 1, 2, 2.5 or 5 step, at most 5 of them', () => {
    // 1,086,504,641 / 5 = 217.3 MB a part: the first of 100, 200, 250, 500 MB at least that is 250 MB, and
    // 1,086.5 MB needs 5 of them: the axis ends at 1.25 GB.
    expect(axisTop(1_086_504_641)).toEqual({ top: 1_250_000_000, step: 250_000_000 });
    expect(axisTop(400)).toEqual({ top: 400, step: 100 });
    expect(axisTop(1100)).toEqual({ top: 1250, step: 250 });
    expect(axisTop(0)).toEqual({ top: 1, step: 1 });
  });
});

