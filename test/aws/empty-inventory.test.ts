import 'aws-sdk-client-mock-vitest/extend';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { makeCluster } from '../helpers/synthetic-cluster';
import { LedgerMemory } from '../../lambda/plan/ledger-memory';
import { seriesKey } from '../../lambda/plan/sources';
import { main } from '../../lambda/cli/main';
import { runConfig } from '../helpers/run-config';
import type { RunSettingsInput } from '../../lambda/settings';
import { makeRunner } from '../../lambda/runner';
import { RunFailedError } from '../../lambda/run-summary';
import { exactlyOnce, mockAccount, storedCounts } from './account';
import { NOW_SECONDS, sdkClients, virtualClock } from './helpers';

let restore: () => void = () => undefined;
afterEach(() => {
  restore();
  vi.unstubAllEnvs();
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function runnerFor(fake: FakeAws, settings: RunSettingsInput) {
  const account = mockAccount(fake);
  restore = account.restore;
  const config = runConfig({ backfillSeconds: 7200, ...settings });
  const runner = (now: number, memory = new LedgerMemory()) =>
    makeRunner({ config, ...sdkClients(), logger: quiet, ledgerMemory: memory, now: () => new Date(now * 1000), clock: virtualClock(), retry: { attempts: 2, baseDelayMs: 1 } });
  return { account, runner };
}

async function failure(run: Promise<unknown>): Promise<RunFailedError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunFailedError);
  return error as RunFailedError;
}

describe('an empty inventory', () => {
  it('a cluster name that matches no instance is an error naming the cluster, the filter and the tag conventions, and seals nothing', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'prod', nodes: 3, launchSeconds: NOW_SECONDS - 86_400 }));
    const { account, runner } = runnerFor(fake, { clusters: ['ghost-typo'] });
    const failed = await failure(runner(NOW_SECONDS)({}));
    const message = failed.summary.clusters[0]!.error!;
    expect(failed.summary.clusters[0]!.outcome).toBe('failed');
    expect(message).toContain('no EC2 instance matches the node filter tag:eks:cluster-name=ghost-typo for cluster "ghost-typo"');
    expect(message).toContain('eks:cluster-name=NAME');
    expect(message).toContain('kubernetes.io/cluster/NAME');
    expect(message).toContain('NETRECON_NODE_FILTER');
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
    expect(storedCounts(fake)).toEqual([]);
  });

  it('a node filter that matches no instance of a real cluster is the same error, naming the filter', async () => {
    const fake = new FakeAws(makeCluster({ cluster: 'prod', nodes: 3, launchSeconds: NOW_SECONDS - 86_400 }));
    const { account, runner } = runnerFor(fake, { clusters: ['prod'], nodeFilter: 'tag-key:k8s.io/cluster/{cluster}' });
    const failed = await failure(runner(NOW_SECONDS)({}));
    expect(failed.summary.clusters[0]!.error).toContain('no EC2 instance matches the node filter tag-key k8s.io/cluster/prod for cluster "prod"');
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });

  it('a cluster that had nodes and scaled to zero publishes its honest zeros', async () => {
    // Two hours with 3 nodes, published; then every instance is gone (DescribeInstances no longer lists them).
    const before = new FakeAws(makeCluster({ cluster: 'prod', nodes: 3, launchSeconds: NOW_SECONDS - 86_400 }));
    const first = runnerFor(before, { clusters: ['prod'] });
    expect((await first.runner(NOW_SECONDS)({})).clusters[0]!.periodsEmitted).toBe(22);
    restore();
    const after = new FakeAws([]);
    for (const [key, series] of before.store) after.store.set(key, series);
    const { runner } = runnerFor(after, { clusters: ['prod'] });
    // Three hours later: 12 new closed periods (the scheduled read waits for 12).
    const later = await runner(NOW_SECONDS + 3 * 3600)({});
    expect(later.clusters[0]).toMatchObject({ outcome: 'emitted', nodes: 0 });
    // Its window, [NOW + 3 h - 2 h, NOW + 3 h - 10 min), holds 22 periods, all after the nodes left: 0 ok nodes each.
    const ok = after.store.get(seriesKey('NetRecon', 'NodeCount', { ClusterName: 'prod', Status: 'ok' }))!;
    const fresh = [...ok].filter(([minute]) => minute >= NOW_SECONDS + 3600);
    expect(fresh.map(([, s]) => s.sum)).toEqual(Array.from({ length: 22 }, () => 0));
    expect(exactlyOnce(after)).toEqual({ ok: true, doubled: [] });
  });

  it('reconcile --cluster ghost-typo exits 1 with the error, and publishes nothing', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const fake = new FakeAws(makeCluster({ cluster: 'prod', nodes: 3, launchSeconds: Math.floor(Date.now() / 1000) - 86_400 }));
    const account = mockAccount(fake);
    restore = account.restore;
    const err: string[] = [];
    const code = await main(['reconcile', '--cluster', 'ghost-typo', '--region', 'eu-west-1'], { stdout: () => undefined, stderr: (t) => void err.push(t) });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/netrecon reconcile: no EC2 instance matches the node filter tag:eks:cluster-name=ghost-typo for cluster "ghost-typo"/);
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });
});
