/**
 * Issue 18, item 4: doctor's last-hour checks on reports the core itself reconciled (last-hour.ts): ready means a
 * reconcile of the last hour is ok, and each status that is not becomes a failed check with its fix.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../lambda/doctor/diagnose';
import type { Check, CheckCode, DoctorObservations, DoctorReport } from '../../lambda/doctor/model';
import type { ReconcileReport } from '../../lambda/core/model';
import { lastHourOf, READY_HOUR, type HourNode } from './last-hour';
import { agentSeries, freshProbe, id, instance, readyCluster, SETTINGS, veth } from './observations';

const checkOf = (report: DoctorReport, code: CheckCode): Check => {
  const c = report.checks.find((x) => x.code === code);
  if (!c) throw new Error(`no ${code} check`);
  return c;
};

/** The claim under test, on every case below: ready exactly when the reconcile of the last hour is ok. */
function expectReadyIffOk(report: DoctorReport, hour: ReconcileReport): void {
  const ok = hour.nodePeriods.every((np) => np.status === 'ok') && hour.skipped.length === 0;
  expect(report.ready).toBe(ok);
  expect(report.lastHour?.ok).toBe(ok);
}

describe('the last hour reconciled ok', () => {
  it('ready; the three checks pass and say what they compared', () => {
    const hour = lastHourOf(READY_HOUR, 'full');
    const report = diagnose(readyCluster(), hour);
    expectReadyIffOk(report, hour);
    expect(checkOf(report, 'reconcile-ec2-mismatch')).toMatchObject({ severity: 'pass', summary: expect.stringContaining('(24)') });
    expect(checkOf(report, 'reconcile-residual').severity).toBe('pass');
    expect(checkOf(report, 'reconcile-incomplete').summary).toContain('all 24 node-periods');
    expect(report.lastHour).toMatchObject({ sourceProfile: 'full', nodePeriods: 24, ok: true });
  });
});

describe('reconcile-ec2-mismatch', () => {
  // The case: one-ENI nodes whose agent sees eth0 alone (no lo), 2e5 bytes a minute where EC2 counts 6e6.
  const podEth0 = (over: Partial<DoctorObservations> = {}) =>
    readyCluster({ nodes: [instance(1, { eniCount: 1 }), instance(2, { eniCount: 1 })], agentSeries: [...agentSeries(1, ['eth0']), ...agentSeries(2, ['eth0'])], ...over });
  const podEth0Hour = (profile: 'enis' | 'mixed') => lastHourOf([1, 2].map((n) => ({ n, agent: { eth0: 2e5 }, ec2BytesPerMinute: 6e6 })), profile);

  it("a pod's eth0 taken for the node's: the names warn, the magnitudes fail, with the host-network fix", () => {
    const hour = podEth0Hour('enis');
    const report = diagnose(podEth0(), hour);
    expect(report.recommendedProfile).toBe('enis');
    expect(checkOf(report, 'agent-pod-netns').severity).toBe('warn');
    const c = checkOf(report, 'reconcile-ec2-mismatch');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(1), id(2)] });
    expect(c.summary).toContain('24 of 24 node-periods of the last hour');
    expect(c.summary).toContain('the ENIs counted 2.000 MB where EC2 counted 60.00 MB, off by 96.7%, more than the 10.0% allowed');
    expect(c.fix?.text).toContain('hostNetwork: true');
    expect(c.fix?.command).toBe('netrecon agent-config --source-profile enis --for addon');
    expect(report.ready).toBe(false);
    expectReadyIffOk(report, hour);
  });

  it('an agent that collects one ENI of two: the fix says so', () => {
    const obs = readyCluster({ agentSeries: [...agentSeries(1, ['eth0', 'lo', veth(1)]), ...readyCluster().agentSeries.filter((s) => s.dimensions.InstanceId === id(2))] });
    const hour = lastHourOf([{ n: 1, agent: { eth0: 1e6, lo: 1e6, eni00000000001: 1e6 }, ec2BytesPerMinute: 3e6 }, READY_HOUR[1]!], 'full');
    const report = diagnose(obs, hour);
    const c = checkOf(report, 'reconcile-ec2-mismatch');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
    expect(c.fix?.text).toContain('collects 1 physical interface(s) of 2 ENIs attached');
    expectReadyIffOk(report, hour);
  });

  it('the agentless profile compares nothing: pass, saying so', () => {
    const hour = lastHourOf(READY_HOUR.map(({ n }) => ({ n, ec2BytesPerMinute: 2e6, containerInsightsBytesPerSecond: 1e5 })), 'agentless');
    const report = diagnose(readyCluster({ settings: { ...SETTINGS, intendedProfile: 'agentless' } }), hour);
    expect(checkOf(report, 'reconcile-ec2-mismatch')).toMatchObject({ severity: 'pass', summary: expect.stringContaining('no node-period of the last hour compares') });
    expectReadyIffOk(report, hour);
  });
});

describe('reconcile-residual', () => {
  it('Container Insights counts pod veths the agent does not collect: fail, with the full agent configuration', () => {
    // The agent collects eth0, eth1 and lo, no veth, while the node runs pods behind veths Container Insights sums.
    const nodes: HourNode[] = [1, 2].map((n) => ({ n, agent: { eth0: 1e6, eth1: 1e6, lo: 1e6 }, containerInsightsBytesPerSecond: 8e6 / 60 }));
    const obs = readyCluster({ agentSeries: [...agentSeries(1, ['eth0', 'eth1', 'lo']), ...agentSeries(2, ['eth0', 'eth1', 'lo'])], probes: new Map([[id(1), freshProbe({ runningPods: 0 })], [id(2), freshProbe({ runningPods: 0 })]]) });
    const hour = lastHourOf(nodes, 'full');
    const report = diagnose(obs, hour);
    const c = checkOf(report, 'reconcile-residual');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(1), id(2)] });
    expect(c.summary).toContain('20.00 MB more in Container Insights, 50.0% of it');
    expect(c.fix?.command).toBe('netrecon agent-config --source-profile full --for addon');
    expect(checkOf(report, 'reconcile-ec2-mismatch').severity).toBe('pass');
    expectReadyIffOk(report, hour);
  });
});

describe('reconcile-incomplete', () => {
  it('Container Insights silent for a quarter of an hour: fail, naming the add-on', () => {
    const silent = new Set(Array.from({ length: 15 }, (_, k) => 30 + k));
    const hour = lastHourOf([{ ...READY_HOUR[0]!, silentMinutes: silent }, READY_HOUR[1]!], 'full');
    const report = diagnose(readyCluster(), hour);
    const c = checkOf(report, 'reconcile-incomplete');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(1)] });
    expect(c.summary).toContain('3 of 24 node-periods of the last hour');
    expect(c.summary).toMatch(/missingEc2 3/);
    expectReadyIffOk(report, hour);
  });

  it('no Container Insights at all: fail with the add-on command', () => {
    const hour = lastHourOf(READY_HOUR.map((n) => ({ ...n, containerInsightsBytesPerSecond: null })), 'full');
    const report = diagnose(readyCluster({ containerInsightsSeries: [] }), hour);
    const c = checkOf(report, 'reconcile-incomplete');
    expect(c).toMatchObject({ severity: 'fail', instanceIds: [id(1), id(2)] });
    expect(c.summary).toContain('missingContainerInsights 24');
    expect(c.fix?.text).toContain('--addon-name amazon-cloudwatch-observability');
    expectReadyIffOk(report, hour);
  });

  it('a node launched within the hour: partial periods, a warning (nothing to fix), still ready', () => {
    const hour = lastHourOf([READY_HOUR[0]!, { ...READY_HOUR[1]!, launchTime: '2026-05-28T19:42:30Z' }], 'full');
    const report = diagnose(readyCluster(), hour);
    const c = checkOf(report, 'reconcile-incomplete');
    expect(c).toMatchObject({ severity: 'warn', instanceIds: [id(2)] });
    expect(report.ready).toBe(true);
  });

  it('an input skipped: fail, naming it', () => {
    const hour = lastHourOf(READY_HOUR, 'full');
    const withSkip: ReconcileReport = { ...hour, skipped: [{ kind: 'series', ref: 'series[3]', reason: 'a series for the same node and measure came first; this one is a duplicate' }] };
    const report = diagnose(readyCluster(), withSkip);
    expect(checkOf(report, 'reconcile-incomplete')).toMatchObject({ severity: 'fail', summary: expect.stringContaining('1 input was skipped (first: series[3]: a series for the same node') });
    expectReadyIffOk(report, withSkip);
  });
});
