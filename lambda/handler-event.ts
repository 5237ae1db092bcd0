/**
 * The events the reconciler accepts, validated:
 * - EventBridge scheduled events (`"detail-type": "Scheduled Event"`, source aws.events) and EventBridge
 *   Scheduler's default payload (no input: an empty object, or the text "{}"): the rolling schedule window;
 * - a manual backfill `{ "start": ISO 8601, "end": ISO 8601, "cluster"?: name }`.
 */
import type { RunWindow } from './plan/pending-periods';
import { MAX_BACKFILL_SECONDS } from './plan/limits';
import { isIsoTime } from './capture/validate';
import { InvalidValueError } from './core/errors';
import { epochSecondsOf } from './core/units';

/** A bad event: the message names the field, the value (shortened to 200 characters) and what to send instead. */
const invalidEvent = (what: string, value: unknown, hint: string): InvalidValueError => new InvalidValueError(what, value, hint, { previewChars: 200 });

export interface ParsedEvent {
  readonly trigger: 'schedule' | 'manual';
  readonly window: RunWindow;
  /** The clusters this run covers, in configuration order. */
  readonly clusters: readonly string[];
}

const MANUAL_HINT = 'Send {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T06:00:00Z", "cluster": "optional-name"} or a scheduled event.';

function isoSeconds(value: unknown, field: string): number {
  if (!isIsoTime(value)) {
    throw invalidEvent(`"${field}" must be an ISO 8601 time with a zone`, value, MANUAL_HINT);
  }
  return epochSecondsOf(value);
}

export function parseEvent(event: unknown, configuredClusters: readonly string[], nowSeconds: number): ParsedEvent {
  const scheduled: ParsedEvent = { trigger: 'schedule', window: { kind: 'scheduled' }, clusters: configuredClusters };
  if (event === undefined || event === null || event === '' || event === '{}') return scheduled;
  if (typeof event !== 'object' || Array.isArray(event)) throw invalidEvent('the event is not an object', event, MANUAL_HINT);
  const e = event as Record<string, unknown>;
  if (Object.keys(e).length === 0) return scheduled;
  if ('detail-type' in e) {
    if (e['detail-type'] === 'Scheduled Event') return scheduled;
    throw invalidEvent('an EventBridge event that is not a scheduled event', e['detail-type'], 'Target the function with a schedule, or send a manual backfill event.');
  }
  const unknown = Object.keys(e).filter((k) => k !== 'start' && k !== 'end' && k !== 'cluster');
  if (unknown.length > 0) throw invalidEvent(`unknown field ${JSON.stringify(unknown[0])} in the event`, event, MANUAL_HINT);
  if (e.start === undefined || e.end === undefined) throw invalidEvent('a manual event needs both "start" and "end"', event, MANUAL_HINT);
  const startSeconds = isoSeconds(e.start, 'start');
  const endSeconds = isoSeconds(e.end, 'end');
  if (endSeconds <= startSeconds) throw invalidEvent('"end" must be after "start"', event, MANUAL_HINT);
  if (startSeconds < nowSeconds - MAX_BACKFILL_SECONDS) {
    throw invalidEvent('"start" is more than 14 days ago', e.start, 'CloudWatch keeps 1-minute data 15 days and accepts timestamps up to 14 days back; start later.');
  }
  if (startSeconds >= nowSeconds) throw invalidEvent('"start" is in the future', e.start, 'A backfill covers closed periods in the past.');
  let clusters = configuredClusters;
  if (e.cluster !== undefined) {
    if (typeof e.cluster !== 'string' || !configuredClusters.includes(e.cluster)) {
      throw invalidEvent('"cluster" is not one of the configured clusters', e.cluster, `Configured: ${configuredClusters.join(', ')}.`);
    }
    clusters = [e.cluster];
  }
  return { trigger: 'manual', window: { kind: 'manual', startSeconds, endSeconds }, clusters };
}
