/**
 * `netrecon doctor` on an account whose agent namespace lists more series than a call can take as arguments: the
 * listing was once appended with push(...page), which overflows the stack above about 120,000 elements.
 */
import { ListMetricsCommand, type ListMetricsCommandInput } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { main } from '../../lambda/cli/main';
import { mockDoctorAccount } from '../helpers/doctor-account';
import { liveClock } from '../helpers/live-clock';

const NOW = 1_780_000_200;
const CLUSTER = 'prod';
const NODE = 'i-00000000000000001';
const OTHER_SERIES = 200_000;

describe('netrecon doctor over 200,000 agent series', () => {
  let mocked: ReturnType<typeof mockDoctorAccount>;
  liveClock(NOW, () => {
    const dims = { ClusterName: CLUSTER, InstanceId: NODE, NodeName: 'ip-10-0-0-1.eu-west-1.compute.internal' };
    mocked = mockDoctorAccount({
      instances: [{ instanceId: NODE, nodeName: dims.NodeName, tags: { 'eks:cluster-name': CLUSTER, [`kubernetes.io/cluster/${CLUSTER}`]: 'owned' }, monitoring: 'disabled', enis: 1 }],
      series: [
        { namespace: 'ContainerInsights', metricName: 'node_network_total_bytes', dimensions: dims, lastSeconds: NOW - 120, unit: 'Bytes/Second', value: 5e6 },
        { namespace: 'ContainerInsights', metricName: 'node_number_of_running_pods', dimensions: dims, lastSeconds: NOW - 120, unit: 'Count', value: 3 },
      ],
    });
    // Other clusters' nodes in the same account, all in one page (CloudWatch pages by 500; one page keeps the test fast).
    mocked.cw.on(ListMetricsCommand, { Namespace: 'CWAgent' }).callsFake((input: ListMetricsCommandInput) => ({
      Metrics: Array.from({ length: OTHER_SERIES }, (_, k) => ({
        Namespace: 'CWAgent',
        MetricName: input.MetricName,
        Dimensions: [{ Name: 'InstanceId', Value: `i-${(k + 2).toString(16).padStart(17, '0')}` }, { Name: 'interface', Value: 'eth0' }],
      })),
    }));
  }, () => mocked.restore());

  it('lists them all and reports, without a stack overflow', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['doctor', '--cluster', CLUSTER, '--region', 'eu-west-1', '--format', 'json'], { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
    expect(err.join('')).not.toMatch(/Maximum call stack/);
    // A report, ready or not (the account has no datapoints for doctor's last-hour reconcile): not an error.
    expect([0, 2]).toContain(code);
    expect(err.join('')).toContain(`listed 1 Container Insights and ${(2 * OTHER_SERIES).toLocaleString('en-US')} agent series`);
    expect(JSON.parse(out.join('')).nodes.count).toBe(1);
  }, 60_000);
});
