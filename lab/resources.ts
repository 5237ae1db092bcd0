/**
 * Everything a lab run creates, registered the moment it exists, so teardown finds it whatever failed and
 * whenever: from the run's `finally`, from a SIGINT/SIGTERM handler, or synchronously from an `exit` handler.
 */
import type { ChildProcess } from 'node:child_process';
import { run, runSync } from './shell';

/** A process inside a namespace keeps the namespace alive after `ip netns del`, so processes go first. */
const PROCESS_EXIT_WAIT_MS = 3_000;

export class LabResources {
  private readonly namespaces: string[] = [];
  private readonly processes = new Set<ChildProcess>();
  /** Processes of the whole run (Prometheus), which outlive each topology's teardown. */
  private readonly runProcesses = new Set<ChildProcess>();

  addNetns(name: string): void {
    this.namespaces.push(name);
  }

  addProcess(child: ChildProcess): void {
    this.processes.add(child);
    child.once('exit', () => this.processes.delete(child));
  }

  /** A process that serves every topology of the run: `release()` leaves it, `release({ run: true })` and `releaseSync` stop it. */
  addRunProcess(child: ChildProcess): void {
    this.runProcesses.add(child);
    child.once('exit', () => this.runProcesses.delete(child));
  }

  get isEmpty(): boolean {
    return this.namespaces.length === 0 && this.processes.size === 0 && this.runProcesses.size === 0;
  }

  /** Stops the topology's processes (and the run's, with `run`), then deletes its namespaces (their veths go with them). Returns what could not be removed. */
  async release(options: { run?: boolean } = {}): Promise<string[]> {
    await Promise.all([...this.processes, ...(options.run ? this.runProcesses : [])].map((child) => stopProcess(child)));
    const failures: string[] = [];
    // Newest first: pods, node, server. Deleting a namespace deletes the veth ends in it and their peers.
    for (const name of [...this.namespaces].reverse()) {
      try {
        await run(['ip', 'netns', 'del', name], { timeoutMs: 5_000 });
        this.namespaces.splice(this.namespaces.indexOf(name), 1);
      } catch (error) {
        if (!(await netnsExists(name))) this.namespaces.splice(this.namespaces.indexOf(name), 1);
        else failures.push(`${name}: ${(error as Error).message}`);
      }
    }
    return failures;
  }

  /** Last resort from an `exit` handler: SIGKILL what is left and delete namespaces synchronously. */
  releaseSync(): void {
    for (const child of [...this.processes, ...this.runProcesses]) child.kill('SIGKILL');
    this.processes.clear();
    this.runProcesses.clear();
    for (const name of [...this.namespaces].reverse()) runSync(['ip', 'netns', 'del', name], 5_000);
    this.namespaces.length = 0;
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, PROCESS_EXIT_WAIT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function listNetns(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list'], { timeoutMs: 5_000 });
  // Lines look like `name (id: 3)` or just `name`.
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

async function netnsExists(name: string): Promise<boolean> {
  try {
    return (await listNetns()).includes(name);
  } catch {
    return true;
  }
}
