import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readCaptureFile } from '../../lambda/capture/io';
import { htmlReportPathFor, writeAndReconcile, writeHtmlReport } from '../../lab/reconcile-step';

describe('the lab writes its HTML report beside its capture', () => {
  it.each([
    ['/tmp/lab.capture.json', '/tmp/lab.report.html'],
    ['/tmp/run.json', '/tmp/run.report.html'],
    ['out/capture', 'out/capture.report.html'],
  ])('%s gives %s', (capturePath, expected) => {
    expect(htmlReportPathFor(capturePath)).toBe(expected);
  });

  it('writes the report of the capture it reconciled', async () => {
    const { capture } = await readCaptureFile(resolve(__dirname, '../../examples/seed-experiment.capture.json'));
    const path = join(await mkdtemp(join(tmpdir(), 'netrecon-lab-html-')), 'lab.capture.json');
    const report = await writeAndReconcile(capture, path);
    const html = await readFile(await writeHtmlReport(report, path), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`capture ${path} (EC2 and Container Insights simulated`);
    expect(html).toContain('Container Insights counted 2.00× EC2');
  });
});
