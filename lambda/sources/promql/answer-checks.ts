/**
 * The checks of a PromQL answer before any of its numbers is used: the JSON shape of `/api/v1/query` and
 * `/api/v1/query_range` (docs/sources.md), then per series NaN, ±Infinity, negative values and duplicate
 * timestamps. A bad series is refused with its reason and labels (it becomes a skipped series, its node's period
 * partial); the other series of the answer are still used.
 */
import { PromqlAnswerError } from './errors';

export type Labels = Readonly<Record<string, string>>;

export interface CheckedSeries {
  readonly labels: Labels;
  /** Ascending epoch seconds. */
  readonly timesSeconds: number[];
  readonly values: number[];
}

export interface RefusedSeries {
  readonly labels: Labels;
  readonly reason: string;
  readonly value?: unknown;
}

export interface CheckedAnswer {
  readonly series: CheckedSeries[];
  readonly refused: RefusedSeries[];
  readonly warnings: string[];
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function labelsOf(raw: unknown, where: string): Labels {
  if (!isRecord(raw)) throw new PromqlAnswerError(`${where}.metric is not an object`, raw);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw new PromqlAnswerError(`${where}.metric["${k}"] is not a string`, v);
  }
  return raw as Labels;
}

/** One series' [time, "value"] pairs: numbers checked, time order checked (Prometheus answers ascending). */
function checkValues(labels: Labels, raw: unknown, where: string): CheckedSeries | RefusedSeries {
  if (!Array.isArray(raw)) throw new PromqlAnswerError(`${where}.values is not an array`, raw);
  const timesSeconds: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const pair: unknown = raw[i];
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || typeof pair[1] !== 'string') {
      throw new PromqlAnswerError(`${where}.values[${i}] is not a [time, "value"] pair`, pair);
    }
    const t = pair[0];
    const text = pair[1];
    // Go's strconv spelling of the infinities, which Number() reads as NaN.
    const value = text === '+Inf' || text === 'Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
    if (text === 'NaN' || Number.isNaN(value)) return { labels, reason: `values[${i}] is NaN (a stale marker or a broken exporter)`, value: text };
    if (!Number.isFinite(value)) return { labels, reason: `values[${i}] is ${text}, not a byte count`, value: text };
    if (value < 0) return { labels, reason: `values[${i}] is negative (${text}); a byte counter never is`, value: text };
    const last = timesSeconds.at(-1);
    if (last !== undefined && t === last) return { labels, reason: `timestamp ${t} appears twice`, value: t };
    if (last !== undefined && t < last) return { labels, reason: `timestamp ${t} comes after ${last}: the samples are not in time order`, value: t };
    timesSeconds.push(t);
    values.push(value);
  }
  return { labels, timesSeconds, values };
}

/** A parsed JSON body of a successful answer (the HTTP reader has already turned error bodies into errors). */
export function checkAnswer(body: unknown, expected: 'matrix'): CheckedAnswer {
  if (!isRecord(body) || body.status !== 'success' || !isRecord(body.data)) {
    throw new PromqlAnswerError('the answer is not {"status":"success","data":{...}}', isRecord(body) ? body.status : body);
  }
  const { resultType, result } = body.data;
  if (resultType !== expected) throw new PromqlAnswerError(`the answer's resultType is ${JSON.stringify(resultType)}, not "${expected}"`, resultType);
  if (!Array.isArray(result)) throw new PromqlAnswerError('data.result is not an array', result);
  const series: CheckedSeries[] = [];
  const refused: RefusedSeries[] = [];
  result.forEach((item: unknown, i) => {
    const where = `data.result[${i}]`;
    if (!isRecord(item)) throw new PromqlAnswerError(`${where} is not an object`, item);
    const checked = checkValues(labelsOf(item.metric, where), item.values, where);
    if ('reason' in checked) refused.push(checked);
    else series.push(checked);
  });
  const warnings = Array.isArray(body.warnings) ? body.warnings.filter((w): w is string => typeof w === 'string') : [];
  return { series, refused, warnings };
}
