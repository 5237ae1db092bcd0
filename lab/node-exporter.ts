/**
 * Debian's `prometheus-node-exporter`, run inside a node's namespace, where its netdev collector reads that
 * namespace's interfaces (docs/lab.md, "node_exporter"). The lab scrapes it before and after each phase, from
 * inside the namespace (it listens on the namespace's own 127.0.0.1, which nothing outside reaches), and checks
 * its per-device byte counters moved exactly as the kernel's did. Optional: without the binary the check is
 * reported as not run.
 */
import { spawn } from 'node:child_process';
import type { LabResources } from './resources';
import { inNetns, run } from './shell';

export const NODE_EXPORTER = 'prometheus-node-exporter';
export const NODE_EXPORTER_PORT = 9100;
const LISTEN = `127.0.0.1:${NODE_EXPORTER_PORT}`;
const READY_TIMEOUT_MS = 15_000;

/** Whether the binary is installed; null when it is, else why not. */
export async function whyNoNodeExporter(): Promise<string | null> {
  try {
    await run(['sh', '-c', `command -v ${NODE_EXPORTER}`], { timeoutMs: 5_000, hint: '' });
    return null;
  } catch {
    return `${NODE_EXPORTER} is not installed (Debian: apt-get install prometheus-node-exporter)`;
  }
}

/** node_exporter's text exposition: `node_network_{receive,transmit}_bytes_total{device="X"} V` per device. */
export function parseNetdevMetrics(text: string): Map<string, { rxBytes: number; txBytes: number }> {
  const out = new Map<string, { rxBytes: number; txBytes: number }>();
  for (const line of text.split('\n')) {
    const m = /^node_network_(receive|transmit)_bytes_total\{(?:[^}]*,)?device="([^"]+)"(?:,[^}]*)?\} (\S+)$/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`node_exporter: not a byte count: ${line}`);
    const entry = out.get(m[2]!) ?? { rxBytes: 0, txBytes: 0 };
    out.set(m[2]!, m[1] === 'receive' ? { ...entry, rxBytes: value } : { ...entry, txBytes: value });
  }
  return out;
}

export async function scrape(netns: string, signal?: AbortSignal): Promise<Map<string, { rxBytes: number; txBytes: number }>> {
  const { stdout } = await run(inNetns(netns, ['curl', '-sf', '--max-time', '5', `http://${LISTEN}/metrics`]), { signal, timeoutMs: 10_000, hint: `Scraping node_exporter in ${netns} failed.` });
  return parseNetdevMetrics(stdout);
}

/**
 * Starts node_exporter (netdev collector only) in `netns` and resolves once it answers. Registered in `resources`;
 * `timeout` bounds its life, so even a lab killed with SIGKILL leaves none running for long.
 */
export async function startNodeExporter(netns: string, maxSeconds: number, resources: LabResources, signal?: AbortSignal): Promise<void> {
  const argv = inNetns(netns, ['timeout', String(maxSeconds), NODE_EXPORTER, `--web.listen-address=${LISTEN}`, '--collector.disable-defaults', '--collector.netdev', '--log.level=error']);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  resources.addProcess(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4_000)));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node_exporter in ${netns} exited with ${child.exitCode}: ${stderr.trim()}`);
    try {
      await scrape(netns, signal);
      return;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (Date.now() > deadline) throw new Error(`node_exporter in ${netns} did not answer within ${READY_TIMEOUT_MS} ms: ${(error as Error).message} ${stderr.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
