/**
 * What `netrecon doctor --format json` (docs/doctor.md) must say about each cluster of
 * seed-clusters.ts, and the checks of its answer. Written from docs/doctor.md and the seeded faults, never from
 * doctor's own output.
 */
import type { SeededSpecCluster } from './profile-seeds';
import type { MisconfigCase } from './seed-clusters';

/** The doctor's JSON report (docs/doctor.md), as far as these steps read it. */
export interface DoctorJson {
  readonly cluster: string;
  readonly region: string;
  readonly ready: boolean;
  readonly recommendedProfile: string;
  readonly nodes: { readonly count: number; readonly tag: string };
  readonly checks: readonly DoctorCheckJson[];
  readonly costs: readonly { readonly sourceProfile: string; readonly netreconUsdPerMonth: number; readonly agentUsdPerMonth: number; readonly totalUsdPerMonth: number }[];
}

export interface DoctorCheckJson {
  readonly code: string;
  readonly severity: 'pass' | 'warn' | 'fail';
  readonly summary: string;
  readonly instanceIds: readonly string[];
  readonly fix?: { readonly text: string; readonly cdkFlags?: string; readonly command?: string; readonly agentConfig?: object };
}

/** The stable check codes of docs/doctor.md: the ready cluster must show each one, as a pass. */
export const CONTRACT_CODES = [
  'nodes-found',
  'nodes-other-tag',
  'ec2-monitoring',
  'container-insights-missing',
  'container-insights-stale',
  'agent-missing',
  'agent-no-instance-id',
  'agent-extra-dimensions',
  'agent-pod-netns',
  'agent-stale',
  'agent-unclassified-interfaces',
  'agent-units',
  'reconcile-ec2-mismatch',
  'reconcile-residual',
  'reconcile-incomplete',
] as const;

export const EXIT_READY = 0;
export const EXIT_NOT_READY = 2;

export interface DoctorCase {
  readonly code: (typeof CONTRACT_CODES)[number];
  /** The severities the seeded fault may have: fail where netrecon's figures would be missing or wrong. */
  readonly severities: readonly ('warn' | 'fail')[];
  /** Which nodes the check must name: the faulty ones (`a`, or all), or none required (a series without InstanceId may not be tied to one). */
  readonly names: 'faulty' | 'notHealthy';
  /** What the fix must name, in one of these fields. */
  readonly fix: { readonly fields: readonly ('cdkFlags' | 'command' | 'text')[]; readonly contains: string };
}

/** docs/doctor.md: the fix of an agent's configuration names the command `netrecon agent-config …`. */
const AGENT_CONFIG_FIX = { fields: ['command'], contains: 'agent-config' } as const;

export const DOCTOR_CASES: Readonly<Record<MisconfigCase, DoctorCase>> = {
  // netrecon cannot tie the series to a node: under the recommended mixed profile that node is reconciled from EC2
  // (right, without its counters), so a reconcile of the hour is ok and the paid-for, unread series are a warning.
  agentNoInstanceId: { code: 'agent-no-instance-id', severities: ['warn'], names: 'notHealthy', fix: AGENT_CONFIG_FIX },
  // netrecon reads series with extra dimensions as they are: worth a warning (each new value is a new paid series), a failure only if it breaks the read.
  agentExtraDimensions: { code: 'agent-extra-dimensions', severities: ['warn', 'fail'], names: 'faulty', fix: AGENT_CONFIG_FIX },
  // lo and eth0 only, no veth, on a node running 5 pods: that pod's traffic would be taken for the node's.
  agentPodNetns: { code: 'agent-pod-netns', severities: ['fail'], names: 'faulty', fix: AGENT_CONFIG_FIX },
  nodesOtherTag: { code: 'nodes-other-tag', severities: ['warn', 'fail'], names: 'faulty', fix: { fields: ['cdkFlags'], contains: 'nodeFilter' } },
  // A stale agent is configured right but stopped or cannot publish: the fix names the node role's policy, not a new configuration.
  agentStale: { code: 'agent-stale', severities: ['fail'], names: 'faulty', fix: { fields: ['text'], contains: 'CloudWatchAgentServerPolicy' } },
  // The fix is the add-on, named by its id.
  containerInsightsMissing: { code: 'container-insights-missing', severities: ['fail'], names: 'faulty', fix: { fields: ['text', 'command'], contains: 'amazon-cloudwatch-observability' } },
};

/** Nodes `a` carry the fault; where every node does (tag convention, no Container Insights) all of them. */
export function faultyNodes(which: MisconfigCase, cluster: SeededSpecCluster): { faulty: string[]; healthy: string[] } {
  const everyNode = which === 'nodesOtherTag' || which === 'containerInsightsMissing';
  const faulty = cluster.nodes.filter((n) => everyNode || n.spec.key === 'a').map((n) => n.instanceId);
  return { faulty, healthy: cluster.nodes.map((n) => n.instanceId).filter((id) => !faulty.includes(id)) };
}

/** The invariants of docs/doctor.md every answer must keep, whatever the cluster. */
export function contractProblems(report: DoctorJson, cluster: string, code: number): string[] {
  const problems: string[] = [];
  if (report.cluster !== cluster) problems.push(`cluster ${JSON.stringify(report.cluster)}, expected ${cluster}`);
  const failing = report.checks.filter((c) => c.severity === 'fail').map((c) => c.code);
  if (report.ready !== (failing.length === 0)) problems.push(`ready ${report.ready} but the failing checks are [${failing.join(', ')}]`);
  const wantCode = report.ready ? EXIT_READY : EXIT_NOT_READY;
  if (code !== wantCode) problems.push(`exit ${code}, expected ${wantCode} (ready ${report.ready})`);
  for (const c of report.checks) {
    if (!(CONTRACT_CODES as readonly string[]).includes(c.code)) problems.push(`check code ${JSON.stringify(c.code)} is not one of docs/doctor.md's`);
    if (!['pass', 'warn', 'fail'].includes(c.severity)) problems.push(`check ${c.code}: severity ${JSON.stringify(c.severity)}`);
    if (c.severity !== 'pass' && !c.fix?.text) problems.push(`check ${c.code} is ${c.severity} without a fix text`);
  }
  const profiles = report.costs.map((c) => c.sourceProfile).sort();
  if (profiles.join(',') !== 'agentless,enis,full,mixed') problems.push(`costs for [${profiles.join(', ')}], expected one per profile`);
  for (const c of report.costs) {
    if (Math.abs(c.netreconUsdPerMonth + c.agentUsdPerMonth - c.totalUsdPerMonth) > 0.005) problems.push(`costs.${c.sourceProfile}: ${c.netreconUsdPerMonth} + ${c.agentUsdPerMonth} != total ${c.totalUsdPerMonth}`);
    if (c.sourceProfile === 'agentless' && c.agentUsdPerMonth !== 0) problems.push(`costs.agentless: the agent costs ${c.agentUsdPerMonth}, but agentless runs no agent`);
  }
  return problems;
}

/** The doctor JSON's `lastHour` (docs/doctor.md, "The last hour"). */
export interface DoctorLastHourJson {
  readonly sourceProfile: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly nodePeriods: number;
  readonly nodePeriodsByStatus: Readonly<Record<string, number>>;
  readonly ok: boolean;
}

/**
 * Whether a reconcile of the last hour is ok on each seeded cluster under the profile doctor recommends for it,
 * from the seeds' own design (seed-clusters.ts), never from a run: doctor must be ready exactly on these.
 */
export const LAST_HOUR_OK: Readonly<Record<string, { readonly ok: boolean; readonly why: string }>> = {
  'pe-agentless': { ok: false, why: "a1's agent sees eth0 alone on a one-ENI node (mixed reads it as enis), 1.9 MB a minute where EC2 counts 2.5 MB: ec2Mismatch" },
  'pe-enis': { ok: false, why: 'e1: EC2 is about 1.5 times its ENIs, ec2Mismatch by design' },
  'pe-full': { ok: true, why: 'every source agrees within the thresholds' },
  'pe-mixed': { ok: true, why: 'each node reconciled with what it has, every comparison within the thresholds' },
  'dr-no-instance-id': { ok: true, why: "node a's agent series cannot be tied to it, so mixed reconciles it from EC2" },
  'dr-extra-dims': { ok: true, why: 'series with extra dimensions are read as they are' },
  'dr-pod-netns': { ok: false, why: "node a's agent counts a pod's eth0 (7 kB a minute) where EC2 counts 2 MB: ec2Mismatch" },
  'dr-other-tag': { ok: false, why: 'no instance carries eks:cluster-name, so reconcile finds no node' },
  'dr-stale-agent': { ok: false, why: "node a's agent published 21 minutes of the hour: missingAgent and partial periods" },
  'dr-no-ci': { ok: false, why: 'no Container Insights on any node: missingContainerInsights' },
};
