import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureFileError, formatCaptureJson, readCaptureFile } from '../../lambda/capture/io';
import { CaptureFormatError, validateCapture } from '../../lambda/capture/validate';
import { makeReconcileConfig } from '../../lambda/core/config';
import { reconcile } from '../../lambda/core/reconcile';
import { wordedFinding } from '../../lambda/report/finding-words';
import { capture, containerInsights, ec2, iface, node } from '../helpers/capture-builder';

const A = 'i-000000000000000aa';
const B = 'i-000000000000000bb';
/** A capture as parsed JSON (plain objects we can break). */
const good = (): Record<string, any> =>
  JSON.parse(JSON.stringify(capture([node(A), node(B)], [...iface(A, 'eth0', 10, 10), ...iface(B, 'eth0', 10, 10), ec2(A, 'in', [1, 1])])));

function formatError(value: unknown): CaptureFormatError {
  try {
    validateCapture(value, 'x.capture.json');
  } catch (e) {
    if (e instanceof CaptureFormatError) return e;
    throw e;
  }
  throw new Error('expected a CaptureFormatError');
}

describe('validateCapture: structural errors reject the capture with file, JSON path and value', () => {
  const cases: [string, (c: Record<string, any>) => unknown, string, unknown][] = [
    ['not an object', () => [1, 2], '$', [1, 2]],
    ['wrong format', (c) => ({ ...c, format: 'pcap' }), '$.format', 'pcap'],
    ['unsupported version', (c) => ({ ...c, version: 2 }), '$.version', 2],
    ['empty cluster', (c) => ({ ...c, cluster: ' ' }), '$.cluster', ' '],
    ['period not whole minutes', (c) => ({ ...c, periodSeconds: 90 }), '$.periodSeconds', 90],
    ['window start not a time', (c) => ({ ...c, window: { ...c.window, start: 'yesterday' } }), '$.window.start', 'yesterday'],
    ['window backwards', (c) => ({ ...c, window: { start: c.window.end, end: c.window.start } }), '$.window.end', undefined],
    ['nodes not a list', (c) => ({ ...c, nodes: {} }), '$.nodes', {}],
    ['series not a list', (c) => ({ ...c, series: null }), '$.series', null],
    ['agentDimensions incomplete', (c) => ({ ...c, agentDimensions: { instanceId: 'InstanceId' } }), '$.agentDimensions', { instanceId: 'InstanceId' }],
  ];
  it.each(cases)('%s', (_name, breakIt, path, value) => {
    const e = formatError(breakIt(good()));
    expect(e.origin).toBe('x.capture.json');
    expect(e.jsonPath).toBe(path);
    if (value !== undefined) expect(e.value).toEqual(value);
    expect(e.message).toContain(`x.capture.json: ${path}: `);
    expect(e.hint.length).toBeGreaterThan(0);
  });
});

describe('validateCapture: one bad series or node is skipped and named; the rest is kept', () => {
  const seriesCases: [string, (s: Record<string, any>) => void, string, unknown][] = [
    ['NaN written as a string', (s) => (s.values[3] = 'NaN'), '$.series[0].values[3]', 'NaN'],
    ['a null value', (s) => (s.values[1] = null), '$.series[0].values[1]', null],
    ['negative bytes', (s) => (s.values[2] = -5), '$.series[0].values[2]', -5],
    ['timestamps and values of different lengths', (s) => s.values.pop(), '$.series[0].values', '10 timestamps, 9 values'],
    ['an unknown source', (s) => (s.source = 'prometheus'), '$.series[0].source', 'prometheus'],
    ['a direction that does not fit the source', (s) => (s.direction = 'in'), '$.series[0].direction', 'in'],
    ['a unit it cannot convert', (s) => (s.unit = 'Bits'), '$.series[0].unit', 'Bits / Sum'],
    ['a bad timestamp', (s) => (s.timestamps[0] = '2024-13-45'), '$.series[0].timestamps[0]', '2024-13-45'],
    ['a non-string dimension', (s) => (s.dimensions.interface = 5), '$.series[0].dimensions', { InstanceId: A, interface: 5 }],
  ];
  it.each(seriesCases)('%s', (_name, breakIt, ref, value) => {
    const raw = good();
    breakIt(raw.series[0]);
    const { capture: c, skipped } = validateCapture(raw, 'x');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ kind: 'series', ref, value });
    expect(c.series).toHaveLength(raw.series.length - 1);
  });

  it('reconciles every other node when one series is bad, and counts the skip in the summary', () => {
    const raw = good();
    raw.series[0].values[3] = 'NaN';
    const { capture: c, skipped } = validateCapture(raw, 'x');
    const report = reconcile(c, makeReconcileConfig({ sourceProfile: 'full' }), { skipped });
    expect(report.summary.seriesSkipped).toBe(1);
    const nodeB = report.nodePeriods.filter((n) => n.instanceId === B);
    expect(nodeB.map((n) => n.correctedTotalBytes)).toEqual([100, 100]);
    // Node A lost its eth0 rx series: its tx is still there, and the period says the agent's series has a gap.
    const nodeA = report.nodePeriods.find((n) => n.instanceId === A)!;
    expect(nodeA.findings.map(wordedFinding)).toContainEqual({ status: 'partialPeriod', message: expect.stringContaining("this node's agent series was skipped (eth0 rx;") });
  });

  it('skips a node without a launch time and a node listed twice', () => {
    const raw = good();
    raw.nodes.push({ instanceId: A, launchTime: raw.nodes[0].launchTime });
    delete raw.nodes[1].launchTime;
    const { capture: c, skipped } = validateCapture(raw, 'x');
    expect(c.nodes.map((n) => n.instanceId)).toEqual([A]);
    expect(skipped.map((s) => s.ref)).toEqual(['$.nodes[1].launchTime', '$.nodes[2].instanceId']);
    const report = reconcile(c, makeReconcileConfig({ sourceProfile: 'full' }), { skipped });
    expect(report.summary.nodesSkipped).toBe(2);
    // B's series now belong to no node in the inventory: skipped too, and said so.
    expect(report.summary.seriesSkipped).toBe(2);
  });
});

describe('capture files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netrecon-capture-'));

  it('round-trips through formatCaptureJson', async () => {
    const c = capture([node(A)], [...iface(A, 'eth0', 1, 2), containerInsights(A, [1.5, 2.25])]);
    const path = join(dir, 'round.capture.json');
    writeFileSync(path, formatCaptureJson(c));
    const { capture: back, skipped } = await readCaptureFile(path);
    expect(skipped).toEqual([]);
    expect(back).toEqual(c);
  });

  it('names a missing file and says what to pass', async () => {
    await expect(readCaptureFile(join(dir, 'nope.json'))).rejects.toThrow(CaptureFileError);
    await expect(readCaptureFile(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: cannot read the capture: no such file/);
  });

  it('rejects a file that is not JSON at path $', async () => {
    const path = join(dir, 'broken.capture.json');
    writeFileSync(path, '{"format": "netrecon.capture",');
    await expect(readCaptureFile(path)).rejects.toMatchObject({ name: 'CaptureFormatError', jsonPath: '$', origin: path });
  });
});

describe('docs/capture-format.md', () => {
  it('holds an example that validates and reconciles', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/capture-format.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)![1]!;
    const { capture: c, skipped } = validateCapture(JSON.parse(example), 'docs example');
    expect(skipped).toEqual([]);
    const report = reconcile(c, makeReconcileConfig({ sourceProfile: 'full' }), { skipped });
    // Two of five agent and Container Insights samples: partial, as the document says.
    expect(report.nodePeriods.map((n) => n.status)).toEqual(['partialPeriod']);
    expect(report.nodePeriods[0]!.podRxBytes).toBe(0);
    expect(report.nodePeriods[0]!.podTxBytes).toBe(1200 + 1180);
  });
});

describe('validateCapture: hostile or impossible input is refused or skipped by name, never crashes', () => {
  const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

  it('refuses a capture that is 100,000 nested lists with a CaptureFormatError, not a stack overflow', () => {
    const e = formatError(nested(100_000));
    expect(e.jsonPath).toBe('$');
    expect(e.message.length).toBeLessThan(300);
  });

  it('skips a node that is 100,000 nested lists, and keeps a bounded preview of it as the skipped value', () => {
    const raw = good();
    raw.nodes.push(nested(100_000));
    const { skipped } = validateCapture(raw, 'x');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.ref).toBe('$.nodes[2]');
    expect(typeof skipped[0]!.value).toBe('string');
    expect(() => JSON.stringify(skipped)).not.toThrow();
  });

  it.each([
    ['30 February', '2026-02-30T00:00:00Z'],
    ['29 February of a common year', '2025-02-29T00:00:00Z'],
    ['hour 24', '2026-03-01T24:00:00Z'],
    ['minute 60', '2026-03-01T10:60:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
  ])('refuses a window start on %s (Date.parse would roll it over)', (_name, time) => {
    const raw = good();
    expect(formatError({ ...raw, window: { ...raw.window, start: time } }).jsonPath).toBe('$.window.start');
  });

  it('accepts 29 February of a leap year and a zone offset', () => {
    const raw = good();
    raw.nodes[0].launchTime = '2024-02-29T23:59:59+05:30';
    expect(validateCapture(raw, 'x').skipped).toEqual([]);
  });

  it('skips, by name, a node whose endTime precedes its launchTime (it would vanish from every period)', () => {
    const raw = good();
    raw.nodes[1].endTime = '2023-12-31T00:00:00.000Z';
    const { capture: c, skipped } = validateCapture(raw, 'x');
    expect(skipped).toEqual([expect.objectContaining({ kind: 'node', ref: '$.nodes[1].endTime', value: '2023-12-31T00:00:00.000Z' })]);
    expect(skipped[0]!.reason).toMatch(/endTime is before launchTime/);
    expect(c.nodes.map((n) => n.instanceId)).toEqual([A]);
  });

  it('takes a node known from its series (knownFrom "series") and skips any other knownFrom by name', () => {
    const raw = good();
    raw.nodes[0].knownFrom = 'series';
    raw.nodes[1].knownFrom = 'guess';
    const { capture: c, skipped } = validateCapture(raw, 'x');
    expect(c.nodes.map((n) => [n.instanceId, n.knownFrom])).toEqual([[A, 'series']]);
    expect(skipped).toEqual([expect.objectContaining({ kind: 'node', ref: '$.nodes[1].knownFrom', value: 'guess' })]);
  });

  it('refuses a window longer than 15 days, naming the length and the limit', () => {
    const raw = good();
    const e = formatError({ ...raw, window: { start: '0001-01-01T00:00:00Z', end: '9999-12-31T00:00:00Z' } });
    expect(e.jsonPath).toBe('$.window');
    expect(e.message).toMatch(/more than the 1296000 s \(15 days\)/);
    expect(e.hint).toMatch(/split the capture/);
    // Exactly 15 days is allowed.
    expect(() => validateCapture({ ...raw, window: { start: '2024-01-01T00:00:00Z', end: '2024-01-16T00:00:00Z' } }, 'x')).not.toThrow();
  });
});

describe('dimension names that are Object.prototype keys are looked up as own properties only', () => {
  it('agentDimensions.interface "toString": each agent series is skipped by name, not a TypeError', () => {
    const raw = { ...good(), agentDimensions: { instanceId: 'InstanceId', interface: 'toString' } };
    const { capture: c, skipped } = validateCapture(raw, 'x');
    const report = reconcile(c, makeReconcileConfig(), { skipped });
    const agentSkips = report.skipped.filter((s) => s.ref.includes('CWAgent'));
    expect(agentSkips).toHaveLength(4);
    expect(agentSkips.every((s) => s.reason === 'it has no toString dimension')).toBe(true);
  });

  it('agentDimensions.instanceId "__proto__": the series belong to no node, and no warning says [object Object]', () => {
    const raw = { ...good(), agentDimensions: { instanceId: '__proto__', interface: 'interface' } };
    const { capture: c, skipped } = validateCapture(raw, 'x');
    const report = reconcile(c, makeReconcileConfig(), { skipped });
    expect(JSON.stringify(report.skipped)).not.toContain('[object Object]');
    const agentSkips = report.skipped.filter((s) => s.ref.includes('CWAgent'));
    expect(agentSkips.map((s) => s.reason)).toEqual(Array(4).fill('it has no __proto__ dimension, so it belongs to no node'));
  });

  it('a dimension really named __proto__ (JSON makes it an own property) is read like any other', () => {
    const text = JSON.stringify(good()).replaceAll('"InstanceId":', '"__proto__":').replace('"series"', '"agentDimensions":{"instanceId":"__proto__","interface":"interface"},"series"');
    const { capture: c, skipped } = validateCapture(JSON.parse(text), 'x');
    const report = reconcile(c, makeReconcileConfig(), { skipped });
    // The agent series are placed (EC2's own series then lack InstanceId and are skipped by name).
    expect(report.nodePeriods.find((n) => n.instanceId === A)!.physicalRxBytes).toBe(50);
  });
});
