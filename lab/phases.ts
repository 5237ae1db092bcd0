/**
 * One measured phase: the counters of every namespace of the topology but the VPC (nodes, pods, health
 * endpoints) are read, settled, before and after the phase's downloads, and the difference is that phase's
 * traffic. The phases themselves are defined with their topologies (./topologies.ts).
 */
import { counterDelta, type CounterSnapshot, type InterfaceDelta, type MultiSnapshot, readAll, readSettledCounters, sameAll } from './counters';
import type { PhaseId } from './topologies';
import type { BuiltTopology, PhasePlan, TopologyId } from './topology';
import { scrape } from './node-exporter';
import type { ChainEdge, LabChain, PromqlPhaseRead } from './prometheus';
import { download } from './traffic';

export { PHASE_IDS, type PhaseId } from './topologies';

export interface PhaseMeasurement {
  readonly id: PhaseId;
  readonly topology: TopologyId;
  readonly title: string;
  readonly path: string;
  /** Body bytes the client applications received, all transfers together (counted by the clients, not the kernel). */
  readonly appBytes: number;
  /** The longest transfer's duration. */
  readonly transferMs: number;
  /** Kernel counter deltas of every interface, `lo` included, per namespace (nodes, pods, health endpoints). */
  readonly namespaces: ReadonlyArray<{ readonly netns: string; readonly interfaces: readonly InterfaceDelta[] }>;
  /** False when the counters were still moving at the last read (the figures may then miss a few late packets). */
  readonly countersSettled: boolean;
  /** What node_exporter, scraped right after each settled read, says each node's devices moved; absent when it did not run. */
  readonly nodeExporter?: ReadonlyArray<{ readonly netns: string; readonly interfaces: ReadonlyArray<{ readonly name: string; readonly rxBytes: number; readonly txBytes: number }> }>;
  /** The whole chain (./prometheus.ts), when Prometheus ran: the phase's PromQL window and what it read. */
  readonly chain?: PhaseChain;
}

export interface PhaseChain {
  /** The PromQL window [start, end), whole seconds. */
  readonly windowStartSeconds: number;
  readonly windowEndSeconds: number;
  /**
   * Per node, what each device moved between the reads that bracket the window's edge samples and the phase's
   * settled reads: the most Prometheus' figures can differ from the kernel's (docs/lab.md, "The whole chain").
   */
  readonly edgeDeltas: ReadonlyArray<{ readonly netns: string; readonly interfaces: readonly InterfaceDelta[] }>;
  /** The end edge, which the next phase of the topology starts from (nothing moves between them). */
  readonly endEdge: ChainEdge;
  /** Filled after the topology's phases: what netrecon's PromQL source read over the window. */
  readonly read?: PromqlPhaseRead;
}

/** Per device, the sum of what it moved in two intervals between snapshots. */
function addDeltas(a: readonly InterfaceDelta[], b: readonly InterfaceDelta[]): InterfaceDelta[] {
  const out = new Map<string, InterfaceDelta>(a.map((d) => [d.name, d]));
  for (const d of b) {
    const x = out.get(d.name);
    out.set(d.name, x ? { name: d.name, rxBytes: x.rxBytes + d.rxBytes, txBytes: x.txBytes + d.txBytes, rxPackets: x.rxPackets + d.rxPackets, txPackets: x.txPackets + d.txPackets } : d);
  }
  return [...out.values()].sort((x, y) => x.name.localeCompare(y.name));
}

/** The namespaces whose counters a phase reads: all but the VPC's. */
export const measuredNamespaces = (topology: BuiltTopology): string[] => topology.namespaces.filter((n) => n.kind !== 'vpc').map((n) => n.netns);

/** Scrapes every exporter at once; netns -> device -> counters. */
const scrapeAll = async (exporters: readonly string[], signal?: AbortSignal) => new Map(await Promise.all(exporters.map(async (netns) => [netns, await scrape(netns, signal)] as const)));

/** How many times a settled read and its node_exporter scrape are taken again when a frame (a late ARP probe) fell between them. */
const SCRAPE_ATTEMPTS = 5;

/**
 * A settled read of the counters and, when node_exporter runs, its scrape of the same moment: the node counters
 * are read once more after the scrape and the pair is taken again if anything moved in between.
 */
async function settledRead(measured: readonly string[], exporters: readonly string[], signal?: AbortSignal) {
  for (let attempt = 1; ; attempt++) {
    const settled = await readSettledCounters(measured, undefined, signal);
    const scraped = await scrapeAll(exporters, signal);
    if (exporters.length === 0) return { ...settled, scraped };
    // The scrape itself crosses the node's `lo` (node_exporter listens there), so `lo` is left out of the comparison.
    const withoutLo = (m: ReadonlyMap<string, CounterSnapshot>) => new Map([...m].map(([netns, snap]) => [netns, new Map([...snap].filter(([name]) => name !== 'lo'))]));
    const confirm = withoutLo(await readAll(exporters, signal));
    const nodes = withoutLo(new Map(exporters.map((netns) => [netns, settled.snapshots.get(netns)!])));
    const same = sameAll(nodes, confirm);
    if (same || attempt === SCRAPE_ATTEMPTS) return { ...settled, settled: settled.settled && same, scraped };
  }
}

/** The nodes' part of a multi-namespace snapshot. */
const only = (snapshots: MultiSnapshot, netnsList: readonly string[]): MultiSnapshot => new Map(netnsList.map((netns) => [netns, snapshots.get(netns)!]));

/**
 * `exporters`: the node namespaces running node_exporter (none: not scraped). `chain`: Prometheus scraping them,
 * and the previous phase's end edge when this phase follows it directly (its start edge then).
 */
export async function runPhase(
  plan: PhasePlan,
  topology: BuiltTopology,
  bytes: number,
  timeoutMs: number,
  signal?: AbortSignal,
  exporters: readonly string[] = [],
  chain?: { readonly chain: LabChain; readonly previous?: ChainEdge },
): Promise<PhaseMeasurement> {
  const measured = measuredNamespaces(topology);
  const before = await settledRead(measured, exporters, signal);
  // The start edge's sample lies between `from` and `to`; the kernel's baseline is `before`, read after both
  // (a previous phase's end edge) or being `from` itself (this phase's own edge).
  const startEdge = chain ? (chain.previous ?? (await chain.chain.edge(only(before.snapshots, exporters), signal))) : undefined;
  const results = await Promise.all(plan.transfers.map((t) => download(t.clientNetns, t.serverUrl, bytes, timeoutMs, signal)));
  const after = await settledRead(measured, exporters, signal);
  const endEdge = chain ? await chain.chain.edge(only(after.snapshots, exporters), signal) : undefined;
  const [scrapedBefore, scrapedAfter] = [before.scraped, after.scraped];
  const nodeExporter = exporters.map((netns) => ({
    netns,
    interfaces: [...scrapedAfter.get(netns)!].map(([name, a]) => {
      const b = scrapedBefore.get(netns)!.get(name) ?? { rxBytes: 0, txBytes: 0 };
      return { name, rxBytes: a.rxBytes - b.rxBytes, txBytes: a.txBytes - b.txBytes };
    }),
  }));
  return {
    id: plan.id as PhaseId,
    topology: plan.topology,
    title: plan.title,
    path: plan.path,
    appBytes: results.reduce((a, r) => a + r.bytes, 0),
    transferMs: Math.max(...results.map((r) => r.ms)),
    namespaces: measured.map((netns) => ({ netns, interfaces: counterDelta(before.snapshots.get(netns)!, after.snapshots.get(netns)!) })),
    countersSettled: before.settled && after.settled,
    ...(exporters.length > 0 ? { nodeExporter } : {}),
    ...(startEdge && endEdge
      ? {
          chain: {
            windowStartSeconds: startEdge.boundarySeconds,
            windowEndSeconds: endEdge.boundarySeconds,
            edgeDeltas: exporters.map((netns) => {
              const startTo = chain?.previous ? before.snapshots.get(netns)! : startEdge.to.get(netns)!;
              return { netns, interfaces: addDeltas(counterDelta(startEdge.from.get(netns)!, startTo), counterDelta(endEdge.from.get(netns)!, endEdge.to.get(netns)!)) };
            }),
            endEdge,
          },
        }
      : {}),
  };
}
