import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readMetrics } from '../../lambda/aws/metric-reader';
import { planCalls } from '../../lambda/plan/query-plan';
import { agentSeriesOf, DEFAULT_SOURCE_SETTINGS, probeOf } from '../../lambda/plan/sources';
import { testRuntime, virtualClock } from './helpers';

const cw = mockClient(CloudWatchClient);
const ec2 = mockClient(EC2Client);
const window = { startSeconds: 1_772_362_800, endSeconds: 1_772_362_800 + 300 };
const at = (offset: number): Date => new Date((window.startSeconds + offset) * 1000);
const spec = (i: number) => agentSeriesOf('rx', { InstanceId: `i-${i}`, interface: 'eth0' }, DEFAULT_SOURCE_SETTINGS, 300)!;
const throttle = (): Error => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

beforeEach(() => {
  cw.reset();
  ec2.reset();
});

describe('GetMetricData reader', () => {
  it('follows NextToken and joins the pages of each query', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'q0', Timestamps: [at(0), at(60)], Values: [1, 2], StatusCode: 'PartialData' }], NextToken: 'page2' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'q0', Timestamps: [at(120)], Values: [3], StatusCode: 'Complete' }] });
    const rt = testRuntime();
    const read = await readMetrics(rt, planCalls([spec(1)], window), window);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cw).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'page2' });
    expect(read.series[0]!.values).toEqual([1, 2, 3]);
    expect(read.series[0]!.statusCode).toBe('Complete');
    // A NextToken page continues the same request: the metric is billed once.
    expect(rt.counters.metricsRequested).toBe(1);
  });

  it('paces a request on its datapoints once, however many NextToken pages it takes', async () => {
    const pages = [0, 60, 120, 180, 240].map((offset, i, all) => ({
      MetricDataResults: [{ Id: 'q0', Timestamps: [at(offset)], Values: [i], StatusCode: i + 1 < all.length ? ('PartialData' as const) : ('Complete' as const) }],
      ...(i + 1 < all.length ? { NextToken: `page${i + 2}` } : {}),
    }));
    let mock = cw.on(GetMetricDataCommand);
    for (const page of pages) mock = mock.resolvesOnce(page);
    // A 60 s query over 300 s: 5 datapoints, exactly what a 5-datapoint-a-second quota lets through at once.
    const clock = virtualClock();
    const rt = testRuntime(undefined, undefined, { clock, quotas: { getMetricDataDps: 5 } });
    const read = await readMetrics(rt, planCalls([{ ...spec(1), periodSeconds: 60 }], window), window);
    expect(read.series[0]!.values).toEqual([0, 1, 2, 3, 4]);
    expect(rt.counters.calls.GetMetricData).toBe(5);
    expect(rt.counters.datapointsReturned).toBe(5);
    // Taking the request's 5 datapoints again on each of the 4 later pages would have waited 4 s.
    expect(clock.slept).toEqual([]);
  });

  it('retries a throttled call and then succeeds', async () => {
    cw.on(GetMetricDataCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .resolves({ MetricDataResults: [{ Id: 'q0', Timestamps: [at(0)], Values: [7], StatusCode: 'Complete' }] });
    const rt = testRuntime();
    const read = await readMetrics(rt, planCalls([spec(1)], window), window);
    expect(read.failures).toEqual([]);
    expect(read.series[0]!.values).toEqual([7]);
    expect(rt.counters.throttled).toBe(2);
    expect(rt.counters.retries).toBe(2);
  });

  it('reports a call that keeps failing as a read failure of all its series, not as series without data', async () => {
    const specs = Array.from({ length: 501 }, (_, i) => spec(i));
    cw.on(GetMetricDataCommand)
      .callsFake((input) => {
        if (input.MetricDataQueries.length === 500) throw throttle();
        return { MetricDataResults: [{ Id: 'q0', Timestamps: [at(0)], Values: [5], StatusCode: 'Complete' }] };
      });
    const rt = testRuntime(undefined, undefined, { retry: { attempts: 3, baseDelayMs: 1 }, readConcurrency: 1 });
    const read = await readMetrics(rt, planCalls(specs, window), window);
    expect(read.failures).toHaveLength(1);
    expect(read.failures[0]!.series).toHaveLength(500);
    expect(read.failures[0]!.reason).toMatch(/failed after retries: ThrottlingException/);
    // The failed series are not handed on as empty series, and the second call is not sent: it could not be used.
    expect(read.series).toEqual([]);
    expect(read.callsNotSent).toBe(1);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 3);
  });

  it('reports a series answered Forbidden or InternalError as a read failure and keeps a partial answer with its status', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'q0', Timestamps: [], Values: [], StatusCode: 'Forbidden' },
        { Id: 'q1', Timestamps: [at(0)], Values: [9], StatusCode: 'PartialData' },
        { Id: 'q2', Timestamps: [at(0)], Values: [1], StatusCode: 'InternalError' },
      ],
    });
    const rt = testRuntime();
    const read = await readMetrics(rt, planCalls([spec(1), spec(2), spec(3)], window), window);
    expect(read.failures).toEqual([
      { series: ['CWAgent net_bytes_recv {InstanceId=i-1,interface=eth0}'], reason: 'CloudWatch answered StatusCode Forbidden' },
      { series: ['CWAgent net_bytes_recv {InstanceId=i-3,interface=eth0}'], reason: 'CloudWatch answered StatusCode InternalError' },
    ]);
    expect(read.series).toEqual([expect.objectContaining({ values: [9], statusCode: 'PartialData' })]);
  });

  it('asks for each series with its own period and statistic, and its SampleCount probe in the same call, billed once', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const rt = testRuntime();
    await readMetrics(rt, planCalls([spec(1), probeOf(spec(1))!], window), window);
    const metric = { Namespace: 'CWAgent', MetricName: 'net_bytes_recv', Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }, { Name: 'interface', Value: 'eth0' }] };
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(window.startSeconds * 1000),
      EndTime: new Date(window.endSeconds * 1000),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        { Id: 'q0', MetricStat: { Metric: metric, Period: 300, Stat: 'Sum' }, ReturnData: true },
        { Id: 'q1', MetricStat: { Metric: metric, Period: 300, Stat: 'SampleCount' }, ReturnData: true },
      ],
    });
    // Two statistics of one metric in one request: one metric requested (pricing.ts).
    expect(rt.counters.metricsRequested).toBe(1);
  });
});
