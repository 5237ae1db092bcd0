import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { discoverAgentSeries } from '../../lambda/aws/discovery';
import { DEFAULT_SOURCE_SETTINGS } from '../../lambda/plan/sources';
import { NOW_SECONDS, testRuntime } from './helpers';

const cw = mockClient(CloudWatchClient);
beforeEach(() => cw.reset());

const metric = (MetricName: string, instance: string, iface: string, extra: Record<string, string> = {}) => ({
  Namespace: 'CWAgent',
  MetricName,
  Dimensions: [{ Name: 'InstanceId', Value: instance }, { Name: 'interface', Value: iface }, ...Object.entries(extra).map(([Name, Value]) => ({ Name, Value }))],
});

describe('agent series discovery', () => {
  it('follows NextToken, keeps the cluster\'s instances only and drops repeated listings', async () => {
    cw.on(ListMetricsCommand, { MetricName: 'net_bytes_recv' })
      .resolvesOnce({ Metrics: [metric('net_bytes_recv', 'i-1', 'eth0'), metric('net_bytes_recv', 'i-1', 'eth0'), metric('net_bytes_recv', 'i-other', 'eth0')], NextToken: 'p2' })
      .resolvesOnce({ Metrics: [metric('net_bytes_recv', 'i-1', 'eni0123456789a', { host: 'ip-1' }), metric('net_bytes_recv', 'i-1', 'eth0')] });
    cw.on(ListMetricsCommand, { MetricName: 'net_bytes_sent' }).resolves({ Metrics: [metric('net_bytes_sent', 'i-1', 'eth0')] });
    const result = await discoverAgentSeries(testRuntime(), {
      settings: DEFAULT_SOURCE_SETTINGS,
      instanceIds: new Set(['i-1']),
      windowStartSeconds: NOW_SECONDS - 4200,
      nowSeconds: NOW_SECONDS,
    });
    expect(result.listed).toBe(6);
    expect(result.duplicates).toBe(2);
    expect(result.byInstance.get('i-1')).toEqual({ rx: ['eth0', { InstanceId: 'i-1', interface: 'eni0123456789a', host: 'ip-1' }], tx: ['eth0'] });
    expect(result.byInstance.has('i-other')).toBe(false);
    expect(cw).toHaveReceivedCommandWith(ListMetricsCommand, { MetricName: 'net_bytes_recv', NextToken: 'p2', RecentlyActive: 'PT3H', Dimensions: [{ Name: 'InstanceId' }, { Name: 'interface' }] });
  });

  it('lists without RecentlyActive when the window starts more than three hours ago', async () => {
    cw.on(ListMetricsCommand).resolves({ Metrics: [] });
    await discoverAgentSeries(testRuntime(), { settings: DEFAULT_SOURCE_SETTINGS, instanceIds: new Set(), windowStartSeconds: NOW_SECONDS - 86_400, nowSeconds: NOW_SECONDS });
    const inputs = cw.commandCalls(ListMetricsCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    for (const input of inputs) expect(input.RecentlyActive).toBeUndefined();
  });

  it('keeps dimension names and values such as __proto__ as data (any node role can publish them)', async () => {
    cw.on(ListMetricsCommand, { MetricName: 'net_bytes_recv' }).resolves({
      Metrics: [metric('net_bytes_recv', 'i-1', '__proto__'), metric('net_bytes_recv', 'i-1', 'eth0', JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, string>)],
    });
    cw.on(ListMetricsCommand, { MetricName: 'net_bytes_sent' }).resolves({ Metrics: [] });
    const result = await discoverAgentSeries(testRuntime(), { settings: DEFAULT_SOURCE_SETTINGS, instanceIds: new Set(['i-1']), windowStartSeconds: NOW_SECONDS - 4200, nowSeconds: NOW_SECONDS });
    const [plain, extra] = result.byInstance.get('i-1')!.rx;
    expect(plain).toBe('__proto__');
    // The extra dimensions are part of the series' identity: dropping one would query a series that does not exist.
    expect(typeof extra).toBe('object');
    expect(Object.entries(extra as object).sort()).toEqual([['InstanceId', 'i-1'], ['__proto__', 'x'], ['constructor', 'y'], ['interface', 'eth0']]);
  });
});
