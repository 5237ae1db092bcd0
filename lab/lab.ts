/**
 * One lab run: build the namespaces, start the servers, run the phases, tear everything down. The capture and
 * the reconciliation happen after teardown (see ./run.ts): they need no namespace.
 */
import { labInstanceId, labNodeName, makeRunNames, parseLabNetns, type RunNames, ADDRESSES } from './names';
import { type PhaseId, type PhaseMeasurement, planPhases, runPhase } from './phases';
import { LabResources, listNetns } from './resources';
import { run } from './shell';
import { createTopology, type LabTopology } from './topology';
import { startServer } from './traffic';

export const MIB = 1024 * 1024;

export interface LabOptions {
  readonly mib: number;
  readonly phases: readonly PhaseId[];
  readonly keepGoing: boolean;
  readonly timeoutSeconds: number;
}

export interface LabContext {
  /** Created by the caller so its signal handlers can release them too. */
  readonly resources: LabResources;
  readonly signal?: AbortSignal;
  readonly progress?: (line: string) => void;
  /** Defaults to a fresh pid-and-random name set. */
  readonly names?: RunNames;
  readonly now?: () => number;
  /** Runs one phase; tests swap it to make a phase fail. Defaults to ./phases.ts `runPhase`. */
  readonly runPhase?: typeof runPhase;
}

export interface PhaseFailure {
  readonly id: PhaseId;
  readonly error: string;
}

export interface LabRun {
  readonly runId: string;
  readonly instanceId: string;
  readonly nodeName: string;
  readonly hostVeths: { readonly podA: string; readonly podB: string };
  readonly startedAtMs: number;
  readonly measurements: readonly PhaseMeasurement[];
  readonly failures: readonly PhaseFailure[];
  readonly timings: { readonly setupMs: number; readonly phasesMs: number; readonly teardownMs: number };
  /** Namespaces that could not be deleted (empty on a clean run). */
  readonly teardownFailures: readonly string[];
}

function describe(topology: LabTopology): string {
  return (
    `node ${topology.nodeNetns}: eth0 ${topology.nodeIp}, ` +
    `${topology.podA.hostVeth} -> pod A ${topology.podA.ip}, ${topology.podB.hostVeth} -> pod B ${topology.podB.ip}; ` +
    `server ${topology.serverNetns} ${topology.serverIp}`
  );
}

export async function runLab(options: LabOptions, context: LabContext): Promise<LabRun> {
  const { resources, signal } = context;
  const progress = context.progress ?? (() => undefined);
  const now = context.now ?? Date.now;
  const names = context.names ?? makeRunNames();
  const bytes = options.mib * MIB;
  const timeoutMs = options.timeoutSeconds * 1000;
  const startedAtMs = now();
  const measurements: PhaseMeasurement[] = [];
  const failures: PhaseFailure[] = [];
  let topology: LabTopology | null = null;
  let setupMs = 0;
  let phasesMs = 0;
  let teardownFailures: string[] = [];
  let teardownStartMs = startedAtMs;

  try {
    progress(`creating namespaces ${names.runId}-{srv,node,pa,pb}`);
    topology = await createTopology(names, resources, signal);
    progress(describe(topology));
    // Servers outlive every transfer but never the run by much: a bounded lifetime in case the lab is SIGKILLed.
    const serverMaxSeconds = options.phases.length * (options.timeoutSeconds + 30) + 60;
    await startServer(topology.serverNetns, topology.serverIp, ADDRESSES.httpPort, serverMaxSeconds, resources, signal);
    if (options.phases.includes('c')) {
      await startServer(topology.podA.netns, topology.podA.ip, ADDRESSES.httpPort, serverMaxSeconds, resources, signal);
    }
    setupMs = now() - startedAtMs;

    const plans = planPhases(topology);
    const phasesStartMs = now();
    for (const id of options.phases) {
      const plan = plans[id];
      progress(`phase ${id}: ${plan.title}: ${options.mib} MiB, ${plan.path}`);
      try {
        const measured = await (context.runPhase ?? runPhase)(plan, topology.nodeNetns, bytes, timeoutMs, signal);
        measurements.push(measured);
        const mbPerSecond = measured.appBytes / 1e6 / (measured.transferMs / 1000);
        progress(`phase ${id}: ${measured.appBytes} bytes in ${(measured.transferMs / 1000).toFixed(2)} s (${mbPerSecond.toFixed(0)} MB/s)`);
      } catch (error) {
        if (signal?.aborted || !options.keepGoing) throw error;
        failures.push({ id, error: (error as Error).message });
        progress(`phase ${id} FAILED (continuing, --keep-going): ${(error as Error).message}`);
      }
    }
    phasesMs = now() - phasesStartMs;
  } finally {
    teardownStartMs = now();
    progress(`tearing down ${names.runId}`);
    teardownFailures = await resources.release();
    for (const failure of teardownFailures) progress(`teardown failed: ${failure}`);
  }

  if (!topology) throw new Error('lab: the topology was not built, yet no error was raised');
  return {
    runId: names.runId,
    instanceId: labInstanceId(names.runId),
    nodeName: labNodeName(),
    hostVeths: { podA: topology.podA.hostVeth, podB: topology.podB.hostVeth },
    startedAtMs,
    measurements,
    failures,
    timings: { setupMs, phasesMs, teardownMs: now() - teardownStartMs },
    teardownFailures,
  };
}

/** Deletes lab namespaces whose run's process no longer exists (a lab killed with SIGKILL cannot clean up). */
export async function cleanStaleNamespaces(progress: (line: string) => void = () => undefined): Promise<{ deleted: string[]; failed: string[] }> {
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const name of await listNetns()) {
    const parsed = parseLabNetns(name);
    if (!parsed || processAlive(parsed.pid)) continue;
    try {
      await run(['ip', 'netns', 'del', name], { timeoutMs: 5_000 });
      deleted.push(name);
      progress(`deleted stale namespace ${name}`);
    } catch (error) {
      failed.push(`${name}: ${(error as Error).message}`);
    }
  }
  return { deleted, failed };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
