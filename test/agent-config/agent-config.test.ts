/**
 * `netrecon agent-config`: parse what it prints, derive from it the series the agent would publish on a VPC CNI
 * node (agent-model.ts), and check they are exactly what discovery lists and the planner reads: the namespace and
 * metric names of the source settings, dimensions InstanceId and interface and nothing else.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AGENT_CONFIG_PROFILES, AGENT_CONFIG_TARGETS, ENI_INTERFACE_GLOBS, type AgentConfigProfile, type AgentConfigTarget } from '../../lambda/agent-config/agent-config';
import { discoverAgentSeries } from '../../lambda/aws/discovery';
import { main } from '../../lambda/cli/main';
import { buildRules, classifyInterface } from '../../lambda/core/interface-rules';
import { nodeProfileOf } from '../../lambda/core/source-profile';
import { agentSeriesOf, DEFAULT_SOURCE_SETTINGS } from '../../lambda/plan/sources';
import { NOW_SECONDS, testRuntime } from '../aws/helpers';
import { collectedInterfaces, globRegExp, publishedSeries, type HostInterface, type PublishedSeries } from './agent-model';

const S = DEFAULT_SOURCE_SETTINGS;
const INSTANCE = 'i-0123456789abcdef0';
const RULES = buildRules();

/** A VPC CNI node with two ENIs and two pods, a down Docker bridge and loopback. */
const NODE: readonly HostInterface[] = [
  { name: 'lo', loopback: true },
  { name: 'eth0' },
  { name: 'eth1' },
  { name: 'eni3c1ae1f0141' },
  { name: 'eni0a1b2c3d4e5' },
  { name: 'docker0', up: false },
];
/** An AL2023 node: predictable ENI names, a Calico pod. */
const AL2023_NODE: readonly HostInterface[] = [{ name: 'lo', loopback: true }, { name: 'ens5' }, { name: 'ens6' }, { name: 'cali0123abcd' }];

async function printed(profile: AgentConfigProfile, target: AgentConfigTarget | undefined): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const args = ['agent-config', '--source-profile', profile, ...(target ? ['--for', target] : [])];
  const code = await main(args, { stdout: (t) => void out.push(t), stderr: () => undefined });
  expect(code).toBe(0);
  return JSON.parse(out.join('')) as Record<string, unknown>;
}

/** What is wrong with a series for discovery and the planner, in words; empty when nothing is. */
function problems(series: readonly PublishedSeries[]): string[] {
  const wanted = [S.agentInstanceDimension, S.agentInterfaceDimension].sort();
  const out: string[] = [];
  for (const s of series) {
    const names = Object.keys(s.dimensions).sort();
    if (s.namespace !== S.agentNamespace) out.push(`${s.metricName}: namespace ${s.namespace}`);
    if (s.metricName !== S.agentRxMetric && s.metricName !== S.agentTxMetric) out.push(`metric ${s.metricName}`);
    if (names.join() !== wanted.join()) out.push(`${s.metricName} ${s.dimensions.interface}: dimensions ${names.join(', ')}`);
    else if (s.dimensions[S.agentInstanceDimension] !== INSTANCE) out.push(`${s.metricName}: InstanceId ${s.dimensions[S.agentInstanceDimension]}`);
  }
  return out;
}

const classesOf = (names: readonly string[]) => new Set(names.map((n) => classifyInterface(n, RULES).interfaceClass));

describe.each(AGENT_CONFIG_TARGETS)('agent-config --for %s', (target) => {
  it.each(AGENT_CONFIG_PROFILES)('--source-profile %s: every series carries exactly the dimensions discovery reads', async (profile) => {
    const config = await printed(profile, target);
    for (const host of [NODE, AL2023_NODE]) {
      const series = publishedSeries(config, target, INSTANCE, host);
      expect(series.length).toBeGreaterThan(0);
      expect(problems(series)).toEqual([]);
      // Both directions for every interface collected.
      const rx = series.filter((s) => s.metricName === S.agentRxMetric).map((s) => s.dimensions.interface);
      const tx = series.filter((s) => s.metricName === S.agentTxMetric).map((s) => s.dimensions.interface);
      expect(rx).toEqual(tx);
    }
  });

  it('enis collects the ENIs and nothing else, so a mixed cluster reconciles the node as enis', async () => {
    const config = await printed('enis', target);
    const net = (target === 'ec2' ? config : (config.agent as { config: Record<string, unknown> }).config).metrics as { metrics_collected: { net: Record<string, unknown> } };
    expect(collectedInterfaces(net.metrics_collected.net, NODE)).toEqual(['eth0', 'eth1']);
    expect(collectedInterfaces(net.metrics_collected.net, AL2023_NODE)).toEqual(['ens5', 'ens6']);
    expect(nodeProfileOf('mixed', classesOf(['eth0', 'eth1']))).toBe('enis');
  });

  it('full collects every interface that is up but loopback, pod veths included, so the node resolves to full', async () => {
    const config = await printed('full', target);
    const interfaces = [...new Set(publishedSeries(config, target, INSTANCE, NODE).map((s) => s.dimensions.interface!))];
    expect(interfaces).toEqual(['eth0', 'eth1', 'eni3c1ae1f0141', 'eni0a1b2c3d4e5']);
    expect(nodeProfileOf('mixed', classesOf(interfaces))).toBe('full');
  });
});

describe('the checks above fail on a configuration that discovery would not read', () => {
  it('notices a dropped InstanceId and an added host dimension', async () => {
    const config = await printed('enis', 'ec2');
    const metrics = config.metrics as Record<string, unknown>;
    const withoutInstance = { ...config, metrics: { ...metrics, append_dimensions: {} } };
    expect(problems(publishedSeries(withoutInstance, 'ec2', INSTANCE, NODE))).toContain('net_bytes_recv eth0: dimensions interface');
    const withHost = { agent: { metrics_collection_interval: 60 }, metrics: { ...metrics, append_dimensions: { InstanceId: '${aws:InstanceId}' } } };
    expect(problems(publishedSeries(withHost, 'ec2', INSTANCE, NODE))).toContain('net_bytes_recv eth0: dimensions InstanceId, host, interface');
  });
});

describe('the add-on form', () => {
  it('is the agent JSON under agent.config, keeping the add-on\'s Container Insights and Application Signals', async () => {
    const config = await printed('enis', 'addon');
    expect(Object.keys(config)).toEqual(['agent']);
    expect(Object.keys(config.agent as object)).toEqual(['config']);
    const agent = (config.agent as { config: Record<string, unknown> }).config;
    // agent.config replaces the add-on's default; without this section Container Insights, one of netrecon's sources, stops.
    expect(agent.logs).toEqual({ metrics_collected: { application_signals: {}, kubernetes: { enhanced_container_insights: true } } });
    expect(agent.traces).toEqual({ traces_collected: { application_signals: {} } });
    // No agent section: the chart would replace one without a region, dropping whatever it held.
    expect(agent.agent).toBeUndefined();
  });

  it('holds the same metrics section as the instance form', async () => {
    for (const profile of AGENT_CONFIG_PROFILES) {
      const addon = (await printed(profile, 'addon')).agent as { config: Record<string, unknown> };
      expect(addon.config.metrics).toEqual((await printed(profile, 'ec2')).metrics);
    }
  });
});

describe('the ENI globs and the interface rules', () => {
  const physical = ['eth0', 'eth1', 'eth15', 'ens5', 'ens6', 'eno1', 'enp39s0', 'enp0s3'];
  // One name per default rule that is not an ENI, the pod veths first.
  const others = [
    'eni3c1ae1f0141', 'vlan0123456789a', 'cali1234abcd', 'lxc12ab34cd', 'vethwepl1234', 'veth1234abcd', 'lo', 'lxc_health',
    'vlan.eth.1', 'vethwe-bridge', 'vxlan.calico', 'tunl0', 'flannel.1', 'cilium_vxlan', 'weave', 'datapath', 'cni0',
    'docker0', 'cbr0', 'cilium_host', 'kube-ipvs0', 'nodelocaldns',
  ];
  const matched = (name: string) => ENI_INTERFACE_GLOBS.some((g) => globRegExp(g).test(name));

  it('match every ENI name the rules classify physical', () => {
    for (const name of physical) {
      expect(classifyInterface(name, RULES).interfaceClass, name).toBe('physical');
      expect(matched(name), name).toBe(true);
    }
  });

  it('match no name the rules classify otherwise', () => {
    for (const name of others) {
      expect(classifyInterface(name, RULES).interfaceClass, name).not.toBe('physical');
      expect(matched(name), name).toBe(false);
    }
  });
});

describe('discovery lists what the printed configuration publishes', () => {
  const cw = mockClient(CloudWatchClient);
  beforeEach(() => cw.reset());

  it.each(AGENT_CONFIG_TARGETS)('--for %s: every series in the compact form (exactly instance + interface), and the planner reads each', async (target) => {
    const series = publishedSeries(await printed('full', target), target, INSTANCE, NODE);
    const listing = (metricName: string) => ({
      Metrics: series
        .filter((s) => s.metricName === metricName)
        .map((s) => ({ Namespace: s.namespace, MetricName: s.metricName, Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })) })),
    });
    cw.on(ListMetricsCommand, { Namespace: S.agentNamespace, MetricName: S.agentRxMetric }).resolves(listing(S.agentRxMetric));
    cw.on(ListMetricsCommand, { Namespace: S.agentNamespace, MetricName: S.agentTxMetric }).resolves(listing(S.agentTxMetric));
    const result = await discoverAgentSeries(testRuntime(), { settings: S, instanceIds: new Set([INSTANCE]), windowStartSeconds: NOW_SECONDS - 3600, nowSeconds: NOW_SECONDS });
    const interfaces = ['eth0', 'eth1', 'eni3c1ae1f0141', 'eni0a1b2c3d4e5'];
    // A plain string is discovery's form for a series whose dimensions are exactly the instance and the interface.
    expect(result.byInstance.get(INSTANCE)).toEqual({ rx: interfaces, tx: interfaces });
    for (const s of series) expect(agentSeriesOf('rx', s.dimensions, S, 300)?.interfaceName).toBe(s.dimensions.interface);
  });
});
