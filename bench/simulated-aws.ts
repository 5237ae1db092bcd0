/**
 * The benchmark's SIMULATED AWS in a process of its own (bench/simulated-aws-process.ts runs FakeAws from
 * test/helpers/fake-aws.ts there), so that the benchmark process holds netrecon alone and its CPU time
 * (process.cpuUsage) and peak RSS are the product's. The two sides talk over Node's IPC channel of a forked child
 * (a local pipe, no network) with the structured-clone serialization, which carries `Date`s as they are.
 *
 * The boundary is the one the in-process fake had: netrecon's `send(command)` hands over the operation name and the
 * command's input, and gets back the plain object an SDK client returns. The SDK's HTTP serializers and parsers are
 * therefore not exercised, as before; what the product pays on its side of the channel is one structured-clone
 * serialization of each input and one deserialization of each answer (docs/limits.md, "The product's CPU").
 *
 * The unit tests keep using FakeAws in-process; nothing here changes it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CloudWatchSender, Ec2Sender } from '../lambda/aws/api';
import type { FakeAwsOptions, FakeCounters } from '../test/helpers/fake-aws';
import { makeCluster, type SynthNode } from '../test/helpers/synthetic-cluster';

/** The nodes the simulator serves, built in its own process (100,000 of them are the simulator's memory, not ours). */
export type SimulatedNodes =
  | { readonly kind: 'cluster'; readonly cluster: string; readonly nodes: number; readonly launchSeconds: number }
  /** Clusters of one account, numbered across the account so instance ids and node names stay unique. */
  | { readonly kind: 'estate'; readonly clusters: readonly string[]; readonly nodesPerCluster: number; readonly launchSeconds: number };

export function buildNodes(spec: SimulatedNodes): SynthNode[] {
  if (spec.kind === 'cluster') return makeCluster({ cluster: spec.cluster, nodes: spec.nodes, interfacesPerNode: 4, launchSeconds: spec.launchSeconds });
  return spec.clusters.flatMap((cluster, c) =>
    makeCluster({ cluster, nodes: spec.nodesPerCluster, interfacesPerNode: 4, launchSeconds: spec.launchSeconds }).map((n, i) => {
      const id = c * spec.nodesPerCluster + i + 1;
      return { ...n, instanceId: `i-${id.toString(16).padStart(17, '0')}`, nodeName: `ip-${id}.eu-west-1.compute.internal`, seed: id };
    }),
  );
}

/** What the simulator's process reports about itself. */
export interface SimulatorStats {
  readonly counters: FakeCounters;
  /** User + system CPU of the simulator's process since it started, in µs. */
  readonly cpuMicros: number;
  /** Peak RSS of the simulator's process (the kernel's figure), in MiB. */
  readonly peakRssMiB: number;
}

/** Error fields the product reads (lambda/aws/throttle.ts): they cross the channel and are put back on an Error. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly $fault?: unknown;
  readonly $metadata?: unknown;
}

export type ToSimulator =
  | { readonly t: 'init'; readonly nodes: SimulatedNodes; readonly options: FakeAwsOptions }
  | { readonly t: 'call'; readonly id: number; readonly op: string; readonly input: unknown }
  | { readonly t: 'stats'; readonly id: number };

export type FromSimulator =
  | { readonly t: 'ready' }
  | { readonly t: 'result'; readonly id: number; readonly value: unknown }
  | { readonly t: 'error'; readonly id: number; readonly error: WireError }
  | { readonly t: 'stats'; readonly id: number; readonly stats: SimulatorStats };

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class SimulatedAwsProcess {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromSimulator) => {
      if (m.t === 'ready') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.t === 'error') p.reject(Object.assign(new Error(m.error.message), m.error));
      else p.resolve(m.t === 'stats' ? m.stats : m.value);
    });
    child.on('exit', (code, signal) => {
      const error = new Error(`the simulated AWS process exited (code ${code}, signal ${signal}) with ${this.pending.size} calls unanswered`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
  }

  /** Forks the simulator, builds its nodes there and resolves once it answers. */
  static start(nodes: SimulatedNodes, options: FakeAwsOptions): Promise<SimulatedAwsProcess> {
    const entry = fileURLToPath(new URL('./simulated-aws-process.ts', import.meta.url));
    // Only the TypeScript loader: the benchmark's own flags (--cpu-prof, its heap limit) are the product's.
    const child = fork(entry, [], {
      execArgv: ['--import', 'tsx'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const sim = new SimulatedAwsProcess(child);
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`the simulated AWS process exited with code ${code} before it was ready`));
      child.once('exit', onExit);
      child.once('message', (m: FromSimulator) => {
        child.off('exit', onExit);
        if (m.t === 'ready') resolve(sim);
        else reject(new Error(`the simulated AWS process answered ${m.t} before ready`));
      });
      child.send({ t: 'init', nodes, options } satisfies ToSimulator);
    });
  }

  private request<T>(message: (id: number) => ToSimulator): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send(message(id));
    });
  }

  private dispatch(command: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    return this.request((id) => ({ t: 'call', id, op: command.constructor.name.replace(/Command$/, ''), input: command.input }));
  }

  readonly cloudWatch: CloudWatchSender = { send: ((command: { constructor: { name: string }; input: unknown }) => this.dispatch(command)) as CloudWatchSender['send'] };
  readonly ec2: Ec2Sender = { send: ((command: { constructor: { name: string }; input: unknown }) => this.dispatch(command)) as Ec2Sender['send'] };

  stats(): Promise<SimulatorStats> {
    return this.request((id) => ({ t: 'stats', id }));
  }

  close(): void {
    this.child.disconnect();
  }
}
