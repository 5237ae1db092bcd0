/** One run lists the agent namespace once, however many clusters it reconciles. */
import 'aws-sdk-client-mock-vitest/extend';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { runConfig } from '../helpers/run-config';
import { LedgerMemory } from '../../lambda/plan/ledger-memory';
import { makeRunner } from '../../lambda/runner';
import { FakeAws } from '../helpers/fake-aws';
import { makeCluster, type SynthNode } from '../helpers/synthetic-cluster';
import { mockAccount } from './account';
import { NOW_SECONDS, sdkClients, virtualClock } from './helpers';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let restore: () => void = () => undefined;
afterEach(() => restore());

/** `clusters` clusters of one node each, with instance ids of their own. */
function estate(clusters: number): SynthNode[] {
  return Array.from({ length: clusters }, (_, c) => {
    const [n] = makeCluster({ cluster: `c${c}`, nodes: 1, launchSeconds: NOW_SECONDS - 10 * 86_400 });
    return { ...n!, instanceId: `i-${(c + 1).toString(16).padStart(17, '0')}`, nodeName: `ip-10-0-0-${c}.eu-west-1.compute.internal`, seed: c + 1 };
  });
}

describe('the agent namespace listing', () => {
  it('is made once per run for 50 clusters, and each cluster still reads only its own nodes', async () => {
    const fake = new FakeAws(estate(50));
    const account = mockAccount(fake);
    restore = account.restore;
    const names = Array.from({ length: 50 }, (_, c) => `c${c}`);
    const config = runConfig({ clusters: names, sourceProfile: 'full', backfillSeconds: 3600 });
    const runner = makeRunner({ config, ...sdkClients(), logger: quiet, ledgerMemory: new LedgerMemory(), now: () => new Date(NOW_SECONDS * 1000), clock: virtualClock() });
    const summary = await runner({});
    // One listing = one pagination of net_bytes_recv and one of net_bytes_sent (50 nodes x 4 interfaces fit a page);
    // each cluster lists only its own Container Insights nodes (ClusterName-filtered, one page).
    expect(account.cw).toHaveReceivedCommandTimes(ListMetricsCommand, 2 + 50);
    expect(summary.clusters).toHaveLength(50);
    for (const c of summary.clusters) {
      expect(c.error).toBeUndefined();
      expect(c.nodes).toBe(1);
      // The node's agent series reached its cluster: no node-period lacks the agent.
      expect(c.nodePeriodsByStatus?.missingAgent ?? 0).toBe(0);
      expect(c.nodePeriodsByStatus?.ok).toBeGreaterThan(0);
    }
    // Each cluster read its own node's 8 agent series and one probe, never another cluster's: 50 x 9 agent queries.
    const agentQueries = account.cw
      .calls()
      .flatMap((call) => (call.args[0].input as { MetricDataQueries?: { MetricStat: { Metric: { Namespace: string } } }[] }).MetricDataQueries ?? [])
      .filter((q) => q.MetricStat.Metric.Namespace === 'CWAgent');
    expect(agentQueries).toHaveLength(50 * 9);
  });
});
