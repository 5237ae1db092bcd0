/**
 * The kernel's own per-interface byte counters, read from `/proc/net/dev` inside the node's namespace: the
 * file cAdvisor reads (as `/proc/1/net/dev`) and the one the CloudWatch agent's `net` plugin reads through
 * gopsutil.
 */
import { inNetns, run } from './shell';

export interface InterfaceCounters {
  readonly name: string;
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly txBytes: number;
  readonly txPackets: number;
}

export type CounterSnapshot = ReadonlyMap<string, InterfaceCounters>;

/** What an interface moved between two snapshots: the same fields as the counters themselves. */
export type InterfaceDelta = InterfaceCounters;

export class CounterError extends Error {
  constructor(
    message: string,
    readonly value: unknown,
  ) {
    super(`${message}: ${JSON.stringify(value)}`);
    this.name = 'CounterError';
  }
}

/** Parses `/proc/net/dev`: two header lines, then `name: rx(bytes packets errs drop fifo frame compressed multicast) tx(bytes packets …)`. */
export function parseProcNetDev(text: string): Map<string, InterfaceCounters> {
  const counters = new Map<string, InterfaceCounters>();
  for (const line of text.split('\n').slice(2)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0) throw new CounterError('not a /proc/net/dev line', line);
    const name = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (fields.length < 16 || fields.some((f) => !Number.isSafeInteger(f) || f < 0)) {
      throw new CounterError(`expected 16 counters for ${name}`, line);
    }
    // Length checked above: fields 0, 1, 8 and 9 exist.
    counters.set(name, { name, rxBytes: fields[0]!, rxPackets: fields[1]!, txBytes: fields[8]!, txPackets: fields[9]! });
  }
  return counters;
}

/** What each interface moved between two snapshots. An interface that vanished or a counter that went back is an error: the lab never deletes links mid-run. */
export function counterDelta(before: CounterSnapshot, after: CounterSnapshot): InterfaceDelta[] {
  const deltas: InterfaceDelta[] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? { name, rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 };
    const delta = {
      name,
      rxBytes: a.rxBytes - b.rxBytes,
      txBytes: a.txBytes - b.txBytes,
      rxPackets: a.rxPackets - b.rxPackets,
      txPackets: a.txPackets - b.txPackets,
    };
    if (Object.values(delta).some((v) => typeof v === 'number' && v < 0)) throw new CounterError(`counter of ${name} went backwards`, { before: b, after: a });
    deltas.push(delta);
  }
  for (const name of before.keys()) {
    if (!after.has(name)) throw new CounterError('interface disappeared during a phase', name);
  }
  return deltas.sort((x, y) => x.name.localeCompare(y.name));
}

export async function readCounters(netns: string, signal?: AbortSignal): Promise<CounterSnapshot> {
  const { stdout } = await run(inNetns(netns, ['cat', '/proc/net/dev']), { signal, timeoutMs: 5_000 });
  return parseProcNetDev(stdout);
}

function sameCounters(a: CounterSnapshot, b: CounterSnapshot): boolean {
  if (a.size !== b.size) return false;
  for (const [name, x] of a) {
    const y = b.get(name);
    if (!y || x.rxBytes !== y.rxBytes || x.txBytes !== y.txBytes || x.rxPackets !== y.rxPackets || x.txPackets !== y.txPackets) return false;
  }
  return true;
}

export interface SettleOptions {
  readonly intervalMs: number;
  readonly maxReads: number;
}

/** Both TCP ends need a moment after the client exits (last ACK, FIN exchange) before a phase's counters stop moving. */
export const DEFAULT_SETTLE: SettleOptions = { intervalMs: 100, maxReads: 30 };

/** Counters of several namespaces read together: netns -> its snapshot. */
export type MultiSnapshot = ReadonlyMap<string, CounterSnapshot>;

export async function readAll(netnsList: readonly string[], signal?: AbortSignal): Promise<MultiSnapshot> {
  const snapshots = await Promise.all(netnsList.map((netns) => readCounters(netns, signal)));
  return new Map(netnsList.map((netns, i) => [netns, snapshots[i]!]));
}

export const sameAll = (a: MultiSnapshot, b: MultiSnapshot): boolean => [...a].every(([netns, x]) => sameCounters(x, b.get(netns) ?? new Map()));

/**
 * Reads the namespaces' counters until two consecutive reads agree in every namespace (or `maxReads` is reached),
 * so a phase's late ACKs and FINs are counted in that phase and not in the next, on the node and in the pods
 * alike. Returns the last read and whether it settled.
 */
export async function readSettledCounters(
  netnsList: readonly string[],
  options: SettleOptions = DEFAULT_SETTLE,
  signal?: AbortSignal,
): Promise<{ snapshots: MultiSnapshot; settled: boolean; reads: number }> {
  let previous = await readAll(netnsList, signal);
  for (let reads = 2; reads <= options.maxReads; reads++) {
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    const current = await readAll(netnsList, signal);
    if (sameAll(previous, current)) return { snapshots: current, settled: true, reads };
    previous = current;
  }
  return { snapshots: previous, settled: false, reads: options.maxReads };
}
