/**
 * Starts HTTP servers and runs downloads inside the lab's namespaces (the program is ./traffic/endpoint.ts).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { LabResources } from './resources';
import { CommandError, inNetns, run } from './shell';

/** The repository root: the working directory of every endpoint process. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENDPOINT = fileURLToPath(new URL('./traffic/endpoint.ts', import.meta.url));
const SERVER_READY_TIMEOUT_MS = 15_000;

let endpointSource: string | null = null;

/**
 * The endpoint compiled once per run to plain JavaScript (esbuild, as the Lambda bundle is) and handed to Node with
 * `--eval`, so each of the run's dozens of servers and clients starts with Node alone, half a second sooner than
 * through tsx's loader, and no file is written: nothing in a shared temporary directory for root to run, nothing
 * left behind by a run that dies.
 */
function compiledEndpoint(): string {
  endpointSource ??= buildSync({ entryPoints: [ENDPOINT], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent' }).outputFiles[0]!.text;
  return endpointSource;
}

/** `node --eval SOURCE endpoint ARGS…`: with --eval the first argument after the source is argv[1], so `endpoint` keeps ARGS at argv[2…] as when run from a file. */
function endpointArgv(netns: string, args: readonly string[]): string[] {
  return inNetns(netns, [process.execPath, '--eval', compiledEndpoint(), 'endpoint', ...args]);
}

/**
 * Starts a server in `netns` and resolves once it listens. The process is registered in `resources`; it also
 * exits by itself when the lab's end of its stdin closes or after `maxSeconds`, so even a lab killed with
 * SIGKILL leaves no server running for long.
 */
export function startServer(
  netns: string,
  host: string,
  port: number,
  maxSeconds: number,
  resources: LabResources,
  signal?: AbortSignal,
): Promise<void> {
  return startListening(netns, ['serve', '--host', host, '--port', String(port), '--max-seconds', String(maxSeconds)], resources, signal);
}

/**
 * Starts a forwarder in `netns` from the Unix socket `path` to `host:port` there (endpoint.ts `forward`), with the
 * same lifetime rules as a server.
 */
export function startForwarder(netns: string, path: string, host: string, port: number, maxSeconds: number, resources: LabResources, signal?: AbortSignal): Promise<void> {
  return startListening(netns, ['forward', '--unix', path, '--to-host', host, '--to-port', String(port), '--max-seconds', String(maxSeconds)], resources, signal);
}

/** Runs an endpoint mode that prints one line once it listens, and resolves then. */
function startListening(netns: string, endpointArgs: readonly string[], resources: LabResources, signal?: AbortSignal): Promise<void> {
  const argv = endpointArgv(netns, endpointArgs);
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  resources.addProcess(child);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (error: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.kill('SIGKILL');
      reject(error);
    };
    const onAbort = (): void => fail(signal?.reason as Error);
    const timer = setTimeout(
      () => fail(new CommandError(argv, null, null, stderr, `The server did not listen within ${SERVER_READY_TIMEOUT_MS} ms.`)),
      SERVER_READY_TIMEOUT_MS,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdin.on('error', () => undefined);
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-10_000)));
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.stdout.removeAllListeners('data').resume();
      resolve();
    });
    child.on('error', (error) => fail(error));
    child.on('exit', (code, sig) => fail(new CommandError(argv, code, sig, stderr, 'The server exited before it listened.')));
  });
}

export interface DownloadResult {
  /** Body bytes the client application received. */
  readonly bytes: number;
  readonly ms: number;
}

/** Downloads `bytes` bytes from `serverUrl` with a client running in `netns`. */
export async function download(
  netns: string,
  serverUrl: string,
  bytes: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<DownloadResult> {
  const argv = endpointArgv(netns, ['fetch', '--url', `${serverUrl}/bytes/${bytes}`, '--expect-bytes', String(bytes), '--timeout-ms', String(timeoutMs)]);
  // The child's own deadline is the transfer's; the outer one adds room for Node's start-up.
  const { stdout } = await run(argv, { cwd: REPO_ROOT, timeoutMs: timeoutMs + 15_000, signal, hint: `The download in ${netns} failed.` });
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Partial<DownloadResult>;
  if (typeof result.bytes !== 'number' || typeof result.ms !== 'number') throw new Error(`unexpected client output in ${netns}: ${stdout}`);
  return { bytes: result.bytes, ms: result.ms };
}
