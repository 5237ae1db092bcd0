/**
 * Child processes for the lab: every one has a deadline and follows the run's abort signal, so a hung `ip` or
 * transfer can never keep the lab (or its namespaces) alive.
 */
import { spawn, spawnSync } from 'node:child_process';

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
/** Output kept from a child, so a runaway one cannot fill memory. */
const MAX_OUTPUT_CHARS = 1_000_000;

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderr: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    const how = signal ? `was killed by ${signal}` : `exited with ${exitCode}`;
    const detail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
    // A program passed inline (`node --eval SOURCE`) is named by its size, not printed whole.
    const shown = argv.map((a) => (a.length > 200 ? `<${a.length} characters>` : a));
    super(`\`${shown.join(' ')}\` ${how}${detail}.${hint ? ` ${hint}` : ''}`, options);
    this.name = 'CommandError';
  }
}

export interface RunOptions {
  /** Killed with SIGKILL after this long. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly input?: string | undefined;
  readonly cwd?: string | undefined;
  /** Shown in the error when the command fails. */
  readonly hint?: string | undefined;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

function append(kept: string, chunk: string): string {
  return kept.length >= MAX_OUTPUT_CHARS ? kept : (kept + chunk).slice(0, MAX_OUTPUT_CHARS);
}

/** Runs a command to completion; rejects with a CommandError unless it exits with 0 in time. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty command');
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const hint = options.hint ?? 'See the command output above.';
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason);
      return;
    }
    const child = spawn(file, args, {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      signal: options.signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout = append(stdout, c)));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = append(stderr, c)));
    child.stdin.on('error', () => undefined); // a child that exits early closes its stdin under us
    child.stdin.end(options.input ?? '');
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(options.signal?.reason ?? error);
      else if (error.code === 'ENOENT') reject(new CommandError(argv, null, null, '', `${file} is not installed.`, { cause: error }));
      else reject(new CommandError(argv, null, null, stderr, hint, { cause: error }));
    });
    child.on('close', (code, signal) => {
      if (options.signal?.aborted) reject(options.signal.reason);
      else if (code === 0) resolve({ stdout, stderr });
      else if (signal === 'SIGKILL') reject(new CommandError(argv, code, signal, stderr, `It did not finish within ${timeoutMs} ms.`));
      else reject(new CommandError(argv, code, signal, stderr, hint));
    });
  });
}

/** Synchronous variant for the last-resort teardown in an exit handler, where nothing asynchronous runs any more. */
export function runSync(argv: readonly string[], timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): { ok: boolean; stderr: string } {
  const [file, ...args] = argv;
  if (!file) return { ok: false, stderr: 'empty command' };
  const result = spawnSync(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  return { ok: result.status === 0, stderr: result.stderr ?? String(result.error ?? '') };
}

/** `ip netns exec NS argv…`: the command runs with the namespace's network stack (and /proc/net). */
export function inNetns(netns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', netns, ...argv];
}
