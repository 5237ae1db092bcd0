/**
 * moto's server for one suite run: on `localhost` (moto's CloudFormation resolves a template URL as
 * path-style S3 only when the host is `localhost`), on a free port, logging to a file, stopped at the end,
 * on failure and on Ctrl-C. Started through e2e/moto/server.py, which applies the harness's workarounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { onCleanup, stopChild } from './cleanup';
import { E2E_DIR } from './sandbox';

export const HOST = 'localhost';
const READY_TIMEOUT_MS = 30_000;

export interface Emulator {
  readonly endpoint: string;
  readonly port: number;
  readonly logPath: string;
  readonly pid: number;
  /** The `netrecon-e2e: patch ...` lines the launcher printed: which workarounds are active. */
  patches(): string[];
  /** Types the CloudFormation placeholder patch stood in for (deployed as nothing). */
  placeholders(): string[];
  /** Requests the emulator answered so far, by `service:Operation`. */
  calls(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly workDir: string;
  /** Run moto without the harness's patches (the defect probes do). Default false. */
  readonly unpatched?: boolean;
  /** Label for the log file name. Default `moto`. */
  readonly name?: string;
  /** RunInstances backdates LaunchTime by this much (moto launches "now"). Default 0. */
  readonly ec2LaunchAgeSeconds?: number;
}

/** A port nobody listens on right now (there is a small race until moto binds it; start() retries once). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(endpoint: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto exited with code ${child.exitCode} before it was ready; its log (${logPath}) ends with:\n${tail(logPath)}`);
    }
    try {
      // Our launcher's own endpoint: proves the process on this port is the one we started.
      const response = await fetch(`${endpoint}/netrecon-e2e/calls`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`moto did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s; see ${logPath}:\n${tail(logPath)}`);
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function startOnce(options: StartOptions): Promise<Emulator> {
  const port = await freePort();
  const endpoint = `http://${HOST}:${port}`;
  const logPath = join(options.workDir, `${options.name ?? 'moto'}.log`);
  const logFd = openSync(logPath, 'a');
  const child = spawn('python3', [join(E2E_DIR, 'moto', 'server.py'), '-H', HOST, '-p', String(port)], {
    stdio: ['ignore', logFd, logFd],
    env: {
      ...process.env,
      NETRECON_E2E_MOTO_PATCHES: options.unpatched ? 'none' : 'all',
      NETRECON_E2E_EC2_LAUNCH_AGE_SECONDS: String(options.ec2LaunchAgeSeconds ?? 0),
      PYTHONUNBUFFERED: '1',
    },
  });
  closeSync(logFd);
  const stop = () => stopChild(child);
  const unregister = onCleanup(`moto on port ${port}`, stop, () => child.kill('SIGKILL'));
  try {
    await waitReady(endpoint, child, logPath);
  } catch (error) {
    await stop();
    unregister();
    throw error;
  }
  const launcherLines = (prefix: string) =>
    readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`netrecon-e2e: ${prefix}`))
      .map((l) => l.slice(`netrecon-e2e: ${prefix}`.length).trim());
  return {
    endpoint,
    port,
    logPath,
    pid: child.pid!,
    patches: () => launcherLines('patch '),
    placeholders: () => [...new Set(launcherLines('placeholder type '))],
    calls: async () => (await (await fetch(`${endpoint}/netrecon-e2e/calls`)).json()) as Record<string, number>,
    stop: async () => {
      await stop();
      unregister();
    },
  };
}

export async function startEmulator(options: StartOptions): Promise<Emulator> {
  try {
    return await startOnce(options);
  } catch (error) {
    // The port may have been taken between freePort() and moto's bind; one retry on a new port.
    if (!/Address already in use/.test(String((error as Error).message))) throw error;
    return startOnce(options);
  }
}

/** Per-operation difference between two call snapshots (what one step cost). */
export function callsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d > 0) diff[op] = d;
  }
  return diff;
}
