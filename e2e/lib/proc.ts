/** Child processes of the suite: output captured (and logged to a file), stopped on Ctrl-C with the rest. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { onCleanup, stopChild } from './cleanup';

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Where stdout and stderr (interleaved) are written when the process ends. */
  readonly logPath?: string;
  /** Resolve with the output even when the exit code is not 0 (the caller inspects `code`). */
  readonly allowFailure?: boolean;
  /** Called with the child once started (the fault suite kills the handler's process between two puts). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
  readonly seconds: number;
}

export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const unregister = onCleanup(`${command} ${args[0] ?? ''}`, () => stopChild(child), () => child.kill('SIGKILL'));
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (d) => ((stdout += d), (output += d)));
    child.stderr.on('data', (d) => ((stderr += d), (output += d)));
    child.on('error', (error) => (unregister(), reject(error)));
    child.on('close', (code, signal) => {
      unregister();
      if (options.logPath) writeFileSync(options.logPath, output);
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr, output, seconds: (performance.now() - started) / 1000 };
      if (result.code === 0 || options.allowFailure) resolve(result);
      else {
        const tail = output.trimEnd().split('\n').slice(-25).join('\n');
        reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}${options.logPath ? ` (log: ${options.logPath})` : ''}:\n${tail}`));
      }
    });
  });
}

/** runProcess that resolves with the combined output and rejects on a non-zero exit. */
export async function run(command: string, args: readonly string[], options: Omit<RunOptions, 'allowFailure'> = {}): Promise<string> {
  return (await runProcess(command, args, options)).output;
}
