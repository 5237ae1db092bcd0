/**
 * Input the CLI must answer with one clear line (exit 1) or a named skip (exit 2), never a stack trace, a
 * silently ignored flag or a wrong exit 0. In-process: main() with an injected io. The SDK clients are mocked
 * to refuse every call, so nothing here can reach AWS even if a check were missing.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatCaptureJson } from '../../lambda/capture/io';
import { main } from '../../lambda/cli/main';
import { capture, containerInsights, ec2, iface, iso, node, T0 } from '../helpers/capture-builder';

const SEED = resolve(__dirname, '../../examples/seed-experiment.capture.json');
const dir = mkdtempSync(join(tmpdir(), 'netrecon-input-'));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

function writeCapture(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : formatCaptureJson(value as never));
  return path;
}

/** Control characters a terminal would obey; newlines are the CLI's own. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const oneLineError = (r: { code: number; stdout: string; stderr: string }): void => {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2); // the message and its hint
};

const A = 'i-000000000000000aa';
const B = 'i-000000000000000bb';

describe('reconcile --from refuses the live-only flags it would ignore', () => {
  it.each([
    [['--start', '2026-03-01T10:00:00Z', '--end', '2026-03-01T11:00:00Z'], '--start, --end apply'],
    [['--dry-run'], '--dry-run applies'],
    [['--namespace', 'Other'], '--namespace applies'],
    [['--region', 'eu-west-1'], '--region applies'],
    [['--per-node-metrics'], '--per-node-metrics applies'],
  ])('%j', async (flags, message) => {
    const r = await run('reconcile', '--from', SEED, ...flags);
    oneLineError(r);
    expect(r.stderr).toContain(`netrecon reconcile: ${message} to a live account (--cluster), not to a capture file (--from)`);
  });
});

/** SDK clients that refuse every call, with dummy credentials: a test of a check made before any call. */
function refusingClients() {
  const cw = mockClient(CloudWatchClient);
  const ec2Client = mockClient(EC2Client);
  beforeAll(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  });
  beforeEach(() => {
    cw.reset().rejects(new Error('no AWS call was expected'));
    ec2Client.reset().rejects(new Error('no AWS call was expected'));
  });
  afterAll(() => {
    cw.restore();
    ec2Client.restore();
    vi.unstubAllEnvs();
  });
  return cw;
}

describe('the live commands refuse a malformed region before any AWS call', () => {
  const cw = refusingClients();

  it.each([
    ['reconcile', ['--region', 'us east 1', '--dry-run'], '--region "us east 1" is not an AWS region name'],
    ['reconcile', ['--region', '', '--dry-run'], '--region "" is not an AWS region name'],
    ['reconcile', ['--region', 'mars-1', '--dry-run'], '--region "mars-1" is not an AWS region name'],
    ['capture', ['--region', 'us east 1', '--start', iso(Date.now() / 1000 - 7200), '--end', iso(Date.now() / 1000 - 3600), '-o', join(dir, 'x.json')], '--region "us east 1" is not'],
  ])('%s %j', async (command, flags, message) => {
    const r = await run(command, '--cluster', 'c1', ...flags);
    oneLineError(r);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/like us-east-1/);
    expect(cw.calls()).toHaveLength(0);
  });

  it('names AWS_REGION when it is set but empty', async () => {
    vi.stubEnv('AWS_REGION', '');
    const r = await run('reconcile', '--cluster', 'c1', '--dry-run');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    oneLineError(r);
    expect(r.stderr).toContain('AWS_REGION "" is not an AWS region name');
    expect(cw.calls()).toHaveLength(0);
  });

  it('refuses --start 2026-02-30 instead of reading it as 2 March', async () => {
    const r = await run('reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--start', '2026-02-30T00:00:00Z', '--end', '2026-03-03T00:00:00Z', '--dry-run');
    oneLineError(r);
    expect(r.stderr).toContain('--start must be an ISO 8601 time with a zone and a real calendar date; got "2026-02-30T00:00:00Z"');
    expect(cw.calls()).toHaveLength(0);
  });
});

describe('hostile capture files get a clear error or a named skip', () => {
  it('a file of 100,000 nested lists: one line, exit 1', async () => {
    const r = await run('reconcile', '--from', writeCapture('nested.capture.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    oneLineError(r);
    expect(r.stderr).toMatch(/\$: a capture must be a JSON object; got \[\[\[/);
  });

  it('a node of 100,000 nested lists: a bounded warning, the report in JSON, exit 2', async () => {
    const raw = JSON.parse(formatCaptureJson(capture([node(A)], [...iface(A, 'eth0', 1, 1)])));
    const path = writeCapture('nested-node.capture.json', JSON.stringify(raw).replace('"nodes":[', `"nodes":[${'['.repeat(100_000)}${']'.repeat(100_000)},`));
    const r = await run('reconcile', '--from', path, '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^warning: skipped node \$\.nodes\[0\]: a node must be an object \(value: "\[\[\[/m);
    expect(JSON.parse(r.stdout).summary.nodesSkipped).toBe(1);
  });

  it('a 5 MB skipped value is printed truncated, not as one 5 MB line', async () => {
    const raw = JSON.parse(formatCaptureJson(capture([node(A)], [...iface(A, 'eth0', 1, 1)])));
    raw.series[0].source = 'x'.repeat(5_000_000);
    const r = await run('reconcile', '--from', writeCapture('long-value.capture.json', raw));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^warning: skipped series \$\.series\[0\]\.source: unknown source .*\(value: "xxxx.*\.\.\.\)$/m);
    expect(Math.max(...r.stderr.split('\n').map((l) => l.length))).toBeLessThan(1000);
  });

  it('a window from year 1 to 9999 is refused with its length, the limit and a hint', async () => {
    const raw = JSON.parse(formatCaptureJson(capture([node(A)], [])));
    raw.window = { start: '0001-01-01T00:00:00Z', end: '9999-12-31T00:00:00Z' };
    const r = await run('reconcile', '--from', writeCapture('eternity.capture.json', raw));
    oneLineError(r);
    expect(r.stderr).toMatch(/\$\.window: the window covers \d+ s, more than the 1296000 s \(15 days\) a capture may cover; .* split the capture/);
  });

  it('200 nodes over 15 days of 60 s periods (a 10 KB file) are refused before the report is built', async () => {
    const nodes = Array.from({ length: 200 }, (_, i) => ({ instanceId: `i-${i}`, launchTime: '2024-01-01T00:00Z' }));
    const path = writeCapture('many.capture.json', JSON.stringify({ ...capture([], []), periodSeconds: 60, window: { start: iso(T0), end: iso(T0 + 15 * 86_400) }, nodes }));
    const r = await run('reconcile', '--from', path);
    oneLineError(r);
    expect(r.stderr).toContain('the capture makes 4320000 node-periods (each node times the periods it ran in), more than the 2000000 one report holds');
  });

  it('byte values of 1.7e308 are skipped by name; the node is not reported ok and the exit is 2', async () => {
    const c = capture([node(A)], [...iface(A, 'eth0', 1, 1), ec2(A, 'in', [5, 5]), ec2(A, 'out', [5, 5]), containerInsights(A, Array(10).fill(10 / 300))]);
    const raw = JSON.parse(formatCaptureJson({ ...c, series: c.series.map((s) => ({ ...s, values: s.values.map(() => 1.7e308) })) }));
    const r = await run('reconcile', '--from', writeCapture('huge.capture.json', raw), '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/above the 1000000000000 bytes\/second no EC2 network interface reaches/);
    const report = JSON.parse(r.stdout);
    expect(report.summary.nodePeriodsByStatus.ok).toBe(0);
  });

  it('a node whose endTime precedes its launchTime is named in a warning, not dropped silently', async () => {
    const c = capture([node(A), node(B, { endTime: iso(T0 - 7200) })], [...iface(A, 'eth0', 1, 1)]);
    const r = await run('reconcile', '--from', writeCapture('time-travel.capture.json', c));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^warning: skipped node \$\.nodes\[1\]\.endTime: endTime is before launchTime/m);
  });
});

describe('names from tags and agent dimensions reach the terminal escaped', () => {
  it('ESC, OSC and CR in cluster, instance, node and interface names are escaped in the table and the warnings', async () => {
    const evil = 'i-1\u001b]0;owned\u0007';
    const c = capture([node(evil, { nodeName: 'ip\r\u001b[2K.internal' })], [...iface(evil, 'eth0', 1, 1), ...iface(evil, 'eth1\u001b[31m', 1, 1).slice(0, 1)]);
    const raw = JSON.parse(formatCaptureJson({ ...c, cluster: 'prod\u001b[2J' }));
    raw.series.push({ ...raw.series[0], dimensions: { InstanceId: 'i-gone\u001b[5m', interface: 'eth0' } });
    const r = await run('reconcile', '--from', writeCapture('evil.capture.json', raw));
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('cluster prod\\u001b[2J:');
    expect(r.stdout).toContain('i-1\\u001b]0;owned\\u0007');
    expect(r.stdout).toContain('interface eth1\\u001b[31m has received or sent bytes but not both');
    expect(r.stderr).toContain('i-gone\\u001b[5m');
  });

  it('escapes them in JSON output too, which stays valid JSON with the same names', async () => {
    const c = capture([node('i-1\u009b31m')], [...iface('i-1\u009b31m', 'eth0', 1, 1)]);
    const r = await run('reconcile', '--from', writeCapture('c1.capture.json', c), '--format', 'json');
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(r.stdout).nodePeriods[0].instanceId).toBe('i-1\u009b31m');
  });

  it('escapes names given to netrecon rules', async () => {
    const r = await run('rules', 'eth0\u001b[8m');
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('eth0\\u001b[8m');
  });
});

describe('issue 18: numbers, names and nodes that crashed or passed silently', () => {
  const agreeing = () => capture([node(A)], [...iface(A, 'eth0', 10, 10), ec2(A, 'in', [50, 50]), ec2(A, 'out', [50, 50]), containerInsights(A, Array(10).fill(100 / 300))]);

  it('--period 9e20 is one line naming the value and the range, not RangeError: Invalid time value', async () => {
    const r = await run('reconcile', '--from', writeCapture('p.capture.json', agreeing()), '--period', '9e20');
    oneLineError(r);
    expect(r.stderr).toContain('periodSeconds is invalid: 900000000000000000000. Use a whole number of minutes in seconds, from 60 to 1296000 (15 days');
  });

  it('a capture of periodSeconds 6e20 is refused with its JSON path and value', async () => {
    const r = await run('reconcile', '--from', writeCapture('p6.capture.json', { ...agreeing(), periodSeconds: 6e20 }));
    oneLineError(r);
    expect(r.stderr).toMatch(/\$\.periodSeconds: periodSeconds must be a whole number of minutes in seconds, at most 1296000 \(15 days\); got 600000000000000000000/);
  });

  it('a residualRatio of 1e309 (Infinity in JSON) says to use a finite number, not "from 0 to Infinity"', async () => {
    const path = join(dir, 'inf.thresholds.json');
    writeFileSync(path, '{"residualRatio": 1e309}');
    const r = await run('reconcile', '--from', writeCapture('t.capture.json', agreeing()), '--thresholds', path);
    oneLineError(r);
    expect(r.stderr).toContain('thresholds.residualRatio is invalid: Infinity. Use a finite number, 0 or more (JSON reads a number above 1.8e308, such as 1e309, as Infinity).');
    expect(r.stderr).not.toContain('to Infinity');
  });

  it('a node launched after all its data is a named skip and exit 2, not exit 0 and "deploy the agent"', async () => {
    const c = { ...agreeing(), nodes: [node(A, { launchTime: iso(T0 + 1200) })] };
    const r = await run('reconcile', '--from', writeCapture('late.capture.json', c));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`warning: skipped node ${A}: it launched ${iso(T0 + 1200)}, so it ran in no period of the window, yet its series hold data for the periods up to ${iso(T0 + 300)}`);
    expect(r.stdout).toContain('No node ran in any period of the window, so there is nothing to compare; 1 node was skipped (see the warnings).');
    expect(r.stdout).not.toContain('deploy the CloudWatch agent');
  });

  it('an agent series with an empty interface name is a named skip (the node partial), not an unknown interface', async () => {
    const c = agreeing();
    const r = await run('reconcile', '--from', writeCapture('noname.capture.json', { ...c, series: [...iface(A, '', 1000, 1000), ...c.series] }), '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^warning: skipped series .*interface=\}: its interface dimension is empty, so it names no interface/m);
    const report = JSON.parse(r.stdout);
    expect(report.nodePeriods.map((n: { status: string }) => n.status)).toEqual(['partialPeriod', 'partialPeriod']);
    expect(report.nodePeriods[0].interfaces.map((i: { name: string }) => i.name)).toEqual(['eth0']);
  });
});

describe('issue 18: an empty live flag is refused, not replaced by its default', () => {
  const cw = refusingClients();

  it.each([
    ['--namespace', '--namespace is invalid: "". A CloudWatch namespace is 1-255'],
    ['--node-filter', '--node-filter is invalid: "".'],
    ['--source-profile', '--source-profile is invalid: "".'],
  ])("%s ''", async (flag, message) => {
    const r = await run('reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--dry-run', flag, '');
    oneLineError(r);
    expect(r.stderr).toContain(message);
    expect(cw.calls()).toHaveLength(0);
  });
});
