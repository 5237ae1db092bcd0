/**
 * One cluster report out of several node batches. A 100,000-node cluster cannot hold every series and every
 * node-period object at once, so the pipeline reconciles batches of nodes and, unless the caller prints every
 * node-period, keeps only each node-period's figures here, in typed columns (about 140 bytes a node-period
 * instead of ~450 as objects). The cluster roll-up is then computed by the core's own `rollUp` over the
 * reassembled node-periods, one period at a time, so the cluster math stays in one place (lambda/core/rollup.ts).
 */
import type { ReconcileConfig } from './config';
import { NODE_FIGURE_KEYS, type NodeFigures } from './figures';
import { NODE_STATUSES, type NodePeriodResult, type NodeStatus, type ReconcileReport, type SkippedItem } from './model';
import { rollUp } from './rollup';
import { NODE_PROFILE_CAPABILITIES, type NodeProfile } from './source-profile';

const NODE_PROFILES = Object.keys(NODE_PROFILE_CAPABILITIES) as NodeProfile[];

const FIGURES = NODE_FIGURE_KEYS;

/** The flags rollUp needs (completeness and partial), one bit each in a byte per node-period. */
const FLAGS = ['ranWholePeriod', 'ec2', 'containerInsights', 'agent', 'partial'] as const;
type Flag = (typeof FLAGS)[number];
const flagOf = (np: NodePeriodResult, f: Flag): boolean => (f === 'partial' ? np.partial : np.complete[f]);

const NO_FINDINGS: NodePeriodResult['findings'] = [];
const NO_INTERFACES: NodePeriodResult['interfaces'] = [];

/** The node-periods of one period, as a merger keeps them. */
interface PeriodStore {
  add(np: NodePeriodResult): void;
  results(periodStart: string, periodSeconds: number): NodePeriodResult[];
}

/** The node-periods of one period, whole. */
class PeriodObjects implements PeriodStore {
  private readonly list: NodePeriodResult[] = [];
  add(np: NodePeriodResult): void {
    this.list.push(np);
  }
  results(): NodePeriodResult[] {
    return this.list;
  }
}

/** The node-periods of one period, column by column; null is stored as NaN. */
class PeriodColumns implements PeriodStore {
  private size = 0;
  private capacity = 1024;
  private ids: string[] = [];
  private names: (string | null)[] = [];
  private statuses = new Uint8Array(this.capacity);
  private profiles = new Uint8Array(this.capacity);
  private flags = new Uint8Array(this.capacity);
  private columns = FIGURES.map(() => new Float64Array(this.capacity));

  add(np: NodePeriodResult): void {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.ids.push(np.instanceId);
    this.names.push(np.nodeName);
    this.statuses[i] = NODE_STATUSES.indexOf(np.status);
    this.profiles[i] = NODE_PROFILES.indexOf(np.sourceProfile);
    this.flags[i] = FLAGS.reduce((bits, f, b) => (flagOf(np, f) ? bits | (1 << b) : bits), 0);
    FIGURES.forEach((f, c) => {
      const v = np[f];
      this.columns[c]![i] = v === null ? Number.NaN : v;
    });
  }

  private grow(): void {
    this.capacity *= 2;
    const statuses = new Uint8Array(this.capacity);
    statuses.set(this.statuses);
    this.statuses = statuses;
    const profiles = new Uint8Array(this.capacity);
    profiles.set(this.profiles);
    this.profiles = profiles;
    const flags = new Uint8Array(this.capacity);
    flags.set(this.flags);
    this.flags = flags;
    this.columns = this.columns.map((old) => {
      const col = new Float64Array(this.capacity);
      col.set(old);
      return col;
    });
  }

  /** Node-periods with every figure, status and completeness flag, without interface detail or finding texts. */
  results(periodStart: string, periodSeconds: number): NodePeriodResult[] {
    const out: NodePeriodResult[] = [];
    for (let i = 0; i < this.size; i++) {
      const figures: Record<string, number | null> = {};
      FIGURES.forEach((f, c) => {
        const v = this.columns[c]![i]!;
        figures[f] = Number.isNaN(v) ? null : v;
      });
      const profile = NODE_PROFILES[this.profiles[i]!]!;
      const bit = (f: Flag): boolean => (this.flags[i]! & (1 << FLAGS.indexOf(f))) !== 0;
      out.push({
        instanceId: this.ids[i]!,
        nodeName: this.names[i]!,
        sourceProfile: profile,
        basis: NODE_PROFILE_CAPABILITIES[profile].basis,
        periodStart,
        periodSeconds,
        ...(figures as NodeFigures),
        interfaces: NO_INTERFACES,
        complete: { ranWholePeriod: bit('ranWholePeriod'), ec2: bit('ec2'), containerInsights: bit('containerInsights'), agent: bit('agent') },
        partial: bit('partial'),
        status: NODE_STATUSES[this.statuses[i]!]!,
        findings: NO_FINDINGS,
      });
    }
    return out;
  }
}

/**
 * What a merged report keeps of the node-periods: none (the cluster figures only), their figures and status
 * without interface detail or finding texts (enough for per-node metrics), or all of them whole (the CLI
 * prints them). Only `none` and `figures` save memory.
 */
export type KeptNodePeriods = 'none' | 'figures' | 'full';

/** Accumulates batch reports of one cluster, window and period. */
export class ReportMerger {
  private readonly periods = new Map<string, PeriodStore>();
  private readonly skipped: SkippedItem[] = [];
  private nodes = 0;
  private nodePeriods = 0;
  private seriesRead = 0;
  private seriesSkipped = 0;
  private nodesSkipped = 0;
  private readonly byStatus = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<NodeStatus, number>;
  private window: ReconcileReport['window'] | null = null;
  private periodCount = 0;

  constructor(
    private readonly cluster: string,
    private readonly config: ReconcileConfig,
    private readonly kept: KeptNodePeriods = 'none',
  ) {}

  private store(periodStart: string): PeriodStore {
    let store = this.periods.get(periodStart);
    if (!store) this.periods.set(periodStart, (store = this.kept === 'full' ? new PeriodObjects() : new PeriodColumns()));
    return store;
  }

  add(batch: ReconcileReport): void {
    this.window ??= batch.window;
    this.periodCount = batch.summary.periods;
    for (const cp of batch.clusterPeriods) this.store(cp.periodStart);
    for (const np of batch.nodePeriods) this.store(np.periodStart).add(np);
    // Loops, not push(...list): a spread passes every element as an argument, and above about 120,000 the stack overflows.
    for (const item of batch.skipped) this.skipped.push(item);
    const s = batch.summary;
    this.nodes += s.nodes;
    this.nodePeriods += s.nodePeriods;
    this.seriesRead += s.seriesRead;
    this.seriesSkipped += s.seriesSkipped;
    this.nodesSkipped += s.nodesSkipped;
    for (const status of NODE_STATUSES) this.byStatus[status] += s.nodePeriodsByStatus[status];
  }

  /** The merged report; its nodePeriods are what the merger was told to keep (empty for `none`). */
  report(): ReconcileReport {
    const P = this.config.periodSeconds;
    const starts = [...this.periods.keys()].sort();
    const clusterPeriods = [];
    const nodePeriods: NodePeriodResult[] = [];
    for (const start of starts) {
      const nodes = this.periods.get(start)!.results(start, P);
      clusterPeriods.push(rollUp(start, this.config, nodes));
      if (this.kept !== 'none') for (const np of nodes) nodePeriods.push(np);
    }
    return {
      cluster: this.cluster,
      sourceProfile: this.config.sourceProfile,
      periodSeconds: P,
      window: this.window ?? { start: starts[0] ?? '', end: starts[0] ?? '' },
      nodePeriods,
      clusterPeriods,
      skipped: this.skipped,
      summary: {
        nodes: this.nodes,
        periods: this.periodCount,
        nodePeriods: this.nodePeriods,
        seriesRead: this.seriesRead,
        seriesSkipped: this.seriesSkipped,
        nodesSkipped: this.nodesSkipped,
        nodePeriodsByStatus: this.byStatus,
      },
    };
  }
}
