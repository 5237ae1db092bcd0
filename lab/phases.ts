/**
 * The three traffic phases, each measured on its own: the node namespace's counters are read (settled) before
 * and after one download, and the difference is that phase's traffic.
 */
import { counterDelta, type InterfaceDelta, readSettledCounters } from './counters';
import { ADDRESSES } from './names';
import type { LabTopology } from './topology';
import { download } from './traffic';

export const PHASE_IDS = ['a', 'b', 'c'] as const;
export type PhaseId = (typeof PHASE_IDS)[number];

export interface PhasePlan {
  readonly id: PhaseId;
  readonly title: string;
  /** What the bytes should cross on the node, in words, for the report. */
  readonly path: string;
  readonly clientNetns: string;
  readonly serverUrl: string;
}

export function planPhases(topology: LabTopology): Record<PhaseId, PhasePlan> {
  const serverUrl = `http://${topology.serverIp}:${ADDRESSES.httpPort}`;
  const podAUrl = `http://${topology.podA.ip}:${ADDRESSES.httpPort}`;
  return {
    a: {
      id: 'a',
      title: 'pod downloads from a server outside the node',
      path: `server -> eth0 (rx) -> ${topology.podA.hostVeth} (tx) -> pod A`,
      clientNetns: topology.podA.netns,
      serverUrl,
    },
    b: {
      id: 'b',
      title: 'host-network process on the node downloads from the server',
      path: 'server -> eth0 (rx) -> node process',
      clientNetns: topology.nodeNetns,
      serverUrl,
    },
    c: {
      id: 'c',
      title: 'pod-to-pod on the same node',
      path: `pod A -> ${topology.podA.hostVeth} (rx) -> ${topology.podB.hostVeth} (tx) -> pod B`,
      clientNetns: topology.podB.netns,
      serverUrl: podAUrl,
    },
  };
}

export interface PhaseMeasurement {
  readonly id: PhaseId;
  readonly title: string;
  readonly path: string;
  /** Body bytes the client application received (counted by the client, not the kernel). */
  readonly appBytes: number;
  readonly transferMs: number;
  /** Kernel counter deltas of every interface in the node's namespace, `lo` included. */
  readonly interfaces: readonly InterfaceDelta[];
  /** False when the counters were still moving at the last read (the figures may then miss a few late packets). */
  readonly countersSettled: boolean;
}

export async function runPhase(
  plan: PhasePlan,
  nodeNetns: string,
  bytes: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PhaseMeasurement> {
  const before = await readSettledCounters(nodeNetns, undefined, signal);
  const result = await download(plan.clientNetns, plan.serverUrl, bytes, timeoutMs, signal);
  const after = await readSettledCounters(nodeNetns, undefined, signal);
  return {
    id: plan.id,
    title: plan.title,
    path: plan.path,
    appBytes: result.bytes,
    transferMs: result.ms,
    interfaces: counterDelta(before.snapshot, after.snapshot),
    countersSettled: before.settled && after.settled,
  };
}
