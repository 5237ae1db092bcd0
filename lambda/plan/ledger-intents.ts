/**
 * The ledger store's view of a cluster (aws/ledger-store.ts keeps it in DynamoDB; docs/aws.md, "Exactly once"),
 * decided purely: what each period's record says, which recorded intents CloudWatch's ledger now settles, and
 * which periods stay held. A record is written **before** every put (the intent: this request, of these periods,
 * may land from now on) and settled after it (landed, or definitely not sent). An intent left behind (a crash, a
 * timeout, a 5xx) is settled by the next publisher from what CloudWatch shows:
 *   - CloudWatch shows the request's markers: it landed. Settled at once, whenever it is read.
 *   - CloudWatch does not show them: that proves nothing until CloudWatch can be trusted to show a put that landed
 *     by then (`visibleAtSeconds`); until then the period is held, neither sent nor taken as complete; after it,
 *     the request did not land and the period is sent again.
 * The record is read consistently and written conditionally, so a cold start sees what the last run recorded
 * whatever CloudWatch shows yet.
 */
import { ledgerVisibleAtSeconds, type Ledger, type LedgerEntry } from './pending-periods';
import { CLOCK_SKEW_ALLOWANCE_SECONDS, PUT_SEND_DEADLINE_SECONDS, SIGV4_VALIDITY_SECONDS } from './limits';

/** A request of this period that may have landed: written before the put, removed when the put is settled. */
export interface PutIntent {
  /** Chunks of this period in the request (its EmitLedger markers). */
  readonly chunks: number;
  /** Chunks of the period that had landed before the request. */
  readonly landedBefore: number;
  /** Chunks the period needs in all, as the request's markers say. */
  readonly total: number;
  /** When the intent was written (the writer's clock, epoch seconds). */
  readonly atSeconds: number;
  /** From when CloudWatch's ledger can be trusted to show the request if it landed (the writer's clock plus the skew allowance). */
  readonly visibleAtSeconds: number;
  /** The run that wrote it (its lease owner). */
  readonly owner: string;
}

/** One period's record in the store. */
export interface StoredPeriod {
  /** Chunks confirmed landed (0 when only an intent was ever written). */
  readonly landed: number;
  readonly total: number;
  readonly intent?: PutIntent;
}

export type StoredLedger = ReadonlyMap<number, StoredPeriod>;

/** What a publisher holding the lease writes back: an intent settled one way or the other. */
export interface Settlement {
  readonly periodStartSeconds: number;
  /** The intent settled (its `atSeconds` and owner identify it: the write is conditioned on it). */
  readonly intent: PutIntent;
  readonly landed: boolean;
  /** The record after it. */
  readonly entry: LedgerEntry;
}

export interface StoreView {
  /** The store's confirmed ledger, settlements applied. */
  readonly ledger: Map<number, LedgerEntry>;
  /** Periods whose intent is not settled yet: start -> when it can be. */
  readonly held: Map<number, number>;
  readonly settlements: readonly Settlement[];
}

/** The store's records read against CloudWatch's ledger at `nowSeconds`. */
export function settleIntents(stored: StoredLedger, cloudWatch: Ledger, nowSeconds: number): StoreView {
  const ledger = new Map<number, LedgerEntry>();
  const held = new Map<number, number>();
  const settlements: Settlement[] = [];
  for (const [start, record] of stored) {
    const { intent } = record;
    if (!intent) {
      if (record.landed > 0) ledger.set(start, { landed: record.landed, total: record.total });
      continue;
    }
    const shown = cloudWatch.get(start)?.landed ?? 0;
    if (shown >= intent.landedBefore + intent.chunks) {
      const entry = { landed: Math.max(record.landed, intent.landedBefore + intent.chunks), total: Math.max(record.total, intent.total) };
      settlements.push({ periodStartSeconds: start, intent, landed: true, entry });
      ledger.set(start, entry);
    } else if (nowSeconds >= intent.visibleAtSeconds) {
      const entry = { landed: record.landed, total: record.total };
      settlements.push({ periodStartSeconds: start, intent, landed: false, entry });
      if (entry.landed > 0) ledger.set(start, entry);
    } else {
      held.set(start, intent.visibleAtSeconds);
      if (record.landed > 0) ledger.set(start, { landed: record.landed, total: record.total });
    }
  }
  return { ledger, held, settlements };
}

/**
 * When an intent written at `atSeconds` for a period starting at `periodStartSeconds` can be settled as not
 * landed: its request is sent by the send deadline or not at all, reaches AWS within the signature's validity or
 * is refused, and then takes CloudWatch's read-after-write delay for the period's age to show; the reader's clock
 * may run ahead of the writer's by the skew allowance.
 */
export function intentVisibleAtSeconds(periodStartSeconds: number, atSeconds: number): number {
  const landsBefore = atSeconds + PUT_SEND_DEADLINE_SECONDS + SIGV4_VALIDITY_SECONDS;
  return ledgerVisibleAtSeconds(periodStartSeconds, landsBefore) + CLOCK_SKEW_ALLOWANCE_SECONDS;
}

/** The intents one request writes: each period in it, with its chunks in the request and what landed before. */
export function requestIntents(
  periods: readonly number[],
  landedBefore: (start: number) => number,
  total: (start: number) => number,
  atSeconds: number,
  owner: string,
): { periodStartSeconds: number; intent: PutIntent }[] {
  const chunks = new Map<number, number>();
  for (const p of periods) chunks.set(p, (chunks.get(p) ?? 0) + 1);
  return [...chunks].map(([start, n]) => ({
    periodStartSeconds: start,
    intent: { chunks: n, landedBefore: landedBefore(start), total: total(start), atSeconds, visibleAtSeconds: intentVisibleAtSeconds(start, atSeconds), owner },
  }));
}
