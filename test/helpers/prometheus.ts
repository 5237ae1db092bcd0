/**
 * A REAL Prometheus server for the PromQL source's tests (never a hand-written fake of PromQL): Debian's
 * `prometheus` 2.42 and `promtool`. Series written as OpenMetrics text are turned into TSDB blocks with
 * `promtool tsdb create-blocks-from openmetrics`, and a server started on them answers the HTTP API on a free
 * local port. 2.42 speaks the classic label syntax only; the CloudWatch dialect is checked against Prometheus 3's
 * grammar instead (test/sources/promql/dialect.test.ts).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const PROMETHEUS_PATH = process.env.NETRECON_PROMETHEUS ?? '/usr/bin/prometheus';
export const PROMTOOL_PATH = process.env.NETRECON_PROMTOOL ?? '/usr/bin/promtool';

/** Why the real-Prometheus tests cannot run here, or null when they can. */
export function prometheusMissing(): string | null {
  const missing = [PROMETHEUS_PATH, PROMTOOL_PATH].filter((p) => !existsSync(p));
  return missing.length === 0 ? null : `no ${missing.join(' nor ')}: install Debian's package (apt-get update && apt-get install -y prometheus)`;
}

/** One OpenMetrics sample line: `name{labels} value timestampSeconds`. */
export interface OmSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timeSeconds: number;
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** OpenMetrics text: samples grouped by metric name and series, each series in time order, then `# EOF`. */
export function openMetricsText(samples: readonly OmSample[]): string {
  const byName = new Map<string, Map<string, OmSample[]>>();
  for (const s of samples) {
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${esc(v)}"`)
      .join(',');
    let series = byName.get(s.name);
    if (!series) byName.set(s.name, (series = new Map()));
    const list = series.get(labels) ?? [];
    list.push(s);
    series.set(labels, list);
  }
  const lines: string[] = [];
  for (const [name, series] of byName) {
    for (const [labels, list] of series) {
      for (const s of [...list].sort((a, b) => a.timeSeconds - b.timeSeconds)) lines.push(`${name}{${labels}} ${s.value} ${s.timeSeconds}`);
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

/** Loads the samples into a fresh TSDB and starts a server on it; resolves once /-/ready answers. */
export async function startPrometheus(samples: readonly OmSample[]): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'netrecon-prometheus-'));
  const input = join(dir, 'series.om');
  const data = join(dir, 'data');
  const config = join(dir, 'prometheus.yml');
  await writeFile(input, openMetricsText(samples));
  await writeFile(config, 'global: {}\n');
  await promisify(execFile)(PROMTOOL_PATH, ['tsdb', 'create-blocks-from', 'openmetrics', input, data]);
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_PATH,
    [`--config.file=${config}`, `--storage.tsdb.path=${data}`, '--storage.tsdb.retention.time=100y', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => void (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${log}`);
    }
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus on ${url} not ready within 30 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop };
}
