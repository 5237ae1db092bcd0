// The e2e harness's own moving parts, tested without the emulator: if these were wrong, `npm run e2e`
// could pass for the wrong reason.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_METRICS } from '../../lambda/output-metrics';
import { buildClusterModel, CLUSTER, OTHER_CLUSTER, RESIDUAL_BYTES_PER_MINUTE, seededWindow, type ModelInterface } from '../../e2e/lib/cluster-model';
import { callsBetween } from '../../e2e/lib/emulator';
import { closeEnough, expectedPeriods } from '../../e2e/lib/expected';
import { assertSandboxed, makeSandbox, NET_GUARD } from '../../e2e/lib/sandbox';
import { StepRunner } from '../../e2e/lib/steps';
import { vpcCniHostVethName } from '../../lambda/core/vpc-cni-veth-name';

const START = 1_800_000_000; // 2027-01-15T08:00:00Z, a multiple of 300

describe('the seeded cluster model', () => {
  it('is the same numbers whatever the start time: only timestamps follow the clock', () => {
    const a = buildClusterModel({ startEpochSeconds: START, periods: 4 });
    const b = buildClusterModel({ startEpochSeconds: START + 86_400, periods: 4 });
    expect(b.nodes.map((n) => n.interfaces)).toEqual(a.nodes.map((n) => n.interfaces));
    expect(expectedPeriods(b).map((p) => p.cluster)).toEqual(expectedPeriods(a).map((p) => p.cluster));
  });

  it('has 24 nodes in the cluster, 3 in the other, VPC CNI veth names and both ENI naming schemes', () => {
    const model = buildClusterModel({ startEpochSeconds: START, periods: 3 });
    expect(model.nodes.filter((n) => n.cluster === CLUSTER)).toHaveLength(24);
    expect(model.nodes.filter((n) => n.cluster === OTHER_CLUSTER)).toHaveLength(3);
    const names = model.nodes.flatMap((n) => n.interfaces.map((i) => i.name));
    for (const veth of model.nodes.flatMap((n) => n.interfaces.filter((i) => i.role === 'podVeth'))) expect(veth.name).toMatch(/^eni[0-9a-f]{11}$/);
    expect(names).toEqual(expect.arrayContaining(['eth0', 'eth1', 'ens5', 'ens6', 'lo', 'nodelocaldns']));
    // `echo -n default.pod | sha1sum` = 9381c30abed1377c...: the VPC CNI names that pod's host-side veth eni9381c30abed.
    expect(vpcCniHostVethName('default', 'pod')).toBe('eni9381c30abed');
  });

  it('rejects a start that is not aligned to the period', () => {
    expect(() => buildClusterModel({ startEpochSeconds: START + 60, periods: 1 })).toThrow(/not aligned/);
  });

  it('seeds periods that closed at least the lag before now', () => {
    const now = START + 1_000; // 16 min 40 s into the hour
    const w = seededWindow(now, 3, 600);
    // now - lag = START + 400 -> floor to the period: START + 300 is the end of the last closed period.
    expect(w).toEqual({ startEpochSeconds: START + 300 - 900, endEpochSeconds: START + 300 });
  });
});

describe('the hand formula', () => {
  const model = buildClusterModel({ startEpochSeconds: START, periods: 4 });
  const [first] = expectedPeriods(model);

  it('host-only bytes are the host and secondary-ENI traffic of the nodes without same-node pod traffic', () => {
    // Node i without same-node traffic (i mod 4 != 0), minutes k = 0..4 of period 0:
    //   primary host rx + tx = (50,000 + 1,000 i + k) + (30,000 + 500 i + k); secondary = 2,492 + 1,130 = 3,622
    //   per period: 5 x 80,000 + 5 x 1,500 i + 2 x (0+1+2+3+4) + 5 x 3,622 = 418,130 + 7,500 i
    // Nodes with agent data and i mod 4 != 0: 0..23 minus {0,4,8,12,16,20} minus 22 (no agent): 17 nodes,
    //   sum of i = 276 - 60 - 22 = 194.  Nodes with same-node traffic clamp to 0 (two veths carry 2 x 5 MB).
    // Total = 17 x 418,130 + 7,500 x 194 = 7,108,210 + 1,455,000 = 8,563,210.
    expect(first!.cluster[CLUSTER_METRICS.hostOnlyBytes.name]).toBe(8_563_210);
  });

  it('the residual is the one interface the agent does not report, and coverage is 23 of 24 nodes', () => {
    // nodelocaldns on node 7: 120,000 bytes a minute, 5 minutes.
    expect(closeEnough(first!.cluster[CLUSTER_METRICS.containerInsightsResidualBytes.name]!, 600_000)).toBe(true);
    expect(first!.cluster[CLUSTER_METRICS.agentCoveragePercent.name]).toBeCloseTo((23 / 24) * 100, 12);
    expect(first!.nodeCountByStatus).toEqual({ ok: 22, missingAgent: 1, missingContainerInsights: 1 });
  });

  it('Container Insights counts pod traffic twice: double-counted = what the pod veths carried, plus the residual', () => {
    const c = first!.cluster;
    const m = CLUSTER_METRICS;
    // Over nodes with agent and CI, CI x P = every interface but lo = ENIs + pod veths + the unreported interface, so
    // double-counted = CI - corrected = Σ veth rx + tx + the seeded residual. Summed here from the roles the model
    // gave each interface, over period 0's five minutes.
    const nodes = model.nodes.filter((n) => n.cluster === CLUSTER && n.hasAgent && n.hasContainerInsights);
    const bytes = (i: ModelInterface) => [0, 1, 2, 3, 4].reduce((t, k) => t + i.rxBytesPerMinute[k]! + i.txBytesPerMinute[k]!, 0);
    const vethBytes = nodes.flatMap((n) => n.interfaces.filter((i) => i.role === 'podVeth')).reduce((t, i) => t + bytes(i), 0);
    const residualBytes = nodes.flatMap((n) => n.interfaces.filter((i) => !i.reportedByAgent)).reduce((t, i) => t + bytes(i), 0);
    expect(residualBytes).toBe(5 * RESIDUAL_BYTES_PER_MINUTE);
    expect(vethBytes + residualBytes).toBe(1_711_269_500);
    expect(closeEnough(c[m.doubleCountedBytes.name]!, vethBytes + residualBytes)).toBe(true);
    expect(c[m.containerInsightsTotalBytes.name]!).toBeGreaterThan(1.8 * c[m.ec2TotalBytes.name]!);
  });
});

describe('the sandbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-sandbox-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives children dummy credentials, the emulator endpoint, and the network guard', () => {
    const s = makeSandbox('http://localhost:4566', dir);
    expect(s.env.AWS_ENDPOINT_URL).toBe('http://localhost:4566');
    expect(s.env.AWS_EC2_METADATA_DISABLED).toBe('true');
    expect(s.env.NODE_OPTIONS).toContain(NET_GUARD);
    expect(s.env.AWS_PROFILE).toBeUndefined();
  });

  it('refuses an environment that could reach a real account or endpoint', () => {
    const base = makeSandbox('http://localhost:4566', dir).env;
    expect(() => assertSandboxed({ ...base, AWS_PROFILE: 'prod' }, 'http://localhost:4566')).toThrow(/AWS_PROFILE is set/);
    expect(() => assertSandboxed({ ...base, AWS_ENDPOINT_URL_S3: 'https://s3.amazonaws.com' }, 'http://localhost:4566')).toThrow(/overrides/);
    expect(() => assertSandboxed({ ...base, AWS_ENDPOINT_URL: 'https://example.com' }, 'https://example.com')).toThrow(/not http:\/\/localhost/);
  });
});

describe('the network guard', () => {
  it('refuses and records a non-loopback connection, and lets loopback through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-guard-test-'));
    const server = createServer((socket) => socket.end('hi'));
    let child: ChildProcess | undefined;
    try {
      const log = join(dir, 'refused.log');
      await new Promise<void>((r) => server.listen(0, 'localhost', () => r()));
      const port = (server.address() as { port: number }).port;
      const script = `
        const net = require('node:net');
        const out = [];
        const a = net.connect(443, '203.0.113.9'); // TEST-NET-3: never routed
        a.on('error', (e) => { out.push('remote: ' + e.message);
          const b = net.connect(${port}, 'localhost', () => { out.push('loopback: connected'); b.end(); console.log(JSON.stringify(out)); });
          b.on('error', (e2) => { out.push('loopback: ' + e2.message); console.log(JSON.stringify(out)); });
        });`;
      // Asynchronous spawn: a synchronous one would block the event loop serving the loopback connection.
      // Its own deadline, within the test's, so a hung child still ends and the cleanup below runs.
      const stdout = await new Promise<string>((resolve) => {
        child = spawn(process.execPath, ['--require', NET_GUARD, '-e', script], { env: { ...process.env, NETRECON_E2E_NET_LOG: log }, timeout: 4_000, killSignal: 'SIGKILL' });
        let text = '';
        child.stdout!.on('data', (d) => (text += d));
        child.on('close', () => resolve(text));
      });
      const out = JSON.parse(stdout) as string[];
      expect(out[0]).toMatch(/remote: .*refused a connection to 203\.0\.113\.9:443/);
      expect(out[1]).toBe('loopback: connected');
      expect(existsSync(log) && readFileSync(log, 'utf8')).toMatch(/-> 203\.0\.113\.9:443/);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the step runner', () => {
  it('skips what follows a failed step, except steps that always run, and counts calls per step', async () => {
    const lines: string[] = [];
    let calls = { 'ec2:RunInstances': 1 };
    const runner = new StepRunner(3, async () => calls, (l) => lines.push(l));
    await runner.step({ title: 'fails', run: async () => ((calls = { 'ec2:RunInstances': 4 }), Promise.reject(new Error('boom'))) });
    let ran = false;
    await runner.step({ title: 'skipped', run: async () => void (ran = true) });
    await runner.step({ title: 'always', always: true, run: async () => undefined });
    expect(runner.records.map((r) => r.outcome)).toEqual(['fail', 'skip', 'pass']);
    expect(runner.records[0]!.calls).toEqual({ 'ec2:RunInstances': 3 });
    expect(ran).toBe(false);
    expect(runner.anyFailed).toBe(true);
  });

  it('runs the other steps of a failed step\'s group, but skips them after a failure outside it', async () => {
    const runner = new StepRunner(5, async () => ({}), () => undefined);
    const fail = async () => Promise.reject(new Error('boom'));
    await runner.step({ title: 'scenario 1', group: 'faults', run: fail });
    await runner.step({ title: 'scenario 2', group: 'faults', run: async () => undefined });
    await runner.step({ title: 'ungrouped', run: async () => undefined });
    await runner.step({ title: 'other group', group: 'other', run: async () => undefined });
    expect(runner.records.map((r) => r.outcome)).toEqual(['fail', 'pass', 'skip', 'skip']);
    const after = new StepRunner(2, async () => ({}), () => undefined);
    await after.step({ title: 'deploy', run: fail });
    await after.step({ title: 'scenario', group: 'faults', run: async () => undefined });
    expect(after.records.map((r) => r.outcome)).toEqual(['fail', 'skip']);
  });

  it('reports per-operation differences between two call snapshots', () => {
    expect(callsBetween({ a: 1, b: 2 }, { a: 1, b: 5, c: 1 })).toEqual({ b: 3, c: 1 });
  });
});
