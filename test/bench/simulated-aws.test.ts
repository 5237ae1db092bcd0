import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNodes, SimulatedAwsProcess, type SimulatedNodes } from '../../bench/simulated-aws';
import { isRetryable, isThrottling } from '../../lambda/aws/throttle';
import { FakeAws, type FakeAwsOptions } from '../helpers/fake-aws';

// The benchmark's simulator in its own process must answer what the in-process fake answers, errors included, or
// the bench would measure another run than the one the figures describe (docs/limits.md, "The product's CPU").
const NOW = Math.floor(Date.UTC(2026, 2, 1, 12, 0, 0) / 1000);
const spec: SimulatedNodes = { kind: 'estate', clusters: ['a', 'b'], nodesPerCluster: 6, launchSeconds: NOW - 86_400 };
const options: FakeAwsOptions = { storeAllOutput: false, quotas: { listMetricsTps: 2 } };

const query = (id: string, instanceId: string, metricName: string, stat: string) => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: metricName, Dimensions: [{ Name: 'InstanceId', Value: instanceId }] }, Period: 300, Stat: stat },
});
const getMetricData = (queries: ReturnType<typeof query>[]) =>
  new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date((NOW - 3600) * 1000), EndTime: new Date(NOW * 1000) });

let sim: SimulatedAwsProcess;
beforeAll(async () => {
  sim = await SimulatedAwsProcess.start(spec, options);
});
afterAll(() => sim.close());

describe('the benchmark simulator in its own process', () => {
  it('answers like the in-process fake, Dates as Dates', async () => {
    const local = new FakeAws(buildNodes(spec), options);
    const nodes = buildNodes(spec);
    // Unique across the estate's clusters: the second cluster's first node is the seventh instance.
    expect(new Set(nodes.map((n) => n.instanceId)).size).toBe(12);
    const commands = [
      [new DescribeInstancesCommand({ MaxResults: 5, Filters: [{ Name: 'tag:eks:cluster-name', Values: ['b'] }] }), 'ec2'],
      [new ListMetricsCommand({ Namespace: 'CWAgent', MetricName: 'net_bytes_recv' }), 'cloudWatch'],
      [getMetricData([query('a', nodes[7]!.instanceId, 'NetworkIn', 'Sum'), query('b', nodes[0]!.instanceId, 'NetworkOut', 'SampleCount')]), 'cloudWatch'],
    ] as const;
    for (const [command, client] of commands) {
      const remote = await (sim[client].send as (c: unknown) => Promise<unknown>)(command);
      expect(remote).toEqual(await (local[client].send as (c: unknown) => Promise<unknown>)(command));
    }
    const described = (await sim.ec2.send(commands[0][0])) as { Reservations: { Instances: { LaunchTime: unknown }[] }[] };
    expect(described.Reservations[0]!.Instances[0]!.LaunchTime).toBeInstanceOf(Date);
    const read = (await sim.cloudWatch.send(commands[2][0])) as { MetricDataResults: { Timestamps: unknown[]; Values: number[] }[] };
    expect(read.MetricDataResults[0]!.Timestamps[0]).toBeInstanceOf(Date);
    expect(read.MetricDataResults[0]!.Values).toHaveLength(12);
  });

  it('rejects with the error the product classifies: name, status and the offending value cross the channel', async () => {
    const tooMany = Array.from({ length: 501 }, (_, i) => query(`q${i}`, 'i-1', 'NetworkIn', 'Sum'));
    const error = await sim.cloudWatch.send(getMetricData(tooMany)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('501 queries'), $metadata: { httpStatusCode: 400 } });
    expect(isRetryable(error)).toBe(false);

    // The quota is the simulator's: 2 ListMetrics a second, so a burst of 4 has throttled calls.
    const burst = await Promise.allSettled(Array.from({ length: 4 }, () => sim.cloudWatch.send(new ListMetricsCommand({ Namespace: 'CWAgent', MetricName: 'net_bytes_sent' }))));
    const throttled = burst.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as unknown);
    expect(throttled.length).toBeGreaterThan(0);
    for (const e of throttled) expect(isThrottling(e) && isRetryable(e)).toBe(true);

    const stats = await sim.stats();
    expect(stats.counters.rejected).toBe(1);
    expect(stats.counters.throttledBy.ListMetrics).toBe(throttled.length);
    expect(stats.cpuMicros).toBeGreaterThan(0);
  });
});
