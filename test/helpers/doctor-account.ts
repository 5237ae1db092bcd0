/**
 * A small hand-built account for `netrecon doctor`'s SDK-level tests, behind aws-sdk-client-mock: instances with
 * their tags, monitoring and ENIs (DescribeInstances with tag filters), and series with their dimensions, unit and
 * one sample a minute up to their newest (ListMetrics with dimension filters and pages; GetMetricData aggregating
 * the samples of each Period with the query's Stat, and honouring its Unit, as CloudWatch does: a unit that does
 * not match the stored one returns no data). Simulated: the values are the test's, not a source's.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type GetMetricDataCommandInput, type ListMetricsCommandInput } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, type DescribeInstancesCommandInput } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';

export interface AccountInstance {
  readonly instanceId: string;
  readonly nodeName: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly monitoring: 'disabled' | 'enabled';
  readonly enis: number;
}

export interface AccountSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Epoch seconds of the newest datapoint; null: listed, but nothing recent. */
  readonly lastSeconds: number | null;
  /** Epoch seconds of the oldest one (a sample every minute from it to lastSeconds); default: a day before lastSeconds. */
  readonly firstSeconds?: number;
  readonly unit?: string;
  /** Each minute's sample (bytes for a counter, Bytes/Second for a rate). */
  readonly value?: number;
}

/** Every instance launched long before any window the tests read. */
const LAUNCH_TIME = new Date('2020-01-01T00:00:00Z');
const DAY_SECONDS = 86_400;

/** A GetMetricData statistic of the minute samples of one series inside [t, t + period). */
function aggregate(s: AccountSeries, stat: string, t: number, periodSeconds: number): number | null {
  if (s.lastSeconds === null) return null;
  const first = s.firstSeconds ?? s.lastSeconds - DAY_SECONDS;
  let n = 0;
  for (let m = Math.ceil(t / 60) * 60; m < t + periodSeconds; m += 60) if (m >= first && m <= s.lastSeconds) n++;
  if (n === 0) return null;
  const v = s.value ?? 1;
  return stat === 'Sum' ? n * v : stat === 'SampleCount' ? n : v;
}

export interface Account {
  readonly instances: readonly AccountInstance[];
  readonly series: readonly AccountSeries[];
}

const PAGE = 500;

export function mockDoctorAccount(account: Account) {
  const cw = mockClient(CloudWatchClient);
  const ec2 = mockClient(EC2Client);
  ec2.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
    const matches = account.instances.filter((i) =>
      (input.Filters ?? []).every((f) => {
        if (f.Name === 'tag-key') return (f.Values ?? []).some((v) => v in i.tags);
        if (f.Name?.startsWith('tag:')) return (f.Values ?? []).includes(i.tags[f.Name.slice(4)] ?? '\u0000');
        return true;
      }),
    );
    return {
      Reservations: matches.map((i) => ({
        Instances: [
          {
            InstanceId: i.instanceId,
            PrivateDnsName: i.nodeName,
            State: { Name: 'running' },
            LaunchTime: LAUNCH_TIME,
            Monitoring: { State: i.monitoring },
            NetworkInterfaces: Array.from({ length: i.enis }, (_, k) => ({ NetworkInterfaceId: `eni-${k}` })),
            Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
          },
        ],
      })),
    };
  });
  cw.on(ListMetricsCommand).callsFake((input: ListMetricsCommandInput) => {
    const matches = account.series.filter(
      (s) =>
        s.namespace === input.Namespace &&
        s.metricName === input.MetricName &&
        (input.Dimensions ?? []).every((f) => f.Name! in s.dimensions && (f.Value === undefined || s.dimensions[f.Name!] === f.Value)),
    );
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const page = matches.slice(offset, offset + PAGE);
    return {
      Metrics: page.map((s) => ({ Namespace: s.namespace, MetricName: s.metricName, Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })) })),
      ...(offset + PAGE < matches.length ? { NextToken: String(offset + PAGE) } : {}),
    };
  });
  const key = (namespace: string | undefined, metricName: string | undefined, dims: Readonly<Record<string, string>>) =>
    `${namespace}|${metricName}|${Object.keys(dims).sort().map((k) => `${k}=${dims[k]}`).join(',')}`;
  const byKey = new Map(account.series.map((s) => [key(s.namespace, s.metricName, s.dimensions), s]));
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const start = input.StartTime!.getTime() / 1000;
    const end = input.EndTime!.getTime() / 1000;
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const m = q.MetricStat!.Metric!;
        const dims = Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name!, d.Value!]));
        const s = byKey.get(key(m.Namespace, m.MetricName, dims));
        const unitOk = q.MetricStat!.Unit === undefined || q.MetricStat!.Unit === (s?.unit ?? 'None');
        const period = q.MetricStat!.Period!;
        const timestamps: Date[] = [];
        const values: number[] = [];
        for (let t = start; s && unitOk && t < end; t += period) {
          const v = aggregate(s, q.MetricStat!.Stat!, t, period);
          if (v === null) continue;
          timestamps.push(new Date(t * 1000));
          values.push(v);
        }
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: timestamps, Values: values };
      }),
    };
  });
  return { cw, ec2, restore: () => { cw.restore(); ec2.restore(); } };
}
