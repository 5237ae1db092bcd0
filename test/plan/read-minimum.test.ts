/**
 * The datapoints a node-hour costs against the information minimum: one value per series per period. The minimum
 * is counted here from the node's series (EC2 in and out, Container Insights, each listed agent series), not from
 * the planner; the read is what the planner's queries return over an hour.
 */
import { describe, expect, it } from 'vitest';
import { clusterCapabilities, type SourceProfile } from '../../lambda/core/source-profile';
import { datapointsPerQuery, seriesForNodes } from '../../lambda/plan/query-plan';
import { agentProbeRef, DEFAULT_SOURCE_SETTINGS, type AgentListing, type NodeRef } from '../../lambda/plan/sources';

const P = 300;
const hour = { startSeconds: 1_772_362_800, endSeconds: 1_772_362_800 + 3600 };
const PERIODS_PER_HOUR = 3600 / P;

/** What the agent publishes on a node under each profile (docs/profiles.md): nothing, the ENIs, every interface. */
const AGENT_INTERFACES = {
  none: [],
  enis: ['eth0', 'eth1'],
  full: ['eth0', 'eth1', 'eni3c1ae1f0141', 'lo'],
} as const;

/** The nodes of a cluster of each profile: mixed holds one node of each kind. */
const NODES_BY_PROFILE: Record<SourceProfile, (keyof typeof AGENT_INTERFACES)[]> = {
  agentless: ['none'],
  enis: ['enis'],
  full: ['full'],
  mixed: ['none', 'enis', 'full'],
};

function cluster(profile: SourceProfile) {
  const kinds = NODES_BY_PROFILE[profile];
  const nodes: NodeRef[] = kinds.map((_, i) => ({ instanceId: `i-${i}`, nodeName: `ip-${i}` }));
  // An agentless cluster lists no agent series at all (read-cluster.ts).
  const listings = new Map<string, AgentListing>();
  if (clusterCapabilities(profile).readsAgent) {
    kinds.forEach((kind, i) => {
      if (AGENT_INTERFACES[kind].length > 0) listings.set(`i-${i}`, { rx: [...AGENT_INTERFACES[kind]], tx: [...AGENT_INTERFACES[kind]] });
    });
  }
  const minimum = kinds.reduce((a, kind) => a + (3 + (profile === 'agentless' ? 0 : 2 * AGENT_INTERFACES[kind].length)) * PERIODS_PER_HOUR, 0);
  const read = seriesForNodes(nodes, listings, 'c1', DEFAULT_SOURCE_SETTINGS, P).reduce((a, s) => a + datapointsPerQuery(hour, s.periodSeconds), 0);
  return { nodes: nodes.length, minimum, read };
}

describe('datapoints per node-hour against the minimum', () => {
  it.each(['agentless', 'enis', 'full', 'mixed'] as const)('%s: at most 1.5 times one value per series per period', (profile) => {
    const { minimum, read } = cluster(profile);
    expect(read).toBeLessThanOrEqual(1.5 * minimum);
  });

  it('reads a full node with 4 interfaces in 156 datapoints an hour (11 series + 2 probes, 12 periods), not 564', () => {
    // Before: EC2 2 x 12 + Container Insights 60 + 8 agent series x 60 = 564 (60 s queries). The minimum is 11 x 12 = 132.
    expect(cluster('full')).toEqual({ nodes: 1, minimum: 132, read: 156 });
    // agentless: EC2 in, out, Container Insights and its probe, 12 periods: 48 against 36.
    expect(cluster('agentless')).toEqual({ nodes: 1, minimum: 36, read: 48 });
  });

  it('probes the interface that lives as long as the instance: the primary ENI, then lo, never a pod veth first', () => {
    const s = DEFAULT_SOURCE_SETTINGS;
    expect(agentProbeRef({ rx: ['eni3c1ae1f0141', 'lo', 'eth1', 'eth0'], tx: [] }, 'i-1', s)).toEqual({ direction: 'rx', ref: 'eth0' });
    expect(agentProbeRef({ rx: ['eni3c1ae1f0141', 'lo'], tx: ['ens5'] }, 'i-1', s)).toEqual({ direction: 'tx', ref: 'ens5' });
    expect(agentProbeRef({ rx: ['eni3c1ae1f0141', 'lo'], tx: [] }, 'i-1', s)).toEqual({ direction: 'rx', ref: 'lo' });
    expect(agentProbeRef({ rx: [], tx: [] }, 'i-1', s)).toBeNull();
  });
});
