/**
 * A small hand-built account for `netrecon doctor`'s SDK-level tests, behind aws-sdk-client-mock: instances with
 * their tags, monitoring and ENIs (DescribeInstances with tag filters), and series with their dimensions, unit and
 * newest datapoint (ListMetrics with dimension filters and pages; GetMetricData honouring a query's Unit, as
 * CloudWatch does: a unit that does not match the stored one returns no data).
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
  readonly unit?: string;
  readonly value?: number;
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
        const has = s && unitOk && s.lastSeconds !== null && s.lastSeconds >= start && s.lastSeconds < end;
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: has ? [new Date(Math.floor(s.lastSeconds! / 60) * 60_000)] : [], Values: has ? [s.value ?? 1] : [] };
      }),
    };
  });
  return { cw, ec2, restore: () => { cw.restore(); ec2.restore(); } };
}
