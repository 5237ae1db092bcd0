/**
 * The emission plan of the exactly-once ledger (pending-periods.ts): a period's datums are cut into chunks in a
 * fixed way (the same datums always give the same chunks), each chunk carries the period's ledger marker, and
 * chunks are packed in order into requests under the per-request limits (1,000 metrics, 1 MB). aws/sink.ts sends them.
 *
 * The datums are the SDK's MetricDatum (a type only): the plan measures each request as the client will
 * serialize it, so it works on the wire shape itself.
 */
import type { MetricDatum, PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type { LedgerEntry } from './pending-periods';
import { PUT_METRIC_DATA_MAX_BYTES, PUT_METRIC_DATA_MAX_METRICS } from './limits';
import { heartbeatDatum, ledgerDatum } from './output-datums';
import type { ClusterTarget } from '../core/cluster-target';

/**
 * Bytes a datum adds to a request body. The CloudWatch client speaks JSON 1.0 and sends timestamps as epoch
 * seconds, so this is the datum's JSON length plus a separator; before gzip, the conservative reading.
 */
export function datumBytes(d: MetricDatum): number {
  return JSON.stringify({ ...d, Timestamp: d.Timestamp ? d.Timestamp.getTime() / 1000 : undefined }).length + 1;
}

const envelopeBytes = (namespace: string): number => JSON.stringify({ Namespace: namespace, MetricData: [] }).length;

export interface EmissionLimits {
  readonly maxMetrics: number;
  readonly maxBytes: number;
}

export const PUT_LIMITS: EmissionLimits = { maxMetrics: PUT_METRIC_DATA_MAX_METRICS, maxBytes: PUT_METRIC_DATA_MAX_BYTES };

/** Datums that go out together in one request, and their bytes (each datum is measured once, here). */
export interface Chunk {
  readonly datums: readonly MetricDatum[];
  readonly bytes: number;
}

/** Cuts a period's datums into chunks that each fit one request together with its ledger marker. */
export function chunkDatums(datums: readonly MetricDatum[], namespace: string, markerBytes: number, limits: EmissionLimits = PUT_LIMITS): Chunk[] {
  const maxCount = limits.maxMetrics - 1;
  const maxBytes = limits.maxBytes - envelopeBytes(namespace) - markerBytes;
  const chunks: Chunk[] = [];
  let chunk: MetricDatum[] = [];
  let bytes = 0;
  for (const d of datums) {
    const b = datumBytes(d);
    if (b > maxBytes) throw new RangeError(`a datum of ${b} bytes cannot fit a PutMetricData request: ${d.MetricName}`);
    if (chunk.length === maxCount || bytes + b > maxBytes) {
      chunks.push({ datums: chunk, bytes });
      chunk = [];
      bytes = 0;
    }
    chunk.push(d);
    bytes += b;
  }
  if (chunk.length > 0 || chunks.length === 0) chunks.push({ datums: chunk, bytes });
  return chunks;
}

export interface PeriodToEmit {
  readonly periodStartSeconds: number;
  /** The period's datums in their fixed order (output-datums.ts). */
  readonly datums: readonly MetricDatum[];
  /** What the ledger says already landed, if anything. */
  readonly ledger?: LedgerEntry;
}

/** One piece of a request: a chunk of one period (possibly empty: a marker-only filler) and its marker. */
interface Unit {
  readonly periodStartSeconds: number;
  readonly chunk: Chunk;
  readonly marker: MetricDatum;
}

const FILLER: Chunk = { datums: [], bytes: 0 };

export interface PlannedRequest {
  readonly input: PutMetricDataCommandInput;
  /** Period starts whose ledger count this request advances (one entry per chunk in it). */
  readonly periods: readonly number[];
  readonly dataDatums: number;
}

export interface PeriodEmissionPlan {
  readonly periodStartSeconds: number;
  /** Requests (chunks) the period needs in all, as written in its markers. */
  readonly requestsNeeded: number;
  /** Chunks skipped because the ledger says they landed. */
  readonly resumedAfter: number;
  /** Chunks sent this run, and marker-only fillers (when a resumed period now needs fewer chunks). */
  readonly chunksToSend: number;
  readonly fillers: number;
  /** Data datums sent this run. */
  readonly datums: number;
}

export interface EmissionPlan {
  readonly requests: readonly PlannedRequest[];
  readonly periods: readonly PeriodEmissionPlan[];
}

/**
 * Plans the requests. A period never emitted gets all its chunks, each marked with the chunk count K. A period
 * that partly landed (n of K) resumes at chunk n; if its data now makes K' chunks, the markers say
 * T = max(K, K') and marker-only fillers top the count up to T, so the period ends complete and is never sent again.
 */
export function planEmission(
  periods: readonly PeriodToEmit[],
  namespace: string,
  target: string | ClusterTarget,
  heartbeatAt: Date | null,
  limits: EmissionLimits = PUT_LIMITS,
): EmissionPlan {
  // A source account's cluster keeps its ledger and heartbeat under its AccountId too (output-metrics.ts).
  const { cluster, accountId } = typeof target === 'string' ? { cluster: target, accountId: undefined } : target;
  const units: Unit[] = [];
  const plans: PeriodEmissionPlan[] = [];
  const markerBytes = datumBytes(ledgerDatum(cluster, 0, 1_000_000, accountId));
  for (const p of [...periods].sort((a, b) => a.periodStartSeconds - b.periodStartSeconds)) {
    const chunks = chunkDatums(p.datums, namespace, markerBytes, limits);
    const landed = p.ledger?.landed ?? 0;
    const total = Math.max(p.ledger?.total ?? 0, chunks.length);
    if (landed >= total && landed > 0) continue;
    const toSend = chunks.slice(landed);
    const fillers = total - landed - toSend.length;
    const marker = ledgerDatum(cluster, p.periodStartSeconds, total, accountId);
    for (const chunk of toSend) units.push({ periodStartSeconds: p.periodStartSeconds, chunk, marker });
    for (let i = 0; i < fillers; i++) units.push({ periodStartSeconds: p.periodStartSeconds, chunk: FILLER, marker });
    plans.push({
      periodStartSeconds: p.periodStartSeconds,
      requestsNeeded: total,
      resumedAfter: landed,
      chunksToSend: toSend.length,
      fillers,
      datums: toSend.reduce((a, c) => a + c.datums.length, 0),
    });
  }

  const maxBytes = limits.maxBytes - envelopeBytes(namespace);
  const requests: PlannedRequest[] = [];
  let data: MetricDatum[] = [];
  let owners: number[] = [];
  let dataDatums = 0;
  let bytes = 0;
  const flush = (): void => {
    if (data.length > 0) requests.push({ input: { Namespace: namespace, MetricData: data }, periods: owners, dataDatums });
    data = [];
    owners = [];
    dataDatums = 0;
    bytes = 0;
  };
  for (const u of units) {
    const uBytes = u.chunk.bytes + markerBytes;
    if (data.length + u.chunk.datums.length + 1 > limits.maxMetrics || bytes + uBytes > maxBytes) flush();
    data.push(...u.chunk.datums, u.marker);
    owners.push(u.periodStartSeconds);
    dataDatums += u.chunk.datums.length;
    bytes += uBytes;
  }
  if (heartbeatAt) {
    // The heartbeat rides on the last request when it fits: it says the run got that far.
    const hb = heartbeatDatum(cluster, heartbeatAt, accountId);
    if (data.length + 1 > limits.maxMetrics || bytes + datumBytes(hb) > maxBytes) flush();
    data.push(hb);
  }
  flush();
  return { requests, periods: plans };
}
