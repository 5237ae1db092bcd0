/**
 * One lab run: for each topology that has a selected phase, build its namespaces, read the kernel's ground truth,
 * start its servers, run its phases, tear it down; then the next. The capture, the reconciliation and the checks
 * happen after teardown (see ./run.ts): they need no namespace.
 */
import { ADDRESSES, makeRunNames, parseLabNetns, type RunNames } from './names';
import { type PhaseId, type PhaseMeasurement, runPhase } from './phases';
import { LabResources, listNetns } from './resources';
import { run } from './shell';
import { type KernelDevice, readGroundTruth } from './ground-truth';
import { buildTopology, PHASE_TOPOLOGY, TOPOLOGY_TAG } from './topologies';
import { type BuiltTopology, TOPOLOGY_IDS } from './topology';
import { startNodeExporter } from './node-exporter';
import { type ChainEdge, LabChain, slotOf } from './prometheus';
import { startServer } from './traffic';

export const MIB = 1024 * 1024;

export interface LabOptions {
  readonly mib: number;
  readonly phases: readonly PhaseId[];
  readonly keepGoing: boolean;
  readonly timeoutSeconds: number;
  /** Run prometheus-node-exporter in every node and check its counters against the kernel's (./node-exporter.ts). */
  readonly nodeExporter?: boolean;
  /** Also run Prometheus scraping those node_exporters and read them back through netrecon's PromQL source (./prometheus.ts). */
  readonly prometheus?: boolean;
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

export interface TopologyRun {
  readonly topology: BuiltTopology;
  /** Node key -> its devices as the kernel describes them. */
  readonly groundTruth: ReadonlyMap<string, readonly KernelDevice[]>;
  readonly measurements: readonly PhaseMeasurement[];
}

export interface LabRun {
  readonly runId: string;
  readonly startedAtMs: number;
  readonly topologies: readonly TopologyRun[];
  /** Every measured phase, in run order. */
  readonly measurements: readonly PhaseMeasurement[];
  readonly failures: readonly PhaseFailure[];
  readonly timings: { readonly setupMs: number; readonly phasesMs: number; readonly teardownMs: number };
  /** Namespaces that could not be deleted (empty on a clean run). */
  readonly teardownFailures: readonly string[];
}

function describe(t: BuiltTopology, groundTruth: ReadonlyMap<string, readonly KernelDevice[]>): string {
  return `${t.title}: ${t.nodes.map((n) => `${n.key} [${(groundTruth.get(n.key) ?? []).map((d) => `${d.name}:${d.kind ?? '-'}`).join(' ')}]`).join('; ')}`;
}

export async function runLab(options: LabOptions, context: LabContext): Promise<LabRun> {
  const { resources, signal } = context;
  const progress = context.progress ?? (() => undefined);
  const now = context.now ?? Date.now;
  const names = context.names ?? makeRunNames();
  const bytes = options.mib * MIB;
  const timeoutMs = options.timeoutSeconds * 1000;
  const startedAtMs = now();
  const topologies: TopologyRun[] = [];
  const failures: PhaseFailure[] = [];
  const timings = { setupMs: 0, phasesMs: 0, teardownMs: 0 };
  const teardownFailures: string[] = [];
  const fail = (ids: readonly PhaseId[], error: unknown): void => {
    if (signal?.aborted || !options.keepGoing) throw error;
    for (const id of ids) failures.push({ id, error: (error as Error).message });
    progress(`phase${ids.length > 1 ? 's' : ''} ${ids.join(', ')} FAILED (continuing, --keep-going): ${(error as Error).message}`);
  };

  // One Prometheus for the run (./prometheus.ts): a target per node slot of every selected topology (two at most).
  const chain =
    options.nodeExporter && options.prometheus
      ? await LabChain.start(
          TOPOLOGY_IDS.filter((id) => options.phases.some((p) => PHASE_TOPOLOGY[p] === id)).flatMap((id) => ['n1', 'n2'].map((key) => slotOf(TOPOLOGY_TAG[id], key))),
          options.phases.length * (options.timeoutSeconds + 30) + 120,
          resources,
          signal,
        )
      : undefined;
  try {
    await runTopologies();
  } finally {
    await chain?.stop();
  }

  async function runTopologies(): Promise<void> {
    for (const topologyId of TOPOLOGY_IDS) {
      const ids = options.phases.filter((p) => PHASE_TOPOLOGY[p] === topologyId);
      if (ids.length === 0) continue;
      const tag = TOPOLOGY_TAG[topologyId];
      let setupStartMs = now();
      try {
        progress(`${topologyId}: creating namespaces ${names.runId}-${tag}-*`);
        const topology = await buildTopology(topologyId, { names, tag, topology: topologyId, resources, signal });
        const groundTruth = new Map<string, readonly KernelDevice[]>();
        for (const node of topology.nodes) groundTruth.set(node.key, await readGroundTruth(node.netns, topology.namespaces, signal));
        progress(describe(topology, groundTruth));
        const plans = topology.phases.filter((p) => ids.includes(p.id as PhaseId));
        // Servers outlive every transfer but never the run by much: a bounded lifetime in case the lab is SIGKILLed.
        const serverMaxSeconds = plans.length * (options.timeoutSeconds + 30) + 60;
        const needed = topology.servers.filter((s) => plans.some((p) => p.transfers.some((t) => new URL(t.serverUrl).hostname === s.ip)));
        const exporters = options.nodeExporter ? topology.nodes.map((n) => n.netns) : [];
        await Promise.all([
          ...needed.map((s) => startServer(s.netns, s.ip, ADDRESSES.httpPort, serverMaxSeconds, resources, signal)),
          ...exporters.map((netns) => startNodeExporter(netns, serverMaxSeconds, resources, signal)),
        ]);
        if (chain) {
          await chain.attach(topology.nodes.map((n) => ({ ...n, slot: slotOf(tag, n.key) })), serverMaxSeconds, resources, signal);
          progress(`${topologyId}: prometheus on ${chain.url} scrapes ${topology.nodes.length} node_exporter(s)`);
        }
        timings.setupMs += now() - setupStartMs;

        const measurements: PhaseMeasurement[] = [];
        topologies.push({ topology, groundTruth, measurements });
        const phasesStartMs = now();
        // A phase starts from the previous one's end edge unless that phase failed (its bytes may still be moving).
        let previous: ChainEdge | undefined;
        for (const plan of plans) {
          progress(`phase ${plan.id}: ${plan.title}: ${options.mib} MiB${plan.transfers.length > 1 ? ` x ${plan.transfers.length}` : ''}, ${plan.path}`);
          try {
            const measured = await (context.runPhase ?? runPhase)(plan, topology, bytes, timeoutMs, signal, exporters, chain ? { chain, ...(previous ? { previous } : {}) } : undefined);
            measurements.push(measured);
            previous = measured.chain?.endEdge;
            const mbPerSecond = measured.appBytes / 1e6 / (measured.transferMs / 1000);
            progress(`phase ${plan.id}: ${measured.appBytes} bytes in ${(measured.transferMs / 1000).toFixed(2)} s (${mbPerSecond.toFixed(0)} MB/s)`);
          } catch (error) {
            previous = undefined;
            fail([plan.id as PhaseId], error);
          }
        }
        if (chain) await readChain(chain, measurements);
        timings.phasesMs += now() - phasesStartMs;
      } catch (error) {
        if (!topologies.some((t) => t.topology.id === topologyId)) {
          timings.setupMs += now() - setupStartMs;
          await teardown();
          fail(ids, error);
          continue;
        }
        await teardown();
        throw error;
      }
      await teardown();
    }
  }

  async function teardown(): Promise<void> {
    const startMs = now();
    progress(`tearing down ${names.runId}`);
    const failed = await resources.release();
    for (const failure of failed) progress(`teardown failed: ${failure}`);
    teardownFailures.push(...failed);
    timings.teardownMs += now() - startMs;
  }

  return {
    runId: names.runId,
    startedAtMs,
    topologies,
    measurements: topologies.flatMap((t) => t.measurements),
    failures,
    timings,
    teardownFailures,
  };
}

/**
 * Reads every measured phase's window back through netrecon's PromQL source while Prometheus still runs. A read
 * that fails is kept as the phase's skipped reason, so its chain checks fail with it.
 */
async function readChain(chain: LabChain, measurements: PhaseMeasurement[]): Promise<void> {
  for (const [i, m] of measurements.entries()) {
    if (!m.chain) continue;
    let read;
    try {
      read = await chain.read(m.chain.windowStartSeconds, m.chain.windowEndSeconds);
    } catch (error) {
      read = { nodes: [], skipped: [`the PromQL read failed: ${(error as Error).message}`], queries: 0, samples: 0 };
    }
    measurements[i] = { ...m, chain: { ...m.chain, read } };
  }
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
