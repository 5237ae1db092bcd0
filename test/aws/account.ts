/** The simulated account (test/helpers/fake-aws.ts) behind aws-sdk-client-mock, so the code under test uses real SDK clients. */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { FakeAws } from '../helpers/fake-aws';

export interface AccountHooks {
  readonly beforePut?: (input: unknown, n: number) => void;
  readonly afterPut?: (input: unknown, n: number) => void;
  /** Awaited before put `n` reaches the simulated account: holds it back while a test runs something else. */
  readonly holdPut?: (input: unknown, n: number) => Promise<void>;
  /** Stands between GetMetricData and the simulated account: may throw, or change the answer `real()` gives. */
  readonly getMetricData?: (input: GetMetricDataCommandInput, real: () => Promise<GetMetricDataCommandOutput>) => Promise<GetMetricDataCommandOutput>;
}

export function mockAccount(fake: FakeAws, hooks: AccountHooks = {}) {
  const cw = mockClient(CloudWatchClient);
  const ec2 = mockClient(EC2Client);
  let puts = 0;
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const real = () => fake.handle('GetMetricData', input) as Promise<GetMetricDataCommandOutput>;
    return hooks.getMetricData ? hooks.getMetricData(input, real) : real();
  });
  cw.on(ListMetricsCommand).callsFake((input) => fake.handle('ListMetrics', input));
  cw.on(PutMetricDataCommand).callsFake(async (input) => {
    const n = ++puts;
    hooks.beforePut?.(input, n);
    await hooks.holdPut?.(input, n);
    const out = await fake.handle('PutMetricData', input);
    hooks.afterPut?.(input, n);
    return out;
  });
  ec2.on(DescribeInstancesCommand).callsFake((input) => fake.handle('DescribeInstances', input));
  return { cw, ec2, restore: () => { cw.restore(); ec2.restore(); } };
}

/** Every stored output series and minute, with how many datums landed on it (heartbeats left out). */
export function storedCounts(fake: FakeAws): { key: string; minute: number; count: number; max: number }[] {
  const out = [];
  for (const [key, byMinute] of fake.store) {
    if (key.includes('\u0000Heartbeat\u0000')) continue;
    for (const [minute, s] of byMinute) out.push({ key, minute, count: s.count, max: s.max });
  }
  return out;
}

/** True when every data datum landed exactly once and every ledger marker's count equals its stated total. */
export function exactlyOnce(fake: FakeAws): { ok: boolean; doubled: string[] } {
  const doubled = storedCounts(fake)
    .filter((s) => (s.key.includes('\u0000EmitLedger\u0000') ? s.count !== s.max : s.count !== 1))
    .map((s) => `${s.key.replaceAll('\u0000', ' ').replaceAll('\u0001', ',')} @${new Date(s.minute * 1000).toISOString()} x${s.count}`);
  return { ok: doubled.length === 0, doubled };
}

/**
 * The SDK maxAttempts of the client each call of `command` went through: the handler and the CLI must send
 * PutMetricData through the client without SDK retries (a retried put that had landed would count twice).
 */
export async function maxAttemptsOf(stub: AwsStub<any, any, any>, command: new (input: any) => any): Promise<number[]> {
  return Promise.all(stub.commandCalls(command).map((call) => (call.thisValue as CloudWatchClient).config.maxAttempts()));
}
