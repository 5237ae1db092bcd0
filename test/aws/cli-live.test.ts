import 'aws-sdk-client-mock-vitest/extend';
import { GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { makeCluster } from '../helpers/synthetic-cluster';
import { main } from '../../lambda/cli/main';
import { maxAttemptsOf, mockAccount } from './account';
import { NOW_SECONDS } from './helpers';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

// The live commands take "now" from the machine's clock (the default window, the 14-day bound): it is pinned to
// NOW_SECONDS (period-aligned), and every window below is derived from that instant.
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/**
 * A fresh simulated account for every test (so no test reads what another published), serving the SDK clients
 * with dummy credentials, with the clock starting at NOW_SECONDS. Only Date is faked, and it moves on with real
 * time: the quota pacing measures elapsed time with Date.now and sleeps on real timers, so a frozen Date would never
 * refill its bucket.
 */
function withSimulatedAccount(makeFake: () => FakeAws): { readonly fake: FakeAws; readonly cw: ReturnType<typeof mockAccount>['cw'] } {
  let fake: FakeAws;
  let account: ReturnType<typeof mockAccount>;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(NOW_SECONDS * 1000);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    fake = makeFake();
    account = mockAccount(fake);
  });
  afterEach(() => {
    account.restore();
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });
  return {
    get fake() {
      return fake;
    },
    get cw() {
      return account.cw;
    },
  };
}

describe('the live CLI', () => {
  const account = withSimulatedAccount(() => new FakeAws(makeCluster({ cluster: 'c1', nodes: 3, launchSeconds: NOW_SECONDS - 86_400, withoutAgent: [2] })));

  it('reconcile --cluster --dry-run prints the report and what it would publish, and publishes nothing', async () => {
    const t = io();
    const code = await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--source-profile', 'full', '--dry-run', '--format', 'json'], t.io);
    const json = JSON.parse(t.out());
    expect(code).toBe(2); // one node has no agent data, which the full profile requires: not every node-period is ok
    expect(json.summary).toMatchObject({ nodes: 3, periods: 12 });
    expect(json.publish).toMatchObject({ namespace: 'NetRecon', dryRun: true, periodsAlreadyPublished: 0 });
    expect(json.publish.periods).toHaveLength(12);
    expect(json.publish.datums.some((d: { MetricName: string }) => d.MetricName === 'PhysicalRxBytes')).toBe(true);
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
    expect(t.err()).toMatch(/netrecon: c1: 12 period\(s\) to emit/);
    expect(t.err()).toMatch(/netrecon: 3 nodes; calls: 1 DescribeInstances, 3 ListMetrics/);
  });

  it('reconcile --cluster --format html -o FILE writes the page, with what it would publish, and nothing on stdout', async () => {
    const t = io();
    const file = join(mkdtempSync(join(tmpdir(), 'netrecon-live-html-')), 'c1.html');
    const code = await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--source-profile', 'full', '--dry-run', '--format', 'html', '-o', file], t.io);
    expect(code).toBe(2);
    expect(t.out()).toBe('');
    expect(t.err()).toContain(`netrecon: report written to ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('from cluster c1 in the live account (eu-west-1)');
    expect(html).toMatch(/<p>Would publish to NetRecon: \d+ datums in \d+ PutMetricData request\(s\) for 12 period\(s\)/);
    // Node 2 of 3 has no agent data: its 12 node-periods are missingAgent.
    expect(html).toMatch(/data-key="missingAgent" data-count="12"/);
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });

  it('capture writes a file that reconcile --from turns into the same report as the live run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netrecon-cli-'));
    const file = join(dir, 'c1.capture.json');
    const start = iso(NOW_SECONDS - 600 - 3600);
    const end = iso(NOW_SECONDS - 600);
    const c = io();
    expect(await main(['capture', '--cluster', 'c1', '--region', 'eu-west-1', '--start', start, '--end', end, '-o', file], c.io)).toBe(0);
    // 3 nodes x (EC2 in, out, Container Insights and its probe) + 2 nodes with the agent x (4 interfaces x (rx, tx)
    // + the agent probe) = 12 + 18.
    expect(c.err()).toMatch(/wrote .*c1\.capture\.json: 3 nodes, 30 series/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'netrecon.capture', cluster: 'c1', region: 'eu-west-1' });
    const offline = io();
    await main(['reconcile', '--from', file, '--format', 'json'], offline.io);
    const live = io();
    await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--start', start, '--end', end, '--dry-run', '--format', 'json'], live.io);
    expect(JSON.parse(offline.out()).clusterPeriods).toEqual(JSON.parse(live.out()).clusterPeriods);
  });

  it('reconcile --cluster publishes once; a second run finds everything published', async () => {
    const first = io();
    await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1'], first.io);
    expect(first.out()).toMatch(/Published to NetRecon: \d+ datums in 1 PutMetricData request\(s\) for 12 period\(s\); 0 period\(s\)/);
    const second = io();
    await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1'], second.io);
    // Nothing left to publish, and no heartbeat to send: the second run puts nothing at all.
    expect(second.out()).toMatch(/Published to NetRecon: 0 datums in 0 PutMetricData request\(s\) for 0 period\(s\); 12 period\(s\) of the window were already published/);
    // The Heartbeat is the scheduled function's: a person's run beating it would hide a dead function from its alarm.
    const names = account.cw.commandCalls(PutMetricDataCommand).flatMap((c) => (c.args[0].input.MetricData ?? []).map((d) => d.MetricName));
    expect(names).toContain('EmitLedger');
    expect(names).not.toContain('Heartbeat');
    // The puts went through the client without SDK retries (a retried put that had landed would count twice).
    expect(await maxAttemptsOf(account.cw, PutMetricDataCommand)).toEqual([1]);
    expect(new Set(await maxAttemptsOf(account.cw, GetMetricDataCommand))).toEqual(new Set([3]));
  });

  it('reconcile --cluster says how many periods of a long window it left for the next run', async () => {
    // Three days of 60 s periods: more than the 4,032 periods (14 days of 300 s) one run publishes.
    const end = NOW_SECONDS - 600;
    const t = io();
    const code = await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--period', '60', '--start', iso(end - 3 * 86_400), '--end', iso(end), '--dry-run'], t.io);
    expect(code).toBe(2);
    // 3 x 1,440 = 4,320 periods in the window, none published yet: 4,032 go now, 4,320 - 4,032 = 288 later.
    expect(t.out()).toMatch(/^Would publish to NetRecon: \d+ datums in \d+ PutMetricData request\(s\) for 4032 period\(s\); 0 period\(s\) of the window were already published\.$/m);
    expect(t.out()).toMatch(/^288 later period\(s\) of the window were deferred: one run publishes at most 4032\. Run the command again/m);
  });

  it.each([
    [['reconcile', '--cluster', 'c1', '--start', '2026-03-01T00:00:00Z'], /--start and --end go together/],
    [['reconcile', '--cluster', 'c1', '--from', 'x.json'], /--from and --cluster cannot be used together/],
    [['reconcile', '--cluster', 'c1', '--start', 'yesterday', '--end', '2026-03-01T00:00:00Z'], /--start must be an ISO 8601 time/],
    [['capture', '--cluster', 'c1', '--start', '2026-03-01T00:00:00Z', '--end', '2026-03-01T01:00:00Z'], /-o FILE is required/],
    [['capture', '-o', 'x.json'], /--cluster NAME is required/],
  ])('%j is a usage error', async (argv, message) => {
    const t = io();
    expect(await main(argv, t.io)).toBe(1);
    expect(t.err()).toMatch(message);
  });

  it('turns an AWS refusal into one line with the permissions it needs', async () => {
    account.fake.failNext('DescribeInstances', 1, () => Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    const t = io();
    expect(await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--dry-run'], t.io)).toBe(1);
    expect(t.err()).toMatch(/netrecon reconcile: AWS refused the call \(UnauthorizedOperation: not authorized\)\. netrecon needs cloudwatch:GetMetricData/);
  });

  it('has --help for capture', async () => {
    const t = io();
    expect(await main(['capture', '--help'], t.io)).toBe(0);
    expect(t.out()).toMatch(/^Usage: netrecon capture --cluster NAME/);
  });
});

describe('the live CLI on a cluster of more than one node batch', () => {
  // 1,001 nodes: two batches of the pipeline's default 1,000; the node without an agent is in the second one.
  withSimulatedAccount(() => new FakeAws(makeCluster({ cluster: 'big', nodes: 1001, launchSeconds: NOW_SECONDS - 86_400, withoutAgent: [1000] })));

  it('reconcile --cluster prints every node row and exits 2 when a node-period of a later batch is not ok', async () => {
    const t = io();
    const code = await main(['reconcile', '--cluster', 'big', '--region', 'eu-west-1', '--source-profile', 'full', '--dry-run'], t.io);
    expect(t.err()).toMatch(/big: batch 2\/2 reconciled \(1 nodes\)/);
    expect(code).toBe(2);
    expect(t.out()).toMatch(/^Summary: 12012 node-periods \(12000 ok, 12 missingAgent\)/m);
    // Node 1,000 (i-...3e8) is in the second batch: its rows are printed with the status that sets the exit code.
    expect(t.out().match(/^\S+ \S+ {2}i-000000000000003e8 .*missingAgent$/gm)).toHaveLength(12);
  });
});
