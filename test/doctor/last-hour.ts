/**
 * A last hour for the hand-built observations of observations.ts, reconciled by the core itself
 * (lambda/core/reconcile.ts): one value a minute per series, as a capture, so the doctor's last-hour checks see
 * exactly the report `netrecon reconcile` would build. Simulated figures, chosen per test.
 */
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture, type CaptureSeries } from '../../lambda/capture/capture';
import { validateCapture } from '../../lambda/capture/validate';
import { makeReconcileConfig } from '../../lambda/core/config';
import type { ReconcileReport } from '../../lambda/core/model';
import { reconcile } from '../../lambda/core/reconcile';
import type { SourceProfile } from '../../lambda/core/source-profile';
import { isoOf } from '../../lambda/core/units';
import { lastHourOfClosedPeriods } from '../../lambda/plan/pending-periods';
import { CLUSTER, dns, id, NOW } from './observations';

export interface HourNode {
  readonly n: number;
  /** EC2 NetworkIn and NetworkOut a minute; default: what the agent's ENIs (eth…, ens…) count. */
  readonly ec2BytesPerMinute?: number;
  /** Container Insights' rate; default: every agent interface but lo, rx + tx, a second. null: none. */
  readonly containerInsightsBytesPerSecond?: number | null;
  /** Interface -> bytes a minute, each way. */
  readonly agent?: Readonly<Record<string, number>>;
  /** Minutes of the hour (0..59) without any sample of any source. */
  readonly silentMinutes?: ReadonlySet<number>;
  readonly launchTime?: string;
}

export const HOUR = lastHourOfClosedPeriods(NOW, 600, 300);

export function lastHourOf(nodes: readonly HourNode[], sourceProfile: SourceProfile): ReconcileReport {
  const series: CaptureSeries[] = [];
  const minutes = Array.from({ length: (HOUR.endSeconds - HOUR.startSeconds) / 60 }, (_, k) => k);
  const add = (base: Omit<CaptureSeries, 'timestamps' | 'values' | 'periodSeconds'>, value: number, silent?: ReadonlySet<number>) => {
    const kept = minutes.filter((k) => !silent?.has(k));
    series.push({ ...base, periodSeconds: 60, timestamps: kept.map((k) => isoOf(HOUR.startSeconds + 60 * k)), values: kept.map(() => value) });
  };
  for (const node of nodes) {
    const agent = Object.entries(node.agent ?? {});
    const eniBytes = agent.filter(([i]) => /^(eth|ens)\d+$/.test(i)).reduce((t, [, b]) => t + b, 0);
    const ec2 = node.ec2BytesPerMinute ?? eniBytes;
    const instanceId = id(node.n);
    for (const [direction, metricName] of [['in', 'NetworkIn'], ['out', 'NetworkOut']] as const) {
      add({ source: 'ec2', direction, namespace: 'AWS/EC2', metricName, dimensions: { InstanceId: instanceId }, stat: 'Sum', unit: 'Bytes' }, ec2, node.silentMinutes);
    }
    const ci = node.containerInsightsBytesPerSecond === undefined ? agent.filter(([i]) => i !== 'lo').reduce((t, [, b]) => t + 2 * b, 0) / 60 : node.containerInsightsBytesPerSecond;
    if (ci !== null) {
      add(
        { source: 'containerInsights', direction: 'total', namespace: 'ContainerInsights', metricName: 'node_network_total_bytes', dimensions: { ClusterName: CLUSTER, InstanceId: instanceId, NodeName: dns(node.n) }, stat: 'Average', unit: 'Bytes/Second' },
        ci,
        node.silentMinutes,
      );
    }
    for (const [iface, bytes] of agent) {
      for (const [direction, metricName] of [['rx', 'net_bytes_recv'], ['tx', 'net_bytes_sent']] as const) {
        add({ source: 'agent', direction, namespace: 'CWAgent', metricName, dimensions: { InstanceId: instanceId, interface: iface }, stat: 'Sum', unit: 'Bytes' }, bytes, node.silentMinutes);
      }
    }
  }
  const capture: Capture = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    cluster: CLUSTER,
    periodSeconds: 300,
    window: { start: isoOf(HOUR.startSeconds), end: isoOf(HOUR.endSeconds) },
    nodes: nodes.map((n) => ({ instanceId: id(n.n), nodeName: dns(n.n), launchTime: n.launchTime ?? '2020-01-01T00:00:00Z' })),
    series,
  };
  const validated = validateCapture(capture, 'test capture');
  return reconcile(validated.capture, makeReconcileConfig({ sourceProfile }), { skipped: validated.skipped });
}

/** The ready cluster's two nodes (observations.ts readyCluster): eth0, eth1, lo and two veths, 1e6 bytes a minute each. */
export const READY_HOUR: readonly HourNode[] = [1, 2].map((n) => ({ n, agent: { eth0: 1e6, eth1: 1e6, lo: 1e6, eni00000000001: 1e6, eni00000000002: 1e6 } }));
