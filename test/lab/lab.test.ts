/**
 * Runs the namespace lab for real (root, iproute2) and checks, per phase, the reconciler's figures against the
 * kernel's counter deltas and the byte count of the application that moved the data.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Capture } from '../../lambda/capture/capture';
import { LAB_NETNS_PREFIX, makeRunNames, parseLabNetns, PROBE_ROLE } from '../../lab/names';
import { listNetns } from '../../lab/resources';
import { run } from '../../lab/shell';
import type { LabSummary, NodePhaseSummary, PhaseSummary } from '../../lab/summary';
import { namespacesForbiddenReason } from '../../lab/netns';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIB = 8;
const APP_BYTES = MIB * 1024 * 1024;
/**
 * What eth0 may carry in the pod-to-pod phase, and the veths in the host-only phase. IPv6 is off in the lab, so
 * the only frames that can reach an interface the transfer does not use are ARP (neighbour revalidation of an
 * entry that went stale): 42 bytes a request or reply on a veth, which pads nothing. 1 KiB is a dozen of those;
 * a leaked transfer would be megabytes. Measured: 0 bytes.
 */
const NEIGHBOUR_ALLOWANCE_BYTES = 1024;

interface LabExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Pids of the labs this file started: a lab names its namespaces `nr-<its pid>-<tag>-<role>`. */
const labPids = new Set<number>();

function startLab(args: readonly string[], timeoutMs: number) {
  // SIGTERM on timeout, not SIGKILL: the lab tears its namespaces down on SIGTERM, SIGKILL would leave them behind.
  const child = spawn(process.execPath, ['--import', 'tsx', 'lab/run.ts', ...args], { cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGTERM' });
  if (child.pid !== undefined) labPids.add(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<LabExit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited, stderrSoFar: () => stderr };
}

const leftovers = async (runId: string): Promise<string[]> => (await listNetns()).filter((n) => n.startsWith(`${runId}-`));

const forbidden = await namespacesForbiddenReason(`${makeRunNames().runId}-${PROBE_ROLE}`);
const skipNote = `network namespaces are not allowed on this machine: ${forbidden}`;

describe('the namespace lab, on real kernel counters', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'netrecon-lab-test-'));
  const capturePath = join(workDir, 'lab.capture.json');
  let first: LabExit;
  let summary: LabSummary;
  let wallMs = 0;

  beforeAll(async () => {
    if (forbidden) return;
    const started = Date.now();
    first = await startLab(['--mib', String(MIB), '--json', '--quiet', '--out', capturePath], 110_000).exited;
    wallMs = Date.now() - started;
    if (first.stdout.trim().startsWith('{')) summary = JSON.parse(first.stdout) as LabSummary;
  }, 120_000);

  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    if (forbidden) return;
    // Whatever a failed test left behind: the namespaces of the runs this file started, and only those.
    const left = (await listNetns()).filter((name) => labPids.has(parseLabNetns(name)?.pid ?? -1));
    for (const name of left) await run(['ip', 'netns', 'del', name], { timeoutMs: 5_000 }).catch(() => undefined);
    expect(left, 'namespaces a lab run of this file left behind (now deleted)').toEqual([]);
  }, 30_000);

  const phases = (): PhaseSummary[] => summary.topologies.flatMap((t) => t.phases);
  const phase = (id: string): PhaseSummary => {
    const found = phases().find((p) => p.phase === id);
    if (!found) throw new Error(`no phase ${id} in the summary`);
    return found;
  };
  const node = (p: PhaseSummary, key: string): NodePhaseSummary => {
    const found = p.nodes.find((n) => n.node === key);
    if (!found) throw new Error(`no node ${key} in phase ${p.phase}`);
    return found;
  };
  const iface = (n: NodePhaseSummary, name: string) => {
    const found = n.interfaces.find((i) => i.name === name);
    if (!found) throw new Error(`no interface ${name} on ${n.node}: ${n.interfaces.map((i) => i.name).join(', ')}`);
    return { ...found, totalBytes: found.rxBytes + found.txBytes };
  };
  /** The test's own figure from the kernel deltas in the summary: every interface cAdvisor keeps over the ENIs (eth0, eth1). */
  const kernelRatio = (n: NodePhaseSummary): number => {
    const kept = n.interfaces.filter((i) => !/^(lo|veth|docker|nerdctl)/.test(i.name)).reduce((a, i) => a + i.rxBytes + i.txBytes, 0);
    const enis = n.interfaces.filter((i) => /^eth\d$/.test(i.name)).reduce((a, i) => a + i.rxBytes + i.txBytes, 0);
    return kept / enis;
  };

  it('runs every topology and phase, every check holds, and it leaves no namespace behind, in under a minute', async (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    expect(first.code, `${first.stderr}\nfailed: ${JSON.stringify(summary?.checks.failed ?? null)} ${JSON.stringify(summary?.failures ?? null)}`).toBe(0);
    console.info(`lab wall time ${wallMs} ms (the lab's own figure: ${summary.wallSeconds.toFixed(2)} s), ${summary.checks.passed} checks passed`);
    expect(summary.topologies.map((t) => t.topology)).toEqual(['vpc-cni', 'sgp', 'calico', 'cilium', 'flannel']);
    expect(phases().map((p) => p.phase)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']);
    expect(summary.reconcileError).toBeNull();
    expect(summary.reconcile?.summary.seriesSkipped).toBe(0);
    expect(summary.checks.failed).toEqual([]);
    // 16 node-phases (6 single-node phases, 5 two-node ones) x 4 checks, a path check on each of the 15 the
    // transfer crosses (node 2 in phase k carries nothing), node_exporter's on each where it is installed, and the
    // whole chain's two on each where Prometheus is too.
    expect(summary.checks.passed).toBe(16 * 4 + 15 + (summary.nodeExporter.ran ? 16 : 0) + (summary.prometheus.ran ? 16 * 2 : 0));
    // CI installs node_exporter and Prometheus (.ci/run); there their checks must have run.
    if (process.env.CI) expect(summary.nodeExporter).toEqual({ ran: true, reason: null });
    if (process.env.CI) expect(summary.prometheus).toMatchObject({ ran: true, reason: null });
    expect(summary.ok).toBe(true);
    expect(phases().flatMap((p) => p.nodes.map((n) => n.status))).toEqual(phases().flatMap((p) => p.nodes.map(() => 'ok')));
    expect(wallMs).toBeLessThan(60_000);
    expect(await leftovers(summary.runId)).toEqual([]);
  });

  it('writes a capture whose agent series are each node\'s kernel deltas, lo left out, and whose EC2 and Container Insights series say they are simulated', async (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const capture = JSON.parse(readFileSync(capturePath, 'utf8')) as Capture;
    for (const p of phases()) {
      for (const n of p.nodes) {
        for (const i of n.interfaces) {
          const rx = capture.series.find((s) => s.source === 'agent' && s.direction === 'rx' && s.dimensions.InstanceId === n.instanceId && s.dimensions.interface === i.name);
          if (i.name === 'lo') expect(rx).toBeUndefined();
          else expect(rx?.values[rx.timestamps.indexOf(p.periodStart)], `${n.node} ${i.name} rx in phase ${p.phase}`).toBe(i.rxBytes);
        }
      }
    }
    const derived = capture.series.filter((s) => s.source !== 'agent');
    expect(derived.length).toBe(3 * capture.nodes.length);
    expect(capture.nodes.length).toBe(8);
    expect(derived.every((s) => s.simulated === true)).toBe(true);
    expect(capture.description).toMatch(/SIMULATED/);
  });

  it('VPC CNI: a pod download is 2x, a host download 1x, pod-to-pod on no ENI, and a pod on eth1 is counted on eth1', (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => node(phase(id), 'n1'));
    console.info(`naive/corrected a ${kernelRatio(a!).toFixed(5)}, b ${kernelRatio(b!).toFixed(5)}, d ${kernelRatio(d!).toFixed(5)}`);
    expect(Math.abs(kernelRatio(a!) - 2) / 2).toBeLessThanOrEqual(0.001);
    expect(Math.abs(kernelRatio(b!) - 1)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(kernelRatio(d!) - 2) / 2).toBeLessThanOrEqual(0.001);
    expect(a!.correctedTotalBytes!).toBeGreaterThanOrEqual(APP_BYTES);
    // c: the pods moved the bytes twice (two host veths), the ENIs at most a few ARP frames.
    expect(c!.podBytes!).toBeGreaterThanOrEqual(2 * APP_BYTES);
    expect(c!.correctedTotalBytes!).toBeLessThanOrEqual(NEIGHBOUR_ALLOWANCE_BYTES);
    // d: both ENIs carried a download; EC2 (simulated from the ENIs) and corrected agree.
    expect(iface(d!, 'eth0').rxBytes).toBeGreaterThanOrEqual(APP_BYTES);
    expect(iface(d!, 'eth1').rxBytes).toBeGreaterThanOrEqual(APP_BYTES);
    expect(d!.ec2InBytes! + d!.ec2OutBytes!).toBe(d!.correctedTotalBytes);
  });

  it('security groups for pods: a branch pod download is 3x in a sum (trunk, vlan.eth.N, pod veth), corrected the trunk once', (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    for (const [id, sub] of [['e', 'vlan.eth.1'], ['f', 'vlan.eth.2']] as const) {
      const n = node(phase(id), 'n1');
      console.info(`phase ${id}: naive/corrected ${kernelRatio(n).toFixed(5)}`);
      expect(Math.abs(kernelRatio(n) - 3) / 3).toBeLessThanOrEqual(0.001);
      // The sub-device carries what the trunk carried for the branch ENI; the trunk also what is addressed to
      // itself (measured: nothing, or one 54-byte frame).
      expect(iface(n, 'eth1').totalBytes - iface(n, sub).totalBytes).toBeGreaterThanOrEqual(0);
      expect(iface(n, 'eth1').totalBytes - iface(n, sub).totalBytes).toBeLessThanOrEqual(NEIGHBOUR_ALLOWANCE_BYTES);
      expect(n.correctedTotalBytes).toBe(iface(n, 'eth0').totalBytes + iface(n, 'eth1').totalBytes);
    }
  });

  it('overlays (Calico, Cilium, Flannel): the tunnel and, for Flannel, the bridge each once more in the sum; the ENI carries the encapsulation on top', (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    for (const [id, tunnel] of [['g', 'vxlan.calico'], ['h', 'cilium_vxlan'], ['i', 'cilium_vxlan'], ['j', 'flannel.1']] as const) {
      for (const key of ['n1', 'n2']) {
        const n = node(phase(id), key);
        const eth0 = iface(n, 'eth0').totalBytes;
        const inner = iface(n, tunnel).totalBytes;
        console.info(`phase ${id} ${key}: naive/corrected ${kernelRatio(n).toFixed(5)}, encapsulation ${eth0 - inner} bytes`);
        // The outer packets are bigger than the inner ones, by far less than 1 %.
        expect(eth0).toBeGreaterThan(inner);
        expect((eth0 - inner) / eth0).toBeLessThan(0.01);
        expect(Math.abs(kernelRatio(n) - 3) / 3).toBeLessThanOrEqual(0.01);
        expect(n.encapsulationOverheadBytes).toBe(eth0 - inner);
      }
    }
    // Cilium's health traffic is no pod's: pod bytes 0 on both nodes although lxc_health carried the transfer.
    for (const key of ['n1', 'n2']) {
      const n = node(phase('i'), key);
      expect(iface(n, 'lxc_health').totalBytes).toBeGreaterThanOrEqual(APP_BYTES);
      expect(n.podBytes).toBe(0);
    }
    // Flannel on one node: the bridge forwards between its ports and counts nothing; the veths (ignored by cAdvisor) carry it all.
    const k = node(phase('k'), 'n1');
    expect(iface(k, 'cni0').totalBytes).toBeLessThanOrEqual(NEIGHBOUR_ALLOWANCE_BYTES);
    expect(k.podBytes!).toBeGreaterThanOrEqual(2 * APP_BYTES);
    expect(k.naiveTotalBytes!).toBeLessThanOrEqual(NEIGHBOUR_ALLOWANCE_BYTES);
  });

  it('the whole chain: through Prometheus and the PromQL source, corrected is the ENIs and the naive node_exporter sum 2x (3x for security groups for pods), as in the kernel', (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    if (!summary.prometheus.ran) ctx.skip(`Prometheus did not run: ${summary.prometheus.reason}`);
    const enis = (n: NodePhaseSummary) => n.interfaces.filter((i) => /^eth\d$/.test(i.name)).reduce((a, i) => a + i.rxBytes + i.txBytes, 0);
    const allButLo = (n: NodePhaseSummary) => n.interfaces.filter((i) => i.name !== 'lo').reduce((a, i) => a + i.rxBytes + i.txBytes, 0);
    for (const p of phases()) {
      for (const n of p.nodes) {
        const chain = n.chain!;
        expect(chain, `${p.phase} ${n.node}`).toBeDefined();
        expect(chain.windowSeconds).toBeGreaterThanOrEqual(1);
        // Within what the edges' reads saw moving (measured: 0 bytes).
        expect(Math.abs(chain.correctedBytes! - enis(n)), `${p.phase} ${n.node} corrected`).toBeLessThanOrEqual(chain.allowanceBytes.corrected);
        expect(Math.abs(chain.naiveBytes! - allButLo(n)), `${p.phase} ${n.node} naive`).toBeLessThanOrEqual(chain.allowanceBytes.naive);
      }
    }
    const ratio = (id: string, key = 'n1') => {
      const c = node(phase(id), key).chain!;
      return c.naiveBytes! / c.correctedBytes!;
    };
    console.info(`through Prometheus, node_exporter naive/corrected: a ${ratio('a').toFixed(5)}, d ${ratio('d').toFixed(5)}, e ${ratio('e').toFixed(5)}, f ${ratio('f').toFixed(5)}, j ${ratio('j').toFixed(5)}`);
    for (const id of ['a', 'd']) expect(Math.abs(ratio(id) - 2) / 2).toBeLessThanOrEqual(0.001);
    expect(Math.abs(ratio('b') - 1)).toBeLessThanOrEqual(0.001);
    for (const id of ['e', 'f']) expect(Math.abs(ratio(id) - 3) / 3).toBeLessThanOrEqual(0.001);
    // node_exporter keeps Flannel's veth… ports, which cAdvisor drops: one count more than Container Insights' 3x.
    for (const key of ['n1', 'n2']) expect(Math.abs(ratio('j', key) - 4) / 4).toBeLessThanOrEqual(0.01);
    // The PromQL capture replays: its per-interface series are what the chain read.
    const capture = JSON.parse(readFileSync(summary.prometheus.capturePath!, 'utf8')) as Capture;
    const a = node(phase('a'), 'n1');
    const eth0 = capture.series.find((s) => s.source === 'agent' && s.direction === 'rx' && s.dimensions.InstanceId === a.instanceId && s.dimensions.interface === 'eth0');
    expect(eth0?.values[eth0.timestamps.indexOf(phase('a').periodStart)]).toBe(a.chain!.interfaces.find((i) => i.name === 'eth0')!.rxBytes);
    expect(summary.prometheus.samples).toBeGreaterThan(0);
  });

  it('runs again right after the first run', async (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const again = await startLab(['--mib', '1', '--json', '--quiet', '--out', join(workDir, 'again.capture.json')], 90_000).exited;
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as LabSummary;
    expect(second.runId).not.toBe(summary.runId);
    expect(await leftovers(second.runId)).toEqual([]);
  }, 120_000);

  it('tears down its namespaces and servers when interrupted with SIGINT mid-run', async (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    // 1 GiB a phase keeps the lab busy for seconds after phase a starts (transfer or settling), so the signal lands mid-run; --timeout bounds it.
    const lab = startLab(['--mib', '1024', '--timeout', '60', '--out', join(workDir, 'interrupted.capture.json')], 90_000);
    try {
      const deadline = Date.now() + 30_000;
      while (!/\[lab\] phase a:/.test(lab.stderrSoFar()) && Date.now() < deadline && lab.child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const runId = new RegExp(`creating namespaces (${LAB_NETNS_PREFIX}\\d+-[0-9a-f]{4})-`).exec(lab.stderrSoFar())?.[1];
      expect(runId, lab.stderrSoFar()).toBeDefined();
      const serverPids = (await run(['ip', 'netns', 'pids', `${runId}-vpc-net`], { timeoutMs: 5_000 })).stdout.split('\n').filter(Boolean).map(Number);
      expect(serverPids.length).toBeGreaterThan(0);
      const prometheusUrl = /prometheus on (http:\/\/127\.0\.0\.1:\d+)/.exec(lab.stderrSoFar())?.[1];
      lab.child.kill('SIGINT');
      const exit = await lab.exited;
      expect(exit.code, exit.stderr).toBe(130);
      // Prometheus, a process of the whole run, no longer answers.
      if (prometheusUrl) await expect(fetch(`${prometheusUrl}/-/ready`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
      expect(await leftovers(runId!)).toEqual([]);
      const alive = serverPids.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      expect(alive).toEqual([]);
    } finally {
      // A failed expectation above must not leave the lab running: the same signal, so it still tears down.
      if (lab.child.exitCode === null && lab.child.signalCode === null) lab.child.kill('SIGINT');
      await lab.exited;
    }
  }, 120_000);
});
