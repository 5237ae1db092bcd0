/** Shared test wiring: a virtual clock (sleeps advance time instantly), runtimes and pipeline settings. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { makeAwsRuntime, type AwsRuntime, type CloudWatchSender, type Ec2Sender } from '../../lambda/aws/api';
import { parseNodeFilter } from '../../lambda/aws/inventory';
import { DEFAULT_SOURCE_SETTINGS } from '../../lambda/plan/sources';
import type { Clock } from '../../lambda/aws/throttle';
import { makeReconcileConfig } from '../../lambda/core/config';
import type { PipelineSettings } from '../../lambda/read-cluster';

export function virtualClock(startMs = 0): Clock & { slept: number[] } {
  let now = startMs;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** Real SDK clients with dummy credentials: aws-sdk-client-mock replaces their `send`, nothing leaves the process. */
export function sdkClients(): { cloudWatch: CloudWatchClient; ec2: EC2Client } {
  const config = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } };
  return { cloudWatch: new CloudWatchClient(config), ec2: new EC2Client(config) };
}

export function testRuntime(cloudWatch: CloudWatchSender = sdkClients().cloudWatch, ec2: Ec2Sender = sdkClients().ec2, extra: Partial<Parameters<typeof makeAwsRuntime>[0]> = {}): AwsRuntime {
  return makeAwsRuntime({ cloudWatch, ec2, clock: virtualClock(), retry: { attempts: 4, baseDelayMs: 1, random: () => 0.5 }, ...extra });
}

export function testSettings(overrides: Partial<PipelineSettings> = {}): PipelineSettings {
  return {
    reconcile: makeReconcileConfig({ periodSeconds: 300, sourceProfile: 'full' }),
    sources: DEFAULT_SOURCE_SETTINGS,
    nodeFilter: parseNodeFilter('tag:eks:cluster-name'),
    schedule: { periodSeconds: 300, lagSeconds: 600, backfillSeconds: 86_400, maxPeriodsPerRun: 288, periodsPerRead: 12 },
    outputNamespace: 'NetRecon',
    perNodeMetrics: false,
    ...overrides,
  };
}

/** 2026-03-01T12:00:00Z, period-aligned. */
export const NOW_SECONDS = Date.UTC(2026, 2, 1, 12, 0, 0) / 1000;
