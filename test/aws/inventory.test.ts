import 'aws-sdk-client-mock-vitest/extend';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { endTimeFromTransitionReason, listClusterNodes, parseNodeFilter } from '../../lambda/aws/inventory';
import { testRuntime } from './helpers';

const ec2 = mockClient(EC2Client);
beforeEach(() => ec2.reset());

const window = { windowStartSeconds: Date.parse('2026-03-01T10:00:00Z') / 1000, windowEndSeconds: Date.parse('2026-03-01T11:00:00Z') / 1000 };
const instance = (id: string, extra: object = {}): Instance => ({ InstanceId: id, PrivateDnsName: `ip-${id}.internal`, InstanceType: 'm6i.large', LaunchTime: new Date('2026-02-01T00:00:00Z'), State: { Name: 'running' }, ...extra }) as Instance;

describe('node inventory', () => {
  it('follows NextToken and filters by the cluster tag', async () => {
    ec2.on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [instance('i-b')] }], NextToken: 't2' })
      .resolvesOnce({ Reservations: [{ Instances: [instance('i-a')] }] });
    const { nodes } = await listClusterNodes(testRuntime(), { cluster: 'prod', filter: parseNodeFilter('tag:eks:cluster-name'), ...window });
    expect(nodes.map((n) => n.instanceId)).toEqual(['i-a', 'i-b']);
    expect(nodes[0]).toEqual({ instanceId: 'i-a', nodeName: 'ip-i-a.internal', instanceType: 'm6i.large', launchTime: '2026-02-01T00:00:00.000Z', state: 'running' });
    expect(ec2).toHaveReceivedNthCommandWith(DescribeInstancesCommand, 1, { Filters: [{ Name: 'tag:eks:cluster-name', Values: ['prod'] }], MaxResults: 1000 });
    expect(ec2).toHaveReceivedNthCommandWith(DescribeInstancesCommand, 2, { NextToken: 't2' });
  });

  it('uses the tag-key filter with the cluster name in the key', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    await listClusterNodes(testRuntime(), { cluster: 'prod', filter: parseNodeFilter('tag-key:kubernetes.io/cluster/{cluster}'), ...window });
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/prod'] }] });
    expect(() => parseNodeFilter('cluster=prod')).toThrow(/node filter "cluster=prod" is not understood/);
  });

  it('keeps nodes that ran at any time in the window, with their end time, and reports the unplaceable', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance('i-left', { State: { Name: 'terminated' }, StateTransitionReason: 'User initiated (2026-03-01 10:20:00 GMT)' }),
            instance('i-gone', { State: { Name: 'terminated' }, StateTransitionReason: 'User initiated (2026-03-01 09:00:00 GMT)' }),
            instance('i-late', { LaunchTime: new Date('2026-03-01T11:30:00Z') }),
            instance('i-joined', { LaunchTime: new Date('2026-03-01T10:40:00Z') }),
            instance('i-stopped', { State: { Name: 'stopped' }, StateTransitionReason: '' }),
          ],
        },
      ],
    });
    const { nodes, skipped } = await listClusterNodes(testRuntime(), { cluster: 'prod', filter: parseNodeFilter('tag:eks:cluster-name'), ...window });
    expect(nodes.map((n) => [n.instanceId, n.endTime])).toEqual([['i-joined', undefined], ['i-left', '2026-03-01T10:20:00.000Z']]);
    expect(skipped).toEqual([{ kind: 'node', ref: 'i-stopped', reason: 'it is stopped and EC2 does not say since when (StateTransitionReason "")' }]);
    expect(endTimeFromTransitionReason('Server.ScheduledStop')).toBeUndefined();
  });
});
