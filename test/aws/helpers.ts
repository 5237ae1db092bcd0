/** Shared test wiring: a virtual clock (sleeps advance time instantly), runtimes and pipeline settings. */
import { makeAwsRuntime, type AwsRuntime, type CloudWatchSender, type Ec2Sender } from '../../lambda/aws/api';
import { parseNodeFilter } from '../../lambda/aws/inventory';
import { DEFAULT_SOURCE_SETTINGS } from '../../lambda/aws/sources';
import type { Clock } from '../../lambda/aws/throttle';
import { makeReconcileConfig } from '../../lambda/core/config';
import type { PipelineSettings } from '../../lambda/pipeline';

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

export function testRuntime(cloudWatch: CloudWatchSender, ec2: Ec2Sender, extra: Partial<Parameters<typeof makeAwsRuntime>[0]> = {}): AwsRuntime {
  return makeAwsRuntime({ cloudWatch, ec2, clock: virtualClock(), retry: { attempts: 4, baseDelayMs: 1, random: () => 0.5 }, ...extra });
}

export function testSettings(overrides: Partial<PipelineSettings> = {}): PipelineSettings {
  return {
    reconcile: makeReconcileConfig({ periodSeconds: 300 }),
    sources: DEFAULT_SOURCE_SETTINGS,
    nodeFilter: parseNodeFilter('tag:eks:cluster-name'),
    schedule: { periodSeconds: 300, lagSeconds: 600, backfillSeconds: 86_400, maxPeriodsPerRun: 288, minPendingPeriods: 12 },
    outputNamespace: 'NetRecon',
    perNodeMetrics: false,
    ...overrides,
  };
}

/** 2026-03-01T12:00:00Z, period-aligned. */
export const NOW_SECONDS = Date.UTC(2026, 2, 1, 12, 0, 0) / 1000;
