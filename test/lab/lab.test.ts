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
import type { LabSummary, PhaseSummary } from '../../lab/summary';
import { namespacesForbiddenReason } from '../../lab/topology';

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
    first = await startLab(['--mib', String(MIB), '--json', '--quiet', '--out', capturePath], 90_000).exited;
    wallMs = Date.now() - started;
    if (first.code === 0) summary = JSON.parse(first.stdout) as LabSummary;
  }, 120_000);

  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    if (forbidden) return;
    // Whatever a failed test left behind: the namespaces of the runs this file started, and only those.
    const left = (await listNetns()).filter((name) => labPids.has(parseLabNetns(name)?.pid ?? -1));
    for (const name of left) await run(['ip', 'netns', 'del', name], { timeoutMs: 5_000 }).catch(() => undefined);
    expect(left, 'namespaces a lab run of this file left behind (now deleted)').toEqual([]);
  }, 30_000);

  const phase = (id: string): PhaseSummary => {
    const found = summary.phases.find((p) => p.phase === id);
    if (!found) throw new Error(`no phase ${id} in the summary`);
    return found;
  };
  const iface = (p: PhaseSummary, name: string) => {
    const found = p.interfaces.find((i) => i.name === name);
    if (!found) throw new Error(`no interface ${name} in phase ${p.phase}: ${p.interfaces.map((i) => i.name).join(', ')}`);
    return { ...found, totalBytes: found.rxBytes + found.txBytes };
  };

  it('runs every phase, reconciles the capture and leaves no namespace behind', async (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    expect(first.code, first.stderr).toBe(0);
    console.info(`lab wall time ${wallMs} ms (the lab's own figure: ${summary.wallSeconds.toFixed(2)} s)`);
    expect(summary.phases.map((p) => p.phase)).toEqual(['a', 'b', 'c']);
    expect(summary.reconcileError).toBeNull();
    expect(summary.reconcile?.summary.seriesSkipped).toBe(0);
    expect(summary.phases.map((p) => p.status)).toEqual(['ok', 'ok', 'ok']);
    expect(await leftovers(summary.runId)).toEqual([]);
  });

  it('writes a capture whose agent series are the kernel deltas, lo left out, and whose EC2 and Container Insights series say they are simulated', async (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const capture = JSON.parse(readFileSync(capturePath, 'utf8')) as Capture;
    for (const p of summary.phases) {
      const at = capture.series[0]!.timestamps.indexOf(p.periodStart);
      for (const i of p.interfaces) {
        const rx = capture.series.find((s) => s.source === 'agent' && s.direction === 'rx' && s.dimensions.interface === i.name);
        if (i.name === 'lo') expect(rx).toBeUndefined();
        else expect(rx?.values[at], `${i.name} rx in phase ${p.phase}`).toBe(i.rxBytes);
      }
    }
    const derived = capture.series.filter((s) => s.source !== 'agent');
    expect(derived.length).toBe(3);
    expect(derived.every((s) => s.simulated === true)).toBe(true);
    expect(capture.description).toMatch(/SIMULATED/);
  });

  it('(a) pod download: naive is twice the corrected total, and corrected is the eth0 delta and at least what the pod received', (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const a = phase('a');
    const eth0 = iface(a, 'eth0');
    const podVeth = iface(a, summary.hostVeths.podA);
    expect(a.appBytes).toBe(APP_BYTES);
    // The kernel: the download entered on eth0 and left on the pod's host veth.
    expect(eth0.rxBytes).toBeGreaterThanOrEqual(APP_BYTES);
    expect(podVeth.txBytes).toBeGreaterThanOrEqual(APP_BYTES);
    const naiveOverCorrected = a.naiveTotalBytes! / a.correctedTotalBytes!;
    console.info(`phase a: naive/corrected ${naiveOverCorrected.toFixed(5)}, corrected/eth0 ${(a.correctedTotalBytes! / eth0.totalBytes).toFixed(5)}, corrected/app ${(a.correctedTotalBytes! / APP_BYTES).toFixed(5)}`);
    expect(Math.abs(naiveOverCorrected - 2) / 2).toBeLessThanOrEqual(0.03);
    expect(Math.abs(a.correctedTotalBytes! - eth0.totalBytes) / eth0.totalBytes).toBeLessThanOrEqual(0.01);
    expect(a.correctedTotalBytes!).toBeGreaterThanOrEqual(APP_BYTES);
  });

  it('(b) host-network download: counted once, naive equals corrected', (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const b = phase('b');
    const eth0 = iface(b, 'eth0');
    expect(b.appBytes).toBe(APP_BYTES);
    expect(eth0.rxBytes).toBeGreaterThanOrEqual(APP_BYTES);
    for (const veth of [summary.hostVeths.podA, summary.hostVeths.podB]) expect(iface(b, veth).totalBytes).toBeLessThanOrEqual(NEIGHBOUR_ALLOWANCE_BYTES);
    console.info(`phase b: naive/corrected ${(b.naiveTotalBytes! / b.correctedTotalBytes!).toFixed(5)}, corrected/app ${(b.correctedTotalBytes! / APP_BYTES).toFixed(5)}`);
    expect(Math.abs(b.naiveTotalBytes! - b.correctedTotalBytes!) / b.correctedTotalBytes!).toBeLessThanOrEqual(0.01);
    expect(Math.abs(b.correctedTotalBytes! - eth0.totalBytes) / eth0.totalBytes).toBeLessThanOrEqual(0.01);
    expect(b.correctedTotalBytes!).toBeGreaterThanOrEqual(APP_BYTES);
  });

  it('(c) pod to pod: pod bytes are twice the transfer, on the two veths, and eth0 carries nothing', (ctx) => {
    if (forbidden) ctx.skip(skipNote);
    const c = phase('c');
    const eth0 = iface(c, 'eth0');
    expect(c.appBytes).toBe(APP_BYTES);
    // The kernel: the bytes left pod A through its host veth (rx) and reached pod B through its own (tx).
    expect(iface(c, summary.hostVeths.podA).rxBytes).toBeGreaterThanOrEqual(APP_BYTES);
    expect(iface(c, summary.hostVeths.podB).txBytes).toBeGreaterThanOrEqual(APP_BYTES);
    console.info(`phase c: pod/(2 x app) ${(c.podBytes! / (2 * APP_BYTES)).toFixed(5)}, eth0 ${eth0.totalBytes} bytes, corrected ${c.correctedTotalBytes}`);
    expect(c.podBytes!).toBeGreaterThanOrEqual(2 * APP_BYTES);
    expect(c.podBytes! / (2 * APP_BYTES) - 1).toBeLessThanOrEqual(0.03);
    expect(eth0.totalBytes).toBeLessThanOrEqual(NEIGHBOUR_ALLOWANCE_BYTES);
    expect(c.correctedTotalBytes!).toBeLessThanOrEqual(NEIGHBOUR_ALLOWANCE_BYTES);
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
      const serverPids = (await run(['ip', 'netns', 'pids', `${runId}-srv`], { timeoutMs: 5_000 })).stdout.split('\n').filter(Boolean).map(Number);
      expect(serverPids.length).toBeGreaterThan(0);
      lab.child.kill('SIGINT');
      const exit = await lab.exited;
      expect(exit.code, exit.stderr).toBe(130);
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
