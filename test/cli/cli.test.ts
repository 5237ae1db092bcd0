/**
 * The CLI in-process: main(argv, io) with the output collected, as bin/netrecon.mjs calls it. Two smoke tests at
 * the end spawn the real binary, for what only a process shows (the compiled CLI, which test/global-build.ts made
 * fresh, the exit status, the streams).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatCaptureJson } from '../../lambda/capture/io';
import { main } from '../../lambda/cli/main';
import { capture, containerInsights, ec2, iface, node } from '../helpers/capture-builder';

const ROOT = resolve(__dirname, '../..');
const SEED = join(ROOT, 'examples/seed-experiment.capture.json');
const dir = mkdtempSync(join(tmpdir(), 'netrecon-cli-'));

async function netrecon(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The real binary in a child process; asynchronous, so the spawned tests do not block the worker's event loop. */
function spawnNetrecon(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/netrecon.mjs'), ...args], { cwd: ROOT, timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function writeCapture(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : formatCaptureJson(value as never));
  return path;
}

const noStackTrace = (text: string): void => expect(text).not.toMatch(/^\s+at /m);

describe('netrecon reconcile on the bundled seed capture', () => {
  it('prints the table, the cluster lines and the explanation, and exits 0', async () => {
    const r = await netrecon('reconcile', '--from', SEED);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PERIOD \(UTC\)\s+INSTANCE\s+NODE\s+BASIS\s+EC2 IN\+OUT\s+CONTAINER INS\.\s+CORRECTED\s+POD RX\+TX\s+DOUBLE-COUNTED\s+STATUS$/m);
    expect(r.stdout.match(/^2022-10-05 09:\d\d {2}cluster /gm)).toHaveLength(3);
    expect(r.stdout).toMatch(/^Container Insights counted .* because it sums every interface/m);
    expect(r.stdout).toMatch(/^Summary: 3 node-periods \(3 ok\); 13 series read, 0 series and 0 nodes skipped\.$/m);
  });

  it('shows, in JSON, Container Insights at about twice EC2 in the download period', async () => {
    const r = await netrecon('reconcile', '--from', SEED, '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const download = report.nodePeriods.find((n: any) => n.periodStart === '2022-10-05T09:05:00.000Z');
    const ec2Bytes = download.ec2InBytes + download.ec2OutBytes;
    expect(download.containerInsightsTotalBytes / ec2Bytes).toBeGreaterThan(1.9);
    expect(download.containerInsightsTotalBytes / ec2Bytes).toBeLessThan(2.1);
    // The 536,870,912-byte file reached the pod: its veth TX (what the pod received) is at least that.
    expect(download.podRxBytes).toBeGreaterThanOrEqual(536_870_912);
    expect(typeof report.explanation).toBe('string');
  });

  it('keeps the JSON field names stable', async () => {
    const report = JSON.parse((await netrecon('reconcile', '--from', SEED, '--format', 'json')).stdout);
    expect(Object.keys(report)).toEqual(['cluster', 'sourceProfile', 'periodSeconds', 'window', 'nodePeriods', 'clusterPeriods', 'skipped', 'summary', 'explanation']);
    expect(Object.keys(report.nodePeriods[0])).toEqual([
      'instanceId', 'nodeName', 'periodStart', 'periodSeconds', 'sourceProfile', 'basis', 'ec2InBytes', 'ec2OutBytes', 'containerInsightsTotalBytes',
      'physicalRxBytes', 'physicalTxBytes', 'podRxBytes', 'podTxBytes', 'overlayBytes', 'bridgeBytes', 'unknownBytes',
      'naiveTotalBytes', 'correctedTotalBytes', 'hostOnlyBytes', 'doubleCountedBytes', 'podEstimatedBytes', 'ec2DiscrepancyRatio',
      'containerInsightsResidualBytes', 'interfaces', 'complete', 'partial', 'status', 'findings',
    ]);
    expect(report.nodePeriods[0].complete).toEqual({ ranWholePeriod: true, ec2: true, containerInsights: true, agent: true });
  });

  it('re-buckets into a longer --period', async () => {
    const report = JSON.parse((await netrecon('reconcile', '--from', SEED, '--format', 'json', '--period', '600')).stdout);
    expect(report.periodSeconds).toBe(600);
    expect(report.summary.periods).toBe(1); // 09:00-09:10; 09:10-09:20 is not whole in a 09:00-09:15 window
  });
});

describe('netrecon reconcile exit codes', () => {
  const id = 'i-0000000000000000c';
  const other = 'i-0000000000000000d';

  it('exits 2 and says why when a node-period is not ok', async () => {
    const path = writeCapture('missing-agent.capture.json', capture([node(id)], [ec2(id, 'in', [1, 1]), ec2(id, 'out', [1, 1]), containerInsights(id, Array(10).fill(1))]));
    const r = await netrecon('reconcile', '--from', path, '--source-profile', 'full');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/missingAgent: no per-interface counters/);
  });

  it('reconciles the same node without the agent on the EC2 basis by default (mixed), and exits 0', async () => {
    const path = writeCapture('no-agent.capture.json', capture([node(id)], [ec2(id, 'in', [1, 1]), ec2(id, 'out', [1, 1]), containerInsights(id, Array(10).fill(1))]));
    const r = await netrecon('reconcile', '--from', path, '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.sourceProfile).toBe('mixed');
    // Counted once = EC2 in + out = 2; Container Insights 1 B/s x 300 s = 300; the pod estimate is their difference.
    expect(report.nodePeriods[0]).toMatchObject({ sourceProfile: 'agentless', basis: 'ec2', correctedTotalBytes: 2, doubleCountedBytes: 298, podEstimatedBytes: 298, status: 'ok' });
  });

  it('refuses an unknown --source-profile with the four it knows', async () => {
    const r = await netrecon('reconcile', '--from', SEED, '--source-profile', 'cheap');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--source-profile must be one of agentless, enis, full, mixed; got "cheap"/);
  });

  it('warns on stderr about a skipped series, still reports the other node, and exits 2', async () => {
    const good = capture([node(id), node(other)], [...iface(id, 'eth0', 1, 1), ...iface(other, 'eth0', 1, 1)]);
    const raw = JSON.parse(formatCaptureJson(good));
    raw.series[2].values[4] = -1;
    const r = await netrecon('reconcile', '--from', writeCapture('negative.capture.json', raw), '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^warning: skipped series \$\.series\[2\]\.values\[4\]: byte counts and rates cannot be negative.*\(value: -1\)$/m);
    const report = JSON.parse(r.stdout);
    expect(report.summary.seriesSkipped).toBe(1);
    expect(report.nodePeriods.filter((n: any) => n.instanceId === id).map((n: any) => n.correctedTotalBytes)).toEqual([10, 10]);
  });

  it.each([
    ['no --from', [], /--from FILE is required/],
    ['a file that does not exist', ['--from', join(dir, 'absent.json')], /absent\.json: cannot read the capture: no such file/],
    ['a bad --format', ['--from', SEED, '--format', 'xml'], /--format must be table, json or html; got "xml"/],
    ['a --period that is not whole minutes', ['--from', SEED, '--period', '90'], /periodSeconds is invalid: 90/],
    ['an unknown option', ['--from', SEED, '--colour'], /Unknown option '--colour'/],
  ])('exits 1 with one line on stderr for %s', async (_name, args, message) => {
    const r = await netrecon('reconcile', ...(args as string[]));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message as RegExp);
    noStackTrace(r.stderr);
  });

  it('exits 1 naming the file, the JSON path and the value of a structurally broken capture', async () => {
    const raw = JSON.parse(formatCaptureJson(capture([node(id)], [])));
    raw.window.start = 'soon';
    const path = writeCapture('broken.capture.json', raw);
    const r = await netrecon('reconcile', '--from', path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}: $.window.start: not an ISO 8601 time; got "soon".`);
    noStackTrace(r.stderr);
  });

  it('exits 1 naming a rules file whose class is unknown', async () => {
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ prepend: [{ pattern: '^x', interfaceClass: 'wired' }] }));
    const r = await netrecon('reconcile', '--from', SEED, '--rules', rules);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/prepend\[0\]: interfaceClass is not a class: "wired"/);
  });
});

describe('netrecon reconcile --format html and -o', () => {
  it('writes the seed report as one HTML page to -o FILE, says so on stderr, and exits 0', async () => {
    const out = join(dir, 'seed.html');
    const r = await netrecon('reconcile', '--from', SEED, '--format', 'html', '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`netrecon: report written to ${out}\n`);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Container Insights counted 2.00× EC2 because it counts pod traffic twice');
    expect(html).toContain(`from ${SEED}`);
  });

  it('prints HTML on stdout without -o, and -o works for the JSON report too', async () => {
    const r = await netrecon('reconcile', '--from', SEED, '--format', 'html');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
    const out = join(dir, 'seed.json');
    expect((await netrecon('reconcile', '--from', SEED, '--format', 'json', '--out', out)).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).summary.nodePeriods).toBe(3);
  });

  it('exits 1 with one line naming a -o FILE it cannot write', async () => {
    const r = await netrecon('reconcile', '--from', SEED, '--format', 'html', '-o', join(dir, 'no-such-dir', 'r.html'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write the report to .*no-such-dir\/r\.html: ENOENT/);
    noStackTrace(r.stderr);
  });
});

describe('netrecon help and rules', () => {
  it.each([['--help'], ['reconcile', '--help'], ['rules', '--help']])('prints help for %s and exits 0', async (...args) => {
    const r = await netrecon(...args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: netrecon/);
  });

  it('exits 1 on an unknown command, listing the commands', async () => {
    const r = await netrecon('reconsile');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command "reconsile"\. Commands: .*reconcile/);
  });

  it('classifies names and says whether Container Insights counts them', async () => {
    const r = await netrecon('rules', 'eth0', 'eni3c1ae1f0141', 'veth12ab', 'lxc_health');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(lines.map(([name, cls]) => `${name}:${cls}`)).toEqual(['eth0:physical', 'eni3c1ae1f0141:podVeth', 'veth12ab:podVeth', 'lxc_health:bridge']);
    expect(r.stdout).toMatch(/^eni3c1ae1f0141 .*counted by Container Insights/m);
    expect(r.stdout).toMatch(/^veth12ab .*ignored by Container Insights/m);
  });
});

describe('the netrecon binary (bin/netrecon.mjs in a child process)', () => {
  it('runs the compiled CLI (dist/cli/), prints the report on stdout and exits 0', async () => {
    const r = await spawnNetrecon('reconcile', '--from', SEED);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Summary: 3 node-periods \(3 ok\); 13 series read, 0 series and 0 nodes skipped\.$/m);
  });

  it('sets the exit status of a user error and prints one line on stderr, no stack trace', async () => {
    const r = await spawnNetrecon('reconcile', '--from', join(dir, 'absent.json'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/absent\.json: cannot read the capture: no such file/);
    noStackTrace(r.stderr);
  });
});
