/**
 * The whole chain (docs/lab.md, "The whole chain"): kernel → node_exporter (in each node's namespace) → a real
 * Prometheus (Debian's, in the host's namespace, scraping every second) → netrecon's PromQL source. Prometheus
 * reaches each node's node_exporter, which listens only on the node namespace's 127.0.0.1, through two
 * forwarders and no network link: the lab's own listener on the host's 127.0.0.1 copies each scrape to a Unix
 * socket in a private directory, and a forwarder inside the node's namespace (traffic/endpoint.ts `forward`)
 * copies it to node_exporter. So nothing is added to the node's devices, and the scrapes cross only the node's
 * `lo`, which node_exporter, the naive sum and corrected all leave out.
 *
 * Phase edges: a phase's PromQL window runs from one whole second to another ([A, B), periods of 1 s), chosen
 * so that the last sample at or before each edge was scraped while the node was idle, between a settled counter
 * read and a read taken after the sample (./phases.ts). The lab's kernel figures and Prometheus' then differ by
 * at most what the node's devices moved between those two reads: the allowance each check prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { pipeServer } from './traffic/pipe-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureNode } from '../lambda/capture/capture';
import { PromqlHttpReader } from '../lambda/sources/promql/http-reader';
import { readPromql } from '../lambda/sources/promql/read-source';
import { promqlSettings, type PromqlSourceSettings } from '../lambda/sources/promql/settings';
import { readAll, type MultiSnapshot } from './counters';
import { NODE_EXPORTER_PORT } from './node-exporter';
import type { LabResources } from './resources';
import { startForwarder } from './traffic';

export const PROMETHEUS_PATH = process.env.NETRECON_PROMETHEUS ?? '/usr/bin/prometheus';
/** How often Prometheus scrapes each node: the "every few seconds", as short as keeps the lab under a minute. */
export const SCRAPE_INTERVAL_SECONDS = 1;
/** A scrape still running this long after it began has failed, so an edge waits this long past its boundary. */
const SCRAPE_TIMEOUT_MS = 250;
const READY_TIMEOUT_MS = 20_000;
const EDGE_TIMEOUT_MS = 10_000;
const JOB = 'netrecon-lab';

/** Why the chain cannot run here, or null when it can. */
export function whyNoPrometheus(): string | null {
  return existsSync(PROMETHEUS_PATH) ? null : `${PROMETHEUS_PATH} is not installed (Debian: apt-get install prometheus)`;
}

/** A phase edge: the whole second B whose last sample (per node) was scraped between the reads `from` and `to`. */
export interface ChainEdge {
  readonly boundarySeconds: number;
  readonly from: MultiSnapshot;
  readonly to: MultiSnapshot;
}

/** What the PromQL source read for one node over a phase's window: per device, rx and tx bytes. */
export interface PromqlNodeRead {
  readonly netns: string;
  readonly interfaces: ReadonlyArray<{ readonly name: string; readonly rxBytes: number; readonly txBytes: number }>;
}

export interface PromqlPhaseRead {
  readonly nodes: readonly PromqlNodeRead[];
  /** What the source skipped (a series, a node), in its words; a clean read skips nothing. */
  readonly skipped: readonly string[];
  readonly queries: number;
  readonly samples: number;
}

export interface ChainNode {
  readonly netns: string;
  readonly instanceId: string;
  readonly nodeName: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('lab: no port for a forwarder'));
    });
  });
}

/** The host side of a node's scrape path: 127.0.0.1:PORT → the node's Unix socket. */
function socketForwarder(path: string): Server {
  return pipeServer(() => connect(path));
}

/**
 * Prometheus' configuration: one target per slot, its `instance` label set to `SLOT:9100` (node_exporter's port),
 * as kube-prometheus sets it to `NODE_NAME:9100`, so the source matches it the same way.
 */
export function prometheusConfig(targets: ReadonlyArray<{ readonly address: string; readonly slot: string }>): string {
  const groups = targets.map((t) => `      - targets: ['${t.address}']\n        labels: { instance: '${t.slot}:${NODE_EXPORTER_PORT}' }`).join('\n');
  return `global:\n  scrape_interval: ${SCRAPE_INTERVAL_SECONDS}s\n  scrape_timeout: ${SCRAPE_TIMEOUT_MS}ms\nscrape_configs:\n  - job_name: ${JOB}\n    static_configs:\n${groups}\n`;
}

/** A node's place in Prometheus' configuration, fixed before any topology is built: `<topology tag>-<node key>`. */
export const slotOf = (topologyTag: string, nodeKey: string): string => `${topologyTag}-${nodeKey}`;

export class LabChain {
  readonly settings: PromqlSourceSettings;
  readonly reader: PromqlHttpReader;
  private nodes: ReadonlyArray<ChainNode & { readonly slot: string }> = [];

  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly servers: readonly Server[],
    private readonly child: ChildProcess | undefined,
    private readonly slots: readonly string[] = [],
  ) {
    // The source as `reconcile --promql-url URL --promql-kind prometheus --promql-scrape-interval 1` configures it; no cAdvisor in the lab.
    this.settings = promqlSettings({ kind: 'prometheus', url, scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS, pods: false, timeoutMs: 10_000 });
    this.reader = new PromqlHttpReader({ baseUrl: this.settings.url, timeoutMs: this.settings.timeoutMs });
  }

  private socketOf(slot: string): string {
    return join(this.dir, `${slot}.sock`);
  }

  /**
   * Starts Prometheus once for the run, with a target per slot (every node any selected topology may have), and
   * resolves once it is ready. Prometheus hands a new target set to its scrapers only every 5 s, so the targets
   * are fixed here and a slot's target answers once `attach` starts its node's forwarder. Registered as a run
   * process in `resources`; `stop` ends it.
   */
  static async start(slots: readonly string[], maxSeconds: number, resources: LabResources, signal?: AbortSignal): Promise<LabChain> {
    const dir = await mkdtemp(join(tmpdir(), 'netrecon-lab-chain-'));
    const servers: Server[] = [];
    let chain = new LabChain('http://127.0.0.1:0', dir, servers, undefined);
    try {
      const targets = [];
      for (const slot of slots) {
        const server = socketForwarder(chain.socketOf(slot));
        servers.push(server);
        targets.push({ address: `127.0.0.1:${await listen(server)}`, slot });
      }
      const config = join(dir, 'prometheus.yml');
      await writeFile(config, prometheusConfig(targets));
      const probe = createServer();
      const port = await listen(probe);
      await new Promise((resolve) => probe.close(resolve));
      const url = `http://127.0.0.1:${port}`;
      const argv = ['timeout', String(maxSeconds), PROMETHEUS_PATH, `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
      resources.addRunProcess(child);
      chain = new LabChain(url, dir, servers, child, slots);
      let log = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (log = (log + c).slice(-4_000)));
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${log.trim()}`);
        try {
          if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok) return chain;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`prometheus on ${url} was not ready within ${READY_TIMEOUT_MS} ms: ${log.trim()}`);
        await sleep(100);
      }
    } catch (error) {
      await chain.stop();
      throw error;
    }
  }

  /** A topology's nodes (node_exporter running in each): their forwarders, registered with the topology's processes. */
  async attach(nodes: ReadonlyArray<ChainNode & { readonly slot: string }>, maxSeconds: number, resources: LabResources, signal?: AbortSignal): Promise<void> {
    const unknown = nodes.filter((n) => !this.slots.includes(n.slot));
    if (unknown.length > 0) throw new Error(`lab: Prometheus has no target for ${unknown.map((n) => n.slot).join(', ')} (its targets: ${this.slots.join(', ')}); add the node's slot in lab.ts`);
    this.nodes = nodes;
    await Promise.all(nodes.map((n) => startForwarder(n.netns, this.socketOf(n.slot), '127.0.0.1', NODE_EXPORTER_PORT, maxSeconds, resources, signal)));
  }

  /**
   * An edge after the settled read `from`: waits until every node has a successful scrape that began after it,
   * takes B as the whole second at or after the latest of those, waits until any scrape begun by B has ended,
   * and reads the nodes' counters again (`to`). The last sample at or before B was then taken between the two.
   */
  async edge(from: MultiSnapshot, signal?: AbortSignal): Promise<ChainEdge> {
    const startSeconds = Date.now() / 1000;
    const deadline = Date.now() + EDGE_TIMEOUT_MS;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const instances = this.nodes.map((n) => `${n.slot}:${NODE_EXPORTER_PORT}`).join('|');
      // timestamp() of a bare selector is the sample's own time (of any other expression, the evaluation's), so the
      // filter on a successful scrape is applied beside it with `and`.
      const up = `up{job="${JOB}",instance=~"${instances}"}`;
      const answer = (await this.reader.instant(`timestamp(${up}) and ${up} == 1`, Date.now() / 1000)) as { data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      const times = (answer.data?.result ?? []).map((r) => Number(r.value[1]));
      if (times.length === this.nodes.length && times.every((t) => t > startSeconds)) {
        const boundarySeconds = Math.ceil(Math.max(...times));
        await sleep(Math.max(0, boundarySeconds * 1000 + SCRAPE_TIMEOUT_MS + 50 - Date.now()));
        return { boundarySeconds, from, to: await readAll([...from.keys()], signal) };
      }
      if (Date.now() > deadline) throw new Error(`prometheus (${this.url}) has no new scrape of every node within ${EDGE_TIMEOUT_MS} ms: ${JSON.stringify(answer).slice(0, 500)}`);
      await sleep(100);
    }
  }

  /** The nodes' per-device bytes over [start, end) through netrecon's PromQL source, 1-second periods summed. */
  async read(windowStartSeconds: number, windowEndSeconds: number): Promise<PromqlPhaseRead> {
    // The inventory as the source sees it: each node's name is its slot, the `instance` Prometheus gives its series.
    const nodes: CaptureNode[] = this.nodes.map((n) => ({ instanceId: n.instanceId, nodeName: n.slot, instanceType: 'netrecon-lab', launchTime: new Date((windowStartSeconds - 60) * 1000).toISOString(), state: 'running' }));
    const read = await readPromql({ cluster: JOB, nodes, windowStartSeconds, windowEndSeconds, periodSeconds: 1, settings: this.settings, reader: this.reader });
    return {
      nodes: this.nodes.map((node) => {
        const byDevice = new Map<string, { name: string; rxBytes: number; txBytes: number }>();
        for (const d of read.devices.filter((x) => x.instanceId === node.instanceId)) {
          const entry = byDevice.get(d.device) ?? { name: d.device, rxBytes: 0, txBytes: 0 };
          const bytes = [...d.periods.bytes.values()].reduce((a, b) => a + b, 0);
          byDevice.set(d.device, d.direction === 'rx' ? { ...entry, rxBytes: bytes } : { ...entry, txBytes: bytes });
        }
        return { netns: node.netns, interfaces: [...byDevice.values()].sort((a, b) => a.name.localeCompare(b.name)) };
      }),
      skipped: [...read.skipped.map((s) => `${s.ref}: ${s.reason}`), ...read.warnings],
      queries: read.queries,
      samples: read.samples,
    };
  }

  /** At the run's end, or when it fails: Prometheus, the host-side listeners, the directory. */
  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child!.once('exit', resolve));
      this.child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      this.child.kill('SIGKILL');
    }
    // Not awaited: a connection Prometheus left open would hold close() back; unref lets the process end regardless.
    for (const s of this.servers) s.close().unref();
    await rm(this.dir, { recursive: true, force: true });
  }
}
