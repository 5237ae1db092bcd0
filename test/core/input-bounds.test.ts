import { describe, expect, it } from 'vitest';
import { validateCapture } from '../../lambda/capture/validate';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { checkReportSize, MAX_NODE_PERIODS, nodePeriodCount, ReportSizeError } from '../../lambda/core/report-size';
import { MAX_BYTES_PER_SECOND } from '../../lambda/core/units';
import { capture, containerInsights, ec2, iface, iso, node, T0 } from '../helpers/capture-builder';

const A = 'i-000000000000000aa';

/** A node with EC2, Container Insights and eth0 over 10 minutes, agreeing: every node-period ok. */
function agreeing(rxPerMinute: number, txPerMinute: number) {
  const perPeriod = 5 * (rxPerMinute + txPerMinute);
  return capture(
    [node(A)],
    [...iface(A, 'eth0', rxPerMinute, txPerMinute), ec2(A, 'in', [5 * rxPerMinute, 5 * rxPerMinute]), ec2(A, 'out', [5 * txPerMinute, 5 * txPerMinute]), containerInsights(A, Array(10).fill(perPeriod / 300))],
  );
}

describe('byte values are bounded to what a network interface can carry', () => {
  it('skips series of 1.7e308 bytes instead of summing them to Infinity and calling the node ok', () => {
    const base = agreeing(1, 1);
    // Every value 1.7e308: finite, so JSON and the format checks let it through; any two of them sum to Infinity.
    const raw = JSON.parse(JSON.stringify({ ...base, series: base.series.map((s) => ({ ...s, values: s.values.map(() => 1.7e308) })) }));
    const { capture: c, skipped } = validateCapture(raw, 'x');
    const report = reconcile(c, makeReconcileConfig(), { skipped });
    expect(report.skipped.length).toBeGreaterThan(0);
    expect(report.skipped[0]!.reason).toMatch(/above the 1000000000000 bytes\/second/);
    expect(report.nodePeriods.every((n) => n.status !== 'ok')).toBe(true);
    const figures = [...report.nodePeriods, ...report.clusterPeriods].flatMap((r) => Object.values(r).filter((v) => typeof v === 'number'));
    expect(figures.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('accepts a 60 s agent sample at exactly the bound and skips one a byte above it', () => {
    const atBound = MAX_BYTES_PER_SECOND * 60; // 6e13 bytes in one minute
    const ok = reconcile(agreeing(atBound, 0), makeReconcileConfig());
    expect(ok.skipped).toEqual([]);
    expect(ok.nodePeriods[0]!.physicalRxBytes).toBe(5 * atBound);
    const c = agreeing(1, 1);
    const series = c.series.map((s, i) => (i === 0 ? { ...s, values: s.values.map((v, j) => (j === 3 ? atBound + 1e3 : v)) } : s));
    const over = reconcile({ ...c, series }, makeReconcileConfig());
    expect(over.skipped).toHaveLength(1);
    expect(over.skipped[0]).toMatchObject({ kind: 'series', value: atBound + 1e3 });
    expect(over.skipped[0]!.reason).toMatch(/^values\[3\] is /);
  });

  it('bounds a Bytes/Second rate itself, not rate times seconds', () => {
    const c = capture([node(A)], [containerInsights(A, [MAX_BYTES_PER_SECOND, MAX_BYTES_PER_SECOND * 2])]);
    const report = reconcile(c, makeReconcileConfig());
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0]!.reason).toMatch(/values\[1\] is 2000000000000 bytes\/second over its 60 s sample/);
  });
});

describe('the size of a whole report is known before it is built', () => {
  it('counts the node-periods reconcile makes, whatever the nodes\' launch and end', () => {
    const nodes = [
      node('i-a'), // runs throughout
      node('i-b', { launchTime: iso(T0 + 299) }), // launched inside the first period
      node('i-c', { launchTime: iso(T0 + 300) }), // launched on the second period's start
      node('i-d', { endTime: iso(T0 + 300) }), // ended on the second period's start
      node('i-e', { endTime: iso(T0 + 301) }), // ended inside the second period
      node('i-f', { launchTime: iso(T0 + 3600) }), // after the window
      node('i-g', { launchTime: iso(T0 - 7200), endTime: iso(T0 - 3600) }), // before it
    ];
    for (const P of [60, 300, 600]) {
      const c = { ...capture(nodes, [], 30), window: { start: iso(T0 + 17), end: iso(T0 + 1800) } };
      expect(nodePeriodCount(c, P)).toBe(reconcile(c, makeReconcileConfig({ periodSeconds: P })).summary.nodePeriods);
    }
  });

  it('refuses, before building it, a report above the limit: 200 nodes over 15 days of 60 s periods', () => {
    const nodes = Array.from({ length: 200 }, (_, i) => node(`i-${i}`));
    const c = { ...capture(nodes, []), periodSeconds: 60, window: { start: iso(T0), end: iso(T0 + 15 * 86_400) } };
    const started = Date.now();
    expect(() => checkReportSize(c, 60)).toThrow(ReportSizeError);
    expect(() => checkReportSize(c, 60)).toThrow(`the capture makes ${200 * 21_600} node-periods (each node times the periods it ran in), more than the ${MAX_NODE_PERIODS}`);
    expect(Date.now() - started).toBeLessThan(1000);
    // The same capture read in 1-hour periods fits: 200 x 360.
    expect(() => checkReportSize(c, 3600)).not.toThrow();
  });
});

describe('interface names that are also Object.prototype keys', () => {
  it('are classified and counted like any other name (agent dimensions are written by any node role)', () => {
    const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString'];
    const raw = JSON.parse(JSON.stringify(capture([node(A)], [...iface(A, 'eth0', 10, 10), ...names.flatMap((n) => iface(A, n, 1, 2))])));
    const { capture: c, skipped } = validateCapture(raw, 'x');
    expect(skipped).toEqual([]);
    const report = reconcile(c, makeReconcileConfig(), { skipped });
    const first = report.nodePeriods[0]!;
    expect(first.interfaces.map((i) => [i.name, i.interfaceClass])).toEqual(
      expect.arrayContaining(names.map((n) => [n, 'unknown'])),
    );
    // 4 unknown interfaces x 5 minutes x (1 + 2) bytes.
    expect(first.unknownBytes).toBe(4 * 5 * 3);
    expect(first.correctedTotalBytes).toBe(100);
  });
});
