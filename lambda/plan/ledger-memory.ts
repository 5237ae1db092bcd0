/**
 * This container's own record of what it emitted, merged with CloudWatch's ledger on every run. CloudWatch can
 * show a fresh marker late (and data 3-24 h old up to 2 h late), so a warm container does not trust an
 * empty answer for a period it emitted itself. Lost on a cold start; see docs/aws.md for the limits.
 *
 * It also remembers requests **in doubt**: a put that failed with anything but throttling (a 5xx, a timeout, a
 * reset, an abort) may have landed. Sending it again could double it; not sending it could lose it. So its
 * periods are held back (neither emitted nor taken as complete) until CloudWatch's ledger can be trusted to show
 * the request if it landed; then the ledger decides: it landed (the period resumes after it) or it did not (it is
 * sent again).
 */
import type { Ledger, LedgerEntry } from './pending-periods';

export class LedgerMemory {
  private readonly clusters = new Map<string, ClusterLedgerMemory>();

  /** The memory of one cluster's ledger in one output namespace, created on first use. */
  of(namespace: string, cluster: string): ClusterLedgerMemory {
    const key = `${namespace}\u0000${cluster}`;
    let memory = this.clusters.get(key);
    if (!memory) this.clusters.set(key, (memory = new ClusterLedgerMemory()));
    return memory;
  }

  /** Forgets periods older than the backfill bound, in every cluster. */
  prune(oldestSeconds: number): void {
    for (const memory of this.clusters.values()) memory.prune(oldestSeconds);
  }
}

/** One cluster's part of a LedgerMemory. */
export class ClusterLedgerMemory {
  private readonly entries = new Map<number, LedgerEntry>();
  /** Period start -> when the ledger can be trusted to show its in-doubt request (epoch seconds). */
  private readonly inDoubtUntil = new Map<number, number>();

  view(): Ledger {
    return this.entries;
  }

  /** Before sending: the period needs `total` requests, `landed` of them are already in. */
  expect(periodStartSeconds: number, landed: number, total: number): void {
    this.entries.set(periodStartSeconds, { landed, total });
  }

  landed(periodStartSeconds: number): void {
    const e = this.entries.get(periodStartSeconds) ?? { landed: 0, total: 1 };
    this.entries.set(periodStartSeconds, { landed: e.landed + 1, total: e.total });
  }

  /** A request of this period may or may not have landed; hold the period until `trustLedgerAtSeconds`. */
  inDoubt(periodStartSeconds: number, trustLedgerAtSeconds: number): void {
    this.inDoubtUntil.set(periodStartSeconds, Math.max(this.inDoubtUntil.get(periodStartSeconds) ?? 0, trustLedgerAtSeconds));
  }

  /** Periods still held at `nowSeconds` (start -> when the ledger is trusted for them); forgets the others. */
  held(nowSeconds: number): ReadonlyMap<number, number> {
    for (const [start, at] of this.inDoubtUntil) if (at <= nowSeconds) this.inDoubtUntil.delete(start);
    return new Map(this.inDoubtUntil);
  }

  prune(oldestSeconds: number): void {
    for (const m of [this.entries, this.inDoubtUntil]) for (const start of m.keys()) if (start < oldestSeconds) m.delete(start);
  }
}
