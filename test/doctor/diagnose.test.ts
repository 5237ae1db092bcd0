/**
 * Every doctor check, passing and not, on hand-built observations (test/doctor/observations.ts): a ready cluster
 * changed one thing at a time.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../lambda/doctor/diagnose';
import { CHECK_CODES, type Check, type CheckCode, type DoctorObservations } from '../../lambda/doctor/model';
import { lastHourOf, READY_HOUR } from './last-hour';
import { agentSeries, ciSeries, CLUSTER, freshProbe, id, instance, NOW, readyCluster, SETTINGS, veth } from './observations';

const checkOf = (obs: DoctorObservations, code: CheckCode): Check => {
  const c = diagnose(obs).checks.find((x) => x.code === code);
  if (!c) throw new Error(`no ${code} check`);
  return c;
};

describe('a ready cluster', () => {
  it('passes every check, in the contract order, and is ready', () => {
    const report = diagnose(readyCluster(), lastHourOf(READY_HOUR, 'full'));
    expect(report.checks.map((c) => c.code)).toEqual([...CHECK_CODES]);
    expect(report.checks.filter((c) => c.severity !== 'pass')).toEqual([]);
    expect(report).toMatchObject({ cluster: CLUSTER, region: 'eu-west-1', ready: true, recommendedProfile: 'full', nodes: { count: 2, tag: 'eks:cluster-name' } });
  });
});

describe('nodes-found and nodes-other-tag', () => {
  it('no node: nodes-found fails, and the agent and source checks are not run', () => {
    const report = diagnose(readyCluster({ nodes: [], containerInsightsSeries: [], agentSeries: [] }));
    expect(report.ready).toBe(false);
    expect(report.checks.map((c) => [c.code, c.severity])).toEqual([
      ['nodes-found', 'fail'],
      ['nodes-other-tag', 'pass'],
    ]);
  });

  it('instances tagged only kubernetes.io/cluster/NAME: fail, with the tag-key filter every instance matches', () => {
    const c = checkOf(readyCluster({ otherConvention: [instance(3, { eksTag: false })] }), 'nodes-other-tag');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(3)], fix: { cdkFlags: '-c nodeFilter=tag-key:kubernetes.io/cluster/{cluster}' } });
  });

  it('nodes found by tag-key whose others carry only eks:cluster-name: the default filter, which all of them match', () => {
    const obs = readyCluster({ settings: { ...SETTINGS, nodeFilter: 'tag-key:kubernetes.io/cluster/{cluster}' }, otherConvention: [instance(3, { k8sTag: false })] });
    expect(checkOf(obs, 'nodes-other-tag')).toMatchObject({ severity: 'fail', fix: { cdkFlags: '-c nodeFilter=tag:eks:cluster-name' } });
  });

  it('no tag on every instance: the fix tags the ones without kubernetes.io/cluster/NAME', () => {
    const obs = readyCluster({ nodes: [instance(1, { k8sTag: false }), instance(2)], otherConvention: [instance(3, { eksTag: false })] });
    const c = checkOf(obs, 'nodes-other-tag');
    expect(c.severity).toBe('fail');
    expect(c.fix?.command).toBe(`aws ec2 create-tags --resources ${id(1)} --tags Key=kubernetes.io/cluster/prod,Value=owned`);
  });
});

describe('ec2-monitoring', () => {
  it('basic everywhere at P = 300: pass; detailed everywhere: pass', () => {
    expect(checkOf(readyCluster(), 'ec2-monitoring').severity).toBe('pass');
    expect(checkOf(readyCluster({ nodes: [instance(1, { monitoring: 'enabled' }), instance(2, { monitoring: 'enabled' })] }), 'ec2-monitoring').severity).toBe('pass');
  });

  it('some nodes basic, some detailed: warn, naming the basic ones', () => {
    const c = checkOf(readyCluster({ nodes: [instance(1, { monitoring: 'enabled' }), instance(2)] }), 'ec2-monitoring');
    expect(c).toMatchObject({ severity: 'warn', instanceIds: [id(2)] });
  });

  it('basic monitoring with a 60 s period: fail', () => {
    const c = checkOf(readyCluster({ settings: { ...SETTINGS, periodSeconds: 60 } }), 'ec2-monitoring');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(1), id(2)], fix: { cdkFlags: '-c periodSeconds=300' } });
  });
});

describe('Container Insights', () => {
  it('a node without the series: container-insights-missing fails', () => {
    const c = checkOf(readyCluster({ containerInsightsSeries: [ciSeries(1)] }), 'container-insights-missing');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(2)] });
    expect(c.fix?.text).toContain('amazon-cloudwatch-observability');
  });

  it('a series under another NodeName: missing, and the summary shows the dimension set found', () => {
    const c = checkOf(readyCluster({ containerInsightsSeries: [ciSeries(1), ciSeries(2, { NodeName: 'custom-name' })] }), 'container-insights-missing');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(2)] });
    expect(c.summary).toContain('NodeName=custom-name');
  });

  it('stale: a datapoint 15 minutes old is fresh, one second older is not, none is not', () => {
    const at = (last: number | null) => readyCluster({ probes: new Map([[id(1), freshProbe({ containerInsightsLastSeconds: last })], [id(2), freshProbe()]]) });
    expect(checkOf(at(NOW - 900), 'container-insights-stale').severity).toBe('pass');
    expect(checkOf(at(NOW - 901), 'container-insights-stale')).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
    expect(checkOf(at(null), 'container-insights-stale')).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
  });
});

describe('agent-missing', () => {
  const noAgent = (over: Partial<DoctorObservations> = {}) => readyCluster({ agentSeries: agentSeries(1, ['eth0', 'eth1', 'lo', veth(1)]), ...over });

  it('a node without agent series under the recommended mixed profile: warn, with the agent-config command', () => {
    const report = diagnose(noAgent());
    expect(report.recommendedProfile).toBe('mixed');
    expect(report.checks.find((c) => c.code === 'agent-missing')).toMatchObject({
      severity: 'warn',
      instanceIds: [id(2)],
      fix: { command: 'netrecon agent-config --source-profile enis --for addon' },
    });
    expect(report.ready).toBe(true);
  });

  it('judged against enis or full, which require the agent: fail', () => {
    const c = checkOf(noAgent({ settings: { ...SETTINGS, intendedProfile: 'full' } }), 'agent-missing');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(2)], fix: { command: 'netrecon agent-config --source-profile full --for addon' } });
  });

  it('no Container Insights anywhere: the agent fix is for an agent on the instance', () => {
    expect(checkOf(noAgent({ containerInsightsSeries: [] }), 'agent-missing').fix?.command).toBe('netrecon agent-config --source-profile enis --for ec2');
  });

  it('the JSON fix carries the configuration its command prints, in the form its --for names', () => {
    const addon = checkOf(noAgent(), 'agent-missing').fix?.agentConfig as { agent?: { config?: { metrics?: { append_dimensions?: unknown; metrics_collected?: { net?: { resources?: string[] } } } } } };
    expect(addon.agent?.config?.metrics?.append_dimensions).toEqual({ InstanceId: '${aws:InstanceId}' });
    expect(addon.agent?.config?.metrics?.metrics_collected?.net?.resources).not.toContain('*');
    const onInstance = checkOf(noAgent({ containerInsightsSeries: [] }), 'agent-missing').fix?.agentConfig as { agent?: { config?: unknown }; metrics?: { append_dimensions?: unknown } };
    expect(onInstance.agent?.config).toBeUndefined();
    expect(onInstance.metrics?.append_dimensions).toEqual({ InstanceId: '${aws:InstanceId}' });
  });
});

describe('agent-no-instance-id', () => {
  const hostOnly = [
    { metricName: 'net_bytes_recv', dimensions: { host: 'ip-10-0-0-2', interface: 'eth0' } },
    { metricName: 'net_bytes_sent', dimensions: { host: 'ip-10-0-0-2.eu-west-1.compute.internal', interface: 'eth0' } },
  ];
  it('series with host but no InstanceId, host = a node\'s DNS name (short or long), under a profile requiring the agent: fail for that node', () => {
    for (const intendedProfile of ['enis', 'full'] as const) {
      const c = checkOf(readyCluster({ agentSeries: [...agentSeries(1, ['eth0']), ...hostOnly], settings: { ...SETTINGS, intendedProfile } }), 'agent-no-instance-id');
      expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(2)] });
      expect(c.summary).toContain(`the ${intendedProfile} profile requires the agent, so these nodes would be missingAgent`);
      expect(c.fix?.text).toContain('"append_dimensions": {"InstanceId": "${aws:InstanceId}"}');
    }
  });

  it('the same under mixed: warn, the node is reconciled from EC2 (a reconcile of it is ok)', () => {
    const c = checkOf(readyCluster({ agentSeries: [...agentSeries(1, ['eth0']), ...hostOnly], settings: { ...SETTINGS, intendedProfile: 'mixed' } }), 'agent-no-instance-id');
    expect(c).toMatchObject({ severity: 'warn', instanceIds: [id(2)] });
    expect(c.summary).toContain('under the mixed profile they are reconciled from EC2');
  });

  it('series without InstanceId tied to no node, while a node has no agent series: warn', () => {
    const loose = [{ metricName: 'net_bytes_recv', dimensions: { interface: 'eth0' } }];
    const c = checkOf(readyCluster({ agentSeries: [...agentSeries(1, ['eth0']), ...loose] }), 'agent-no-instance-id');
    expect(c).toMatchObject({ severity: 'warn', instanceIds: [] });
  });

  it('the same loose series when every node has agent series: pass (another cluster\'s)', () => {
    const loose = [{ metricName: 'net_bytes_recv', dimensions: { interface: 'eth0' } }];
    expect(checkOf(readyCluster({ agentSeries: [...readyCluster().agentSeries, ...loose] }), 'agent-no-instance-id').severity).toBe('pass');
  });
});

describe('agent-extra-dimensions', () => {
  it('a host dimension: warn', () => {
    const c = checkOf(readyCluster({ agentSeries: [...agentSeries(1, ['eth0', 'lo', veth(1)], { host: 'ip-10-0-0-1' }), ...agentSeries(2, ['eth0', 'lo', veth(2)])] }), 'agent-extra-dimensions');
    expect(c).toMatchObject({ severity: 'warn', instanceIds: [id(1)] });
    expect(c.summary).toContain('(host)');
  });

  it('the same interface under two dimension sets: fail where the agent is read (netrecon would skip one on every run), warn under agentless', () => {
    const both = [...agentSeries(1, ['eth0', 'lo']), ...agentSeries(1, ['eth0'], { ImageId: 'ami-1' }), ...agentSeries(2, ['eth0', 'lo'])];
    const c = checkOf(readyCluster({ agentSeries: both, settings: { ...SETTINGS, intendedProfile: 'mixed' } }), 'agent-extra-dimensions');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
    expect(c.summary).toContain('e.g. eth0; extra dimensions: ImageId');
    // Both agents are a pod's eth0 and lo: the recommendation, agentless, reads no agent at all.
    expect(diagnose(readyCluster({ agentSeries: both })).recommendedProfile).toBe('agentless');
    expect(checkOf(readyCluster({ agentSeries: both }), 'agent-extra-dimensions').severity).toBe('warn');
  });
});

describe('agent-pod-netns', () => {
  const only = (interfaces: string[], over: { pods?: number | null; enis?: number } = {}) =>
    readyCluster({
      nodes: [instance(1, { eniCount: over.enis ?? 2 }), instance(2)],
      agentSeries: [...agentSeries(1, interfaces), ...readyCluster().agentSeries.filter((s) => s.dimensions.InstanceId === id(2))],
      probes: new Map([[id(1), freshProbe({ runningPods: over.pods === undefined ? 12 : over.pods })], [id(2), freshProbe()]]),
    });

  it('eth0 and lo only on a node running pods: fail', () => {
    expect(checkOf(only(['eth0', 'lo'], { enis: 1 }), 'agent-pod-netns')).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
  });

  it('eth0 only on a node with two ENIs running pods: fail (an ENI-only agent would see eth1)', () => {
    expect(checkOf(only(['eth0'], { enis: 2 }), 'agent-pod-netns')).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
  });

  it('eth0 only on a one-ENI node running pods: warn (an ENI-only agent on the host looks the same)', () => {
    expect(checkOf(only(['eth0'], { enis: 1 }), 'agent-pod-netns')).toMatchObject({ severity: 'warn', instanceIds: [id(1)] });
  });

  it('eth0 and lo on a node without pods, or with the pod count unknown: pass', () => {
    expect(checkOf(only(['eth0', 'lo'], { pods: 0 }), 'agent-pod-netns').severity).toBe('pass');
    expect(checkOf(only(['eth0', 'lo'], { pods: null }), 'agent-pod-netns').severity).toBe('pass');
  });
});

describe('agent-stale and agent-units', () => {
  const probed = (p: Parameters<typeof freshProbe>[0]) => readyCluster({ probes: new Map([[id(1), freshProbe(p)], [id(2), freshProbe()]]) });

  it('no agent datapoint in the last 15 minutes: agent-stale fails', () => {
    expect(checkOf(probed({ agentLastSeconds: null }), 'agent-stale')).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
    expect(checkOf(probed({ agentLastSeconds: NOW - 901 }), 'agent-stale')).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
    expect(checkOf(probed({ agentLastSeconds: NOW - 900 }), 'agent-stale').severity).toBe('pass');
  });

  it('data only when asked without a unit: agent-units fails; a stale series is not also called a unit problem', () => {
    expect(checkOf(probed({ agentBytesUnit: false }), 'agent-units')).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
    expect(checkOf(probed({ agentBytesUnit: false, agentLastSeconds: null }), 'agent-units').severity).toBe('pass');
  });
});

describe('agent-unclassified-interfaces', () => {
  it('a name no rule classifies: warn, with a rule to add', () => {
    const c = checkOf(readyCluster({ agentSeries: [...readyCluster().agentSeries, ...agentSeries(2, ['wg0'])] }), 'agent-unclassified-interfaces');
    expect(c).toMatchObject({ severity: 'warn', instanceIds: [id(2)] });
    expect(c.summary).toContain('"wg0"');
    expect(c.fix?.cdkFlags).toContain('"pattern":"^wg0$"');
  });
});

describe('the recommended profile', () => {
  const withAgents = (a: string[], b: string[]) => readyCluster({ agentSeries: [...agentSeries(1, a), ...agentSeries(2, b)] });

  it('every node\'s agent on every interface: full; on the ENIs only: enis; one of each: mixed', () => {
    expect(diagnose(withAgents(['eth0', 'lo', veth(1)], ['eth0', 'lo', veth(2)])).recommendedProfile).toBe('full');
    expect(diagnose(withAgents(['eth0', 'eth1'], ['eth0', 'eth1'])).recommendedProfile).toBe('enis');
    expect(diagnose(withAgents(['eth0', 'eth1'], ['eth0', 'lo', veth(2)])).recommendedProfile).toBe('mixed');
  });

  it('no agent anywhere: agentless, and the missing agent is only a warning', () => {
    const report = diagnose(readyCluster({ agentSeries: [] }));
    expect(report.recommendedProfile).toBe('agentless');
    expect(report.ready).toBe(true);
    expect(report.checks.find((c) => c.code === 'agent-missing')?.severity).toBe('warn');
  });

  it('a broken agent does not count: one node stale and the other fine gives mixed', () => {
    const report = diagnose(readyCluster({ probes: new Map([[id(1), freshProbe({ agentLastSeconds: null })], [id(2), freshProbe()]]) }));
    expect(report.recommendedProfile).toBe('mixed');
    expect(report.ready).toBe(false);
  });
});
