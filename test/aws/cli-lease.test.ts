/**
 * Issue 18 item 2 from the CLI's side: `reconcile --cluster` publishing next to a deployed function. With the
 * stack's ledger table it takes turns with the function (the lease); without it, it refuses while the function's
 * heartbeat shows it publishing the cluster, and warns otherwise. The account and the table are simulated
 * (test/helpers/fake-aws.ts, test/helpers/fake-ledger-table.ts).
 */
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAws } from '../helpers/fake-aws';
import { FakeLedgerTable } from '../helpers/fake-ledger-table';
import { makeCluster } from '../helpers/synthetic-cluster';
import { main } from '../../lambda/cli/main';
import { LedgerStore } from '../../lambda/aws/ledger-store';
import { CLOCK_SKEW_ALLOWANCE_SECONDS, LEASE_SECONDS } from '../../lambda/plan/limits';
import { heartbeatDatum } from '../../lambda/plan/output-datums';
import { exactlyOnce, mockAccount } from './account';
import { NOW_SECONDS, testRuntime } from './helpers';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

let fake: FakeAws;
let account: ReturnType<typeof mockAccount>;
let table: FakeLedgerTable;
let dynamo: ReturnType<FakeLedgerTable['install']>;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(NOW_SECONDS * 1000);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('NETRECON_LEDGER_TABLE', '');
  fake = new FakeAws(makeCluster({ cluster: 'c1', nodes: 3, launchSeconds: NOW_SECONDS - 86_400 }));
  account = mockAccount(fake);
  table = new FakeLedgerTable();
  dynamo = table.install();
});
afterEach(() => {
  account.restore();
  dynamo.restore();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

const publish = ['reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--source-profile', 'full'];
const puts = () => account.cw.commandCalls(PutMetricDataCommand).length;

/** The deployed function's last run, as its heartbeat says. */
async function functionRanAt(seconds: number): Promise<void> {
  await fake.handle('PutMetricData', { Namespace: 'NetRecon', MetricData: [heartbeatDatum('c1', new Date(seconds * 1000))] });
}

describe('reconcile --cluster next to a deployed function', () => {
  it('with --ledger-table, refuses while the function holds the lease, and publishes once it is given back', async () => {
    const store = new LedgerStore(new DynamoDBClient({ region: 'eu-west-1' }), 'netrecon-ledger');
    const lease = await store.acquire(testRuntime(), { namespace: 'NetRecon', cluster: 'c1' }, {
      owner: 'function-run',
      holder: 'function netrecon-fn request r-1',
      nowSeconds: NOW_SECONDS,
      leaseSeconds: LEASE_SECONDS,
      skewSeconds: CLOCK_SKEW_ALLOWANCE_SECONDS,
    });
    const refused = io();
    expect(await main([...publish, '--ledger-table', 'netrecon-ledger'], refused.io)).toBe(1);
    expect(refused.err()).toMatch(/netrecon reconcile: another publisher holds the ledger lease of cluster c1 \(function netrecon-fn request r-1, until 2026-03-01T12:15:00\.000Z, table netrecon-ledger\); nothing was published/);
    expect(puts()).toBe(0);
    await store.release(testRuntime(), lease);
    const ok = io();
    expect(await main([...publish, '--ledger-table', 'netrecon-ledger'], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/Published to NetRecon: \d+ datums in 1 PutMetricData request\(s\) for 12 period\(s\)/);
    // The lease now names the CLI run, released: the function's next run takes it.
    const leaseItem = [...table.items.values()].find((i) => i.item?.S === 'lease');
    expect(leaseItem?.holder?.S).toMatch(/^netrecon CLI, .+@.+ pid \d+$/);
    expect(leaseItem?.expiresAt?.N).toBe('0');
    expect(exactlyOnce(fake)).toEqual({ ok: true, doubled: [] });
  });

  it('NETRECON_LEDGER_TABLE stands for --ledger-table', async () => {
    vi.stubEnv('NETRECON_LEDGER_TABLE', 'netrecon-ledger');
    const t = io();
    expect(await main(publish, t.io)).toBe(0);
    expect(table.calls).toContain('TransactWriteItems');
  });

  it('without a table, refuses to publish while the function\'s heartbeat shows it running for the cluster', async () => {
    await functionRanAt(NOW_SECONDS - 1200);
    const t = io();
    expect(await main(publish, t.io)).toBe(1);
    expect(t.err()).toMatch(/a deployed reconciler published the heartbeat of cluster c1 to NetRecon at 2026-03-01T11:40:00\.000Z, so it may be publishing right now/);
    expect(t.err()).toMatch(/Pass --ledger-table with the stack's LedgerTableName output/);
    expect(puts()).toBe(0);
    // A dry run is still fine: it publishes nothing.
    expect(await main([...publish, '--dry-run'], io().io)).toBe(0);
  });

  it('without a table and without a function, publishes as before and says what it cannot exclude', async () => {
    const t = io();
    expect(await main(publish, t.io)).toBe(0);
    expect(t.err()).toMatch(/netrecon: warning: no --ledger-table: nothing excludes another publisher of cluster c1 in NetRecon/);
    expect(puts()).toBe(1);
    expect(table.calls).toEqual([]);
  });

  it('refuses a malformed table name, naming the flag', async () => {
    const t = io();
    expect(await main([...publish, '--ledger-table', 'x'], t.io)).toBe(1);
    expect(t.err()).toMatch(/--ledger-table is invalid: "x"\. A DynamoDB table name is 3-255/);
  });
});
