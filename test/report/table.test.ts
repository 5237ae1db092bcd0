import { describe, expect, it } from 'vitest';
import { ReportMerger } from '../../lambda/core/report-merge';
import { makeReconcileConfig } from '../../lambda/core/config';
import { NODE_STATUSES, type NodePeriodResult, type NodeStatus, type ReconcileReport } from '../../lambda/core/model';
import { rollUp } from '../../lambda/core/rollup';
import { renderTable } from '../../lambda/report/table';

const START = '2026-03-01T10:00:00.000Z';
const config = makeReconcileConfig({ sourceProfile: 'full' });

function nodePeriod(instanceId: string, nodeName: string | null = `${instanceId}.ec2.internal`, extra: Partial<NodePeriodResult> = {}): NodePeriodResult {
  return {
    instanceId, nodeName, periodStart: START, periodSeconds: 300, sourceProfile: 'full', basis: 'agent',
    ec2InBytes: 100, ec2OutBytes: 100, containerInsightsTotalBytes: 200,
    physicalRxBytes: 100, physicalTxBytes: 100, podRxBytes: 0, podTxBytes: 0, overlayBytes: 0, bridgeBytes: 0, unknownBytes: 0,
    naiveTotalBytes: 200, correctedTotalBytes: 200, hostOnlyBytes: 200, doubleCountedBytes: 0, podEstimatedBytes: null, ec2DiscrepancyRatio: 0, containerInsightsResidualBytes: 0,
    interfaces: [], complete: { ranWholePeriod: true, ec2: true, containerInsights: true, agent: true }, partial: false,
    status: 'ok', findings: [], ...extra,
  };
}

function reportOf(nodePeriods: NodePeriodResult[], cluster = 'c1'): ReconcileReport {
  const byStatus = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
  for (const n of nodePeriods) byStatus[n.status]++;
  return {
    cluster, sourceProfile: 'full', periodSeconds: 300, window: { start: START, end: '2026-03-01T10:05:00.000Z' },
    nodePeriods, clusterPeriods: [rollUp(START, config, nodePeriods)], skipped: [],
    summary: { nodes: nodePeriods.length, periods: 1, nodePeriods: nodePeriods.length, seriesRead: 0, seriesSkipped: 0, nodesSkipped: 0, nodePeriodsByStatus: byStatus },
  };
}

const many = (count: number): NodePeriodResult[] => Array.from({ length: count }, (_, i) => nodePeriod(`i-${i.toString(16).padStart(17, '0')}`));

describe('the table at the target scale', () => {
  it('renders 150,000 rows (more than a call can take as spread arguments)', () => {
    const text = renderTable(reportOf(many(150_000)));
    // Header, blank line, column titles, 150,000 node rows, the cluster row, ...
    expect(text.split('\n').filter((l) => l.startsWith('2026-03-01 10:00  i-')).length).toBe(150_000);
  });

  it('the node-batch merger keeps 150,000 node-periods of one period whole', () => {
    const merger = new ReportMerger('c1', config, 'full');
    const all = many(150_000);
    merger.add(reportOf(all.slice(0, 75_000)));
    merger.add(reportOf(all.slice(75_000)));
    expect(merger.report().nodePeriods).toHaveLength(150_000);
  });
});

describe('names in the table are shown, never obeyed', () => {
  it('escapes ESC, OSC and CR in cluster, instance and node names, and keeps the columns aligned', () => {
    const report = reportOf([nodePeriod('i-1\u001b[2J', 'evil\u001b]0;title\u0007\rnode.internal'), nodePeriod('i-2')], 'prod\u001b[31m');
    const text = renderTable(report);
    expect(text).not.toMatch(/[\u001b\u0007\r]/);
    expect(text).toContain('cluster prod\\u001b[31m:');
    expect(text).toContain('i-1\\u001b[2J');
    const rows = text.split('\n').filter((l) => l.startsWith('2026-03-01 10:00  i-'));
    expect(rows).toHaveLength(2);
    // The status column starts at the same place on both rows.
    expect(rows[0]!.indexOf(' ok')).toBe(rows[1]!.indexOf(' ok'));
  });
});
