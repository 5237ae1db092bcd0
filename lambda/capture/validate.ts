/**
 * Strict validation of a capture, in two levels:
 * - a structurally broken capture (not an object, wrong format or version, bad window, nodes or series not a
 *   list) is rejected whole with a CaptureFormatError naming the file, the JSON path and the offending value;
 * - a single bad node or series (unknown source, NaN or negative bytes, timestamps/values of different lengths,
 *   ...) is skipped and reported as a SkippedItem, and everything else is still reconciled.
 */
import { boundedValue, previewValue } from '../core/display-text';
import type { SkippedItem, SkippedSeriesTarget } from '../core/model';
import { SUPPORTED_UNIT_STATS, valueKindOf } from '../core/units';
import {
  CAPTURE_FORMAT,
  CAPTURE_VERSION,
  DEFAULT_AGENT_DIMENSIONS,
  dimensionValue,
  DIRECTIONS,
  INSTANCE_ID_DIMENSION,
  SOURCES,
  type AgentDimensionNames,
  type Capture,
  type CaptureNode,
  type CaptureSeries,
  type Direction,
  type Source,
} from './capture';
import { NetReconError } from '../core/errors';
import { MAX_RECONCILE_PERIOD_SECONDS } from '../core/config';

export class CaptureFormatError extends NetReconError {
  constructor(
    readonly origin: string,
    readonly jsonPath: string,
    value: unknown,
    readonly problem: string,
    hint: string,
  ) {
    super(`${origin}: ${jsonPath}: ${problem}; got ${preview(value)}. ${hint}`, { value, hint });
    this.name = 'CaptureFormatError';
  }
}

export interface ValidatedCapture {
  readonly capture: Capture;
  readonly skipped: SkippedItem[];
}

const preview = (value: unknown): string => (value === undefined ? 'nothing' : previewValue(value, 80));

/**
 * The longest window a capture may cover: 15 days, how long CloudWatch keeps the 1-minute data the agent and
 * Container Insights series are read at (docs/limits.md, retention; `netrecon capture` reads at most 14 days back). The bound keeps a small
 * file from asking for an unbounded number of periods (a window from year 1 to 9999 would exhaust memory).
 */
export const MAX_CAPTURE_WINDOW_SECONDS = 15 * 86_400;

const DIRECTIONS_BY_SOURCE: Readonly<Record<Source, readonly Direction[]>> = {
  ec2: ['in', 'out'],
  containerInsights: ['total'],
  agent: ['rx', 'tx'],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
/** ISO 8601 with a date and a time; Date.parse alone accepts too much ("1", "May 5"). */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))$/;
/** Days in a month of the proleptic Gregorian calendar (month 1-12). */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}
/**
 * An ISO 8601 date and time with a zone, the one check for captures, the handler's events and the CLI's
 * --start/--end. Every field must be in its calendar range: Date.parse rolls "2026-02-30" over to 2 March and
 * "T24:00" to the next day, which would silently read another time than the one written.
 */
export const isIsoTime = (v: unknown): v is string => {
  if (typeof v !== 'string') return false;
  const m = ISO_8601.exec(v);
  if (!m) return false;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[7] === undefined ? 0 : Number(m[7]);
  const inRange = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59;
  const zoneInRange = m[10] === undefined || (Number(m[10]) <= 23 && Number(m[11]) <= 59);
  return inRange && zoneInRange && !Number.isNaN(Date.parse(v));
};
const isPositiveInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** A problem with one item: its JSON path (relative to the item), the value, and what is wrong. */
class ItemProblem {
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly reason: string,
  ) {}
}

function checkNode(raw: unknown): CaptureNode | ItemProblem {
  if (!isObject(raw)) return new ItemProblem('', raw, 'a node must be an object');
  if (!isNonEmptyString(raw.instanceId)) return new ItemProblem('.instanceId', raw.instanceId, 'instanceId must be a non-empty string');
  if (!isIsoTime(raw.launchTime)) return new ItemProblem('.launchTime', raw.launchTime, 'launchTime must be an ISO 8601 time');
  if (raw.endTime !== undefined && !isIsoTime(raw.endTime)) {
    return new ItemProblem('.endTime', raw.endTime, 'endTime must be an ISO 8601 time when present');
  }
  if (raw.endTime !== undefined && Date.parse(raw.endTime) < Date.parse(raw.launchTime)) {
    // Such a node would run in no period and vanish from the report without a word.
    return new ItemProblem('.endTime', raw.endTime, `endTime is before launchTime ${raw.launchTime}; the node cannot have run`);
  }
  for (const key of ['nodeName', 'instanceType', 'state'] as const) {
    if (raw[key] !== undefined && typeof raw[key] !== 'string') return new ItemProblem(`.${key}`, raw[key], `${key} must be a string`);
  }
  if (raw.knownFrom !== undefined && raw.knownFrom !== 'series') {
    return new ItemProblem('.knownFrom', raw.knownFrom, 'knownFrom must be "series" when present (a node the inventory no longer lists)');
  }
  return raw as unknown as CaptureNode;
}

function checkSeries(raw: unknown): CaptureSeries | ItemProblem {
  if (!isObject(raw)) return new ItemProblem('', raw, 'a series must be an object');
  const source = raw.source;
  if (!(SOURCES as readonly unknown[]).includes(source)) {
    return new ItemProblem('.source', source, `unknown source (expected one of ${SOURCES.join(', ')})`);
  }
  const allowed = DIRECTIONS_BY_SOURCE[source as Source];
  if (!(DIRECTIONS as readonly unknown[]).includes(raw.direction) || !allowed.includes(raw.direction as Direction)) {
    return new ItemProblem('.direction', raw.direction, `direction must be ${allowed.join(' or ')} for source ${String(source)}`);
  }
  for (const key of ['namespace', 'metricName', 'stat', 'unit'] as const) {
    if (!isNonEmptyString(raw[key])) return new ItemProblem(`.${key}`, raw[key], `${key} must be a non-empty string`);
  }
  if (valueKindOf(raw.unit as string, raw.stat as string) === null) {
    return new ItemProblem('.unit', `${String(raw.unit)} / ${String(raw.stat)}`, `unit and stat must be one of: ${SUPPORTED_UNIT_STATS.join('; ')}`);
  }
  if (!isObject(raw.dimensions) || !Object.values(raw.dimensions).every((v) => typeof v === 'string')) {
    return new ItemProblem('.dimensions', raw.dimensions, 'dimensions must be an object of strings');
  }
  if (!isPositiveInteger(raw.periodSeconds)) {
    return new ItemProblem('.periodSeconds', raw.periodSeconds, 'periodSeconds must be a positive whole number');
  }
  if (raw.sampleSeconds !== undefined && (!isPositiveInteger(raw.sampleSeconds) || raw.periodSeconds % raw.sampleSeconds !== 0)) {
    return new ItemProblem('.sampleSeconds', raw.sampleSeconds, 'sampleSeconds must be a positive whole number that divides periodSeconds');
  }
  if (!Array.isArray(raw.timestamps)) return new ItemProblem('.timestamps', raw.timestamps, 'timestamps must be a list');
  if (!Array.isArray(raw.values)) return new ItemProblem('.values', raw.values, 'values must be a list');
  if (raw.timestamps.length !== raw.values.length) {
    return new ItemProblem(
      '.values',
      `${raw.timestamps.length} timestamps, ${raw.values.length} values`,
      'timestamps and values must have the same length',
    );
  }
  const badTime = raw.timestamps.findIndex((t) => !isIsoTime(t));
  if (badTime >= 0) return new ItemProblem(`.timestamps[${badTime}]`, raw.timestamps[badTime], 'not an ISO 8601 time');
  const badValue = raw.values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (badValue >= 0) return new ItemProblem(`.values[${badValue}]`, raw.values[badValue], 'not a finite number');
  const negative = raw.values.findIndex((v) => (v as number) < 0);
  if (negative >= 0) {
    return new ItemProblem(
      `.values[${negative}]`,
      raw.values[negative],
      'byte counts and rates cannot be negative (a counter reset that was not differentiated?)',
    );
  }
  return raw as unknown as CaptureSeries;
}

/**
 * What a series that failed its checks measured, when its source, direction and node can still be told: the core
 * then reports that node's source as incomplete (a gap) rather than as having no data.
 */
function seriesTargetOf(raw: unknown, agentDims: AgentDimensionNames): SkippedSeriesTarget | undefined {
  if (!isObject(raw) || !isObject(raw.dimensions)) return undefined;
  const source = raw.source;
  if (!(SOURCES as readonly unknown[]).includes(source)) return undefined;
  const direction = raw.direction;
  if (!DIRECTIONS_BY_SOURCE[source as Source].includes(direction as Direction)) return undefined;
  const dims = raw.dimensions as Record<string, string>;
  const dim = (name: string): unknown => dimensionValue(dims, name);
  const instanceId = dim(source === 'agent' ? agentDims.instanceId : INSTANCE_ID_DIMENSION);
  if (!isNonEmptyString(instanceId)) return undefined;
  const interfaceName = source === 'agent' ? dim(agentDims.interface) : undefined;
  return {
    instanceId,
    source: source as Source,
    direction: direction as Direction,
    ...(typeof interfaceName === 'string' ? { interfaceName } : {}),
  };
}

function checkAgentDimensions(raw: unknown, origin: string): AgentDimensionNames | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw) || !isNonEmptyString(raw.instanceId) || !isNonEmptyString(raw.interface)) {
    throw new CaptureFormatError(
      origin,
      '$.agentDimensions',
      raw,
      'agentDimensions must name the instanceId and interface dimensions',
      'Write e.g. {"instanceId": "InstanceId", "interface": "interface"}, or leave it out for the CloudWatch agent defaults.',
    );
  }
  return { instanceId: raw.instanceId, interface: raw.interface };
}

/** Validates a parsed capture. `origin` names it in errors (a file path, or "live capture"). */
export function validateCapture(value: unknown, origin: string): ValidatedCapture {
  const fail = (path: string, v: unknown, problem: string, hint: string): never => {
    throw new CaptureFormatError(origin, path, v, problem, hint);
  };
  if (!isObject(value)) return fail('$', value, 'a capture must be a JSON object', 'See docs/capture-format.md.');
  if (value.format !== CAPTURE_FORMAT) {
    fail('$.format', value.format, `not a netrecon capture`, `A capture starts with "format": "${CAPTURE_FORMAT}".`);
  }
  if (value.version !== CAPTURE_VERSION) {
    fail('$.version', value.version, 'unsupported capture version', `This netrecon reads version ${CAPTURE_VERSION}.`);
  }
  if (!isNonEmptyString(value.cluster)) fail('$.cluster', value.cluster, 'cluster must be a non-empty string', 'Name the EKS cluster.');
  if (!isPositiveInteger(value.periodSeconds) || value.periodSeconds % 60 !== 0 || value.periodSeconds > MAX_RECONCILE_PERIOD_SECONDS) {
    fail('$.periodSeconds', value.periodSeconds, `periodSeconds must be a whole number of minutes in seconds, at most ${MAX_RECONCILE_PERIOD_SECONDS} (15 days)`, 'Use e.g. 300.');
  }
  const window = value.window;
  if (!isObject(window)) fail('$.window', window, 'window must be an object', 'Write {"start": ISO time, "end": ISO time}.');
  const w = window as Record<string, unknown>;
  if (!isIsoTime(w.start)) fail('$.window.start', w.start, 'not an ISO 8601 time', 'Write e.g. "2022-10-05T09:00:00Z".');
  if (!isIsoTime(w.end)) fail('$.window.end', w.end, 'not an ISO 8601 time', 'Write e.g. "2022-10-05T09:15:00Z".');
  const windowSeconds = (Date.parse(w.end as string) - Date.parse(w.start as string)) / 1000;
  if (windowSeconds <= 0) {
    fail('$.window.end', w.end, 'the window ends before it starts', 'window.end must be after window.start.');
  }
  if (windowSeconds > MAX_CAPTURE_WINDOW_SECONDS) {
    fail(
      '$.window',
      w,
      `the window covers ${windowSeconds} s, more than the ${MAX_CAPTURE_WINDOW_SECONDS} s (15 days) a capture may cover`,
      'CloudWatch keeps the 1-minute data netrecon reads for 15 days; split the capture into windows of at most 15 days.',
    );
  }
  if (!Array.isArray(value.nodes)) fail('$.nodes', value.nodes, 'nodes must be a list', 'List the node inventory, even if empty.');
  if (!Array.isArray(value.series)) fail('$.series', value.series, 'series must be a list', 'List the metric series, even if empty.');
  const agentDimensions = checkAgentDimensions(value.agentDimensions, origin);

  const skipped: SkippedItem[] = [];
  const nodes: CaptureNode[] = [];
  const seen = new Set<string>();
  (value.nodes as unknown[]).forEach((raw, i) => {
    const checked = checkNode(raw);
    const ref = `$.nodes[${i}]`;
    if (checked instanceof ItemProblem) {
      skipped.push({ kind: 'node', ref: `${ref}${checked.path}`, reason: checked.reason, value: boundedValue(checked.value) });
    } else if (seen.has(checked.instanceId)) {
      skipped.push({ kind: 'node', ref: `${ref}.instanceId`, reason: 'the same instance is listed twice; the first entry is used', value: boundedValue(checked.instanceId) });
    } else {
      seen.add(checked.instanceId);
      nodes.push(checked);
    }
  });
  const series: CaptureSeries[] = [];
  (value.series as unknown[]).forEach((raw, i) => {
    const checked = checkSeries(raw);
    if (checked instanceof ItemProblem) {
      const target = seriesTargetOf(raw, agentDimensions ?? DEFAULT_AGENT_DIMENSIONS);
      skipped.push({
        kind: 'series',
        ref: `$.series[${i}]${checked.path}`,
        reason: checked.reason,
        value: boundedValue(checked.value),
        ...(target ? { series: target } : {}),
      });
    } else {
      series.push(checked);
    }
  });

  const capture: Capture = {
    ...(value as unknown as Capture),
    ...(agentDimensions ? { agentDimensions } : {}),
    nodes,
    series,
  };
  return { capture, skipped };
}
