/** Hand-built doctor observations: a ready two-node cluster to change one thing at a time. */
import { buildRules } from '../../lambda/core/interface-rules';
import type { DoctorInstance, DoctorObservations, DoctorSettings, ListedSeries, NodeProbe } from '../../lambda/doctor/model';
import { DEFAULT_SOURCE_SETTINGS } from '../../lambda/plan/sources';

export const NOW = 1_780_000_200;
export const CLUSTER = 'prod';
export const id = (n: number): string => `i-${String(n).padStart(17, '0')}`;
export const dns = (n: number): string => `ip-10-0-0-${n}.eu-west-1.compute.internal`;

export const SETTINGS: DoctorSettings = {
  sources: DEFAULT_SOURCE_SETTINGS,
  rules: buildRules(),
  nodeFilter: 'tag:eks:cluster-name',
  periodSeconds: 300,
  periodsPerRead: 12,
  scheduleMinutes: 5,
};

export function instance(n: number, over: Partial<DoctorInstance> = {}): DoctorInstance {
  return { instanceId: id(n), nodeName: dns(n), monitoring: 'disabled', eniCount: 2, eksTag: true, k8sTag: true, ...over };
}

export function ciSeries(n: number, dims: Record<string, string> = {}): ListedSeries {
  return { metricName: 'node_network_total_bytes', dimensions: { ClusterName: CLUSTER, InstanceId: id(n), NodeName: dns(n), ...dims } };
}

/** rx and tx series of each interface, with the instance and interface dimensions plus `extra`. */
export function agentSeries(n: number, interfaces: readonly string[], extra: Record<string, string> = {}): ListedSeries[] {
  return interfaces.flatMap((iface) =>
    ['net_bytes_recv', 'net_bytes_sent'].map((metricName) => ({ metricName, dimensions: { InstanceId: id(n), interface: iface, ...extra } })),
  );
}

/** A pod veth name the default rules classify (VPC CNI: eni + 11 hex). */
export const veth = (k: number): string => `eni${k.toString(16).padStart(11, '0')}`;

export const freshProbe = (over: Partial<NodeProbe> = {}): NodeProbe => ({
  containerInsightsLastSeconds: NOW - 60,
  runningPods: 2,
  agentLastSeconds: NOW - 60,
  agentBytesUnit: true,
  agentProbeInterface: 'eth0',
  ...over,
});

/** Two nodes, both tags, Container Insights fresh, a full agent (eth0, eth1, lo, two veths), 2 running pods. */
export function readyCluster(over: Partial<DoctorObservations> = {}): DoctorObservations {
  const full = ['eth0', 'eth1', 'lo', veth(1), veth(2)];
  return {
    cluster: CLUSTER,
    region: 'eu-west-1',
    nowSeconds: NOW,
    nodes: [instance(1), instance(2)],
    otherConvention: [],
    containerInsightsSeries: [ciSeries(1), ciSeries(2)],
    agentSeries: [...agentSeries(1, full), ...agentSeries(2, full)],
    probes: new Map([
      [id(1), freshProbe()],
      [id(2), freshProbe()],
    ]),
    settings: SETTINGS,
    ...over,
  };
}
