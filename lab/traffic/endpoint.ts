/**
 * The lab's traffic endpoints, run inside a namespace with `ip netns exec NS node --import tsx endpoint.ts …`.
 * Node's own http module on both ends, so the lab needs nothing beyond Node and iproute2.
 *
 *   serve --host IP --port P --max-seconds S
 *       GET /bytes/<n> answers n bytes (Content-Length). Prints one JSON line once listening. Exits when its
 *       stdin closes (the lab went away), on SIGTERM, or after S seconds whatever happens.
 *   fetch --url URL --expect-bytes N --timeout-ms T
 *       Downloads URL, counts the body bytes the application received, prints {"bytes","ms"} as JSON.
 *       Exits 1 if the status is not 200, the count differs from N, or T passes.
 *   forward --unix PATH --to-host IP --to-port P --max-seconds S
 *       Listens on the Unix socket PATH and copies each connection to IP:P, both ways. Unix sockets live in the
 *       file system, not in a network namespace, so a process outside the namespace (Prometheus, through the lab's
 *       own listener on 127.0.0.1) reaches a port that only the namespace's loopback has, with no link added to it
 *       (docs/lab.md, "The whole chain"). Prints one JSON line once listening; exits as `serve` does.
 */
import http from 'node:http';
import net from 'node:net';
import { pipeServer } from './pipe-server';

/** Upper bound of one response, so a typo cannot make a server stream forever. */
const MAX_RESPONSE_BYTES = 4 * 1024 ** 3;
const CHUNK = Buffer.alloc(256 * 1024, 0x5a);

function flag(args: readonly string[], name: string): string {
  const i = args.indexOf(name);
  const value = i >= 0 ? args[i + 1] : undefined;
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
}

function positiveInt(args: readonly string[], name: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(flag(args, name));
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) throw new Error(`${name} must be a whole number from 1 to ${max}, got ${flag(args, name)}`);
  return value;
}

function writeBytes(res: http.ServerResponse, total: number): void {
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const size = Math.min(left, CHUNK.length);
      left -= size;
      const more = res.write(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size));
      if (!more && left > 0) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

function serve(args: readonly string[]): void {
  const host = flag(args, '--host');
  const port = positiveInt(args, '--port', 65_535);
  const maxSeconds = positiveInt(args, '--max-seconds', 24 * 3600);
  const server = http.createServer((req, res) => {
    const match = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
    const size = match ? Number(match[1]) : NaN;
    if (req.method !== 'GET' || !Number.isSafeInteger(size) || size > MAX_RESPONSE_BYTES) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`use GET /bytes/<n>, n <= ${MAX_RESPONSE_BYTES}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    writeBytes(res, size);
  });
  const stop = (code: number): void => {
    server.close();
    server.closeAllConnections();
    process.exit(code);
  };
  exitWithTheLab(maxSeconds, stop);
  server.on('error', (error) => {
    process.stderr.write(`endpoint serve: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(port, host, () => process.stdout.write(`${JSON.stringify({ listening: `${host}:${port}`, pid: process.pid })}\n`));
}

/** Ends the process when the lab goes away (its end of stdin closes), on SIGTERM, or after `maxSeconds`. */
function exitWithTheLab(maxSeconds: number, stop: (code: number) => void): void {
  setTimeout(() => stop(0), maxSeconds * 1000).unref();
  process.on('SIGTERM', () => stop(0));
  process.stdin.on('end', () => stop(0)).on('error', () => stop(0)).resume();
}

function forward(args: readonly string[]): void {
  const path = flag(args, '--unix');
  const host = flag(args, '--to-host');
  const port = positiveInt(args, '--to-port', 65_535);
  const maxSeconds = positiveInt(args, '--max-seconds', 24 * 3600);
  const server = pipeServer(() => net.connect(port, host));
  exitWithTheLab(maxSeconds, (code) => {
    server.close();
    process.exit(code);
  });
  server.on('error', (error) => {
    process.stderr.write(`endpoint forward: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(path, () => process.stdout.write(`${JSON.stringify({ listening: path, forwardsTo: `${host}:${port}`, pid: process.pid })}\n`));
}

function fetchBytes(args: readonly string[]): void {
  const url = flag(args, '--url');
  const expectBytes = positiveInt(args, '--expect-bytes', MAX_RESPONSE_BYTES);
  const timeoutMs = positiveInt(args, '--timeout-ms', 3_600_000);
  const started = process.hrtime.bigint();
  const fail = (message: string): never => {
    process.stderr.write(`endpoint fetch ${url}: ${message}\n`);
    process.exit(1);
  };
  const req = http.get(url, { agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
    if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
    let bytes = 0;
    res.on('data', (chunk: Buffer) => (bytes += chunk.length));
    res.on('end', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (bytes !== expectBytes) fail(`received ${bytes} bytes, expected ${expectBytes}`);
      process.stdout.write(`${JSON.stringify({ bytes, ms })}\n`);
    });
    res.on('error', (error) => fail(error.message));
  });
  req.on('error', (error) => fail(error.name === 'AbortError' ? `no complete answer within ${timeoutMs} ms` : error.message));
}

const [mode, ...rest] = process.argv.slice(2);
try {
  if (mode === 'serve') serve(rest);
  else if (mode === 'fetch') fetchBytes(rest);
  else if (mode === 'forward') forward(rest);
  else throw new Error(`unknown mode ${JSON.stringify(mode)}; use serve, fetch or forward`);
} catch (error) {
  process.stderr.write(`endpoint: ${(error as Error).message}\n`);
  process.exit(2);
}
