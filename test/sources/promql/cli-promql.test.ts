/**
 * `netrecon reconcile --cluster C --promql-url URL` end to end: the inventory, EC2 and the ledger from the
 * SIMULATED account (test/helpers/fake-aws.ts behind aws-sdk-client-mock), the per-interface counters from a REAL
 * Prometheus 2.42 loaded with node_exporter counters built from the same synthetic cluster, scraped every 30 s.
 * The expected figures are the synthetic cluster's own per-minute bytes, summed per period.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../lambda/cli/main';
import { FakeAws } from '../../helpers/fake-aws';
import { prometheusMissing, startPrometheus, type OmSample, type RunningPrometheus } from '../../helpers/prometheus';
import { agentBytes, makeCluster, type SynthNode } from '../../helpers/synthetic-cluster';
import { mockAccount } from '../../aws/account';
import { vpcCniHostVethName } from '../../../lambda/core/vpc-cni-veth-name';
import { NOW_SECONDS } from '../../aws/helpers';

const START = NOW_SECONDS - 3600;
const END = NOW_SECONDS - 1800;
const P = 300;
const iso = (s: number) => new Date(s * 1000).toISOString();
const nodes = makeCluster({ cluster: 'c1', nodes: 3, launchSeconds: NOW_SECONDS - 86_400 });

/** node_exporter's counters: each minute's bytes, half at :30 and half at :00, from START − 60 to END; lo grows 100 a scrape. */
function nodeExporterSamples(): OmSample[] {
  const out: OmSample[] = [];
  for (const n of nodes) {
    for (const device of [...n.interfaces, 'lo']) {
      const labels = { instance: `${n.nodeName}:9100`, job: 'node-exporter', device };
      let rx = 7_000_000_000;
      let tx = 3_000_000_000;
      for (let t = START - 60; t <= END; t += 30) {
        if (t > START - 60) {
          const minute = Math.floor((t - 1) / 60) * 60;
          const b = device === 'lo' ? { rxBytes: 200, txBytes: 200 } : agentBytes(n, device, minute)!;
          rx += b.rxBytes / 2;
          tx += b.txBytes / 2;
        }
        out.push({ name: 'node_network_receive_bytes_total', labels, value: rx, timeSeconds: t });
        out.push({ name: 'node_network_transmit_bytes_total', labels, value: tx, timeSeconds: t });
        // cAdvisor, inside the pod: its eth0 receives what the host veth transmits.
        const pod = PODS.get(device);
        if (pod) {
          const podLabels = { instance: '10.0.0.9:10250', job: 'kubelet', node: n.nodeName, namespace: 'default', pod, interface: 'eth0' };
          out.push({ name: 'container_network_receive_bytes_total', labels: podLabels, value: tx, timeSeconds: t });
          out.push({ name: 'container_network_transmit_bytes_total', labels: podLabels, value: rx, timeSeconds: t });
        }
      }
    }
  }
  return out;
}

/** The synthetic cluster's pods by their VPC CNI host veth (synthetic-cluster.ts names them pod-NODE-INDEX in default). */
const PODS = new Map(nodes.flatMap((n) => [0, 1].map((p) => [vpcCniHostVethName('default', `pod-${n.seed}-${p}`), `pod-${n.seed}-${p}`] as const)));

/** The synthetic cluster's bytes of one interface over [start, start + P). */
function periodBytes(n: SynthNode, device: string, start: number) {
  let rx = 0;
  let tx = 0;
  for (let m = start; m < start + P; m += 60) {
    const b = agentBytes(n, device, m)!;
    rx += b.rxBytes;
    tx += b.txBytes;
  }
  return { rx, tx };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

const missing = prometheusMissing();

describe.runIf(missing === null)('reconcile --cluster --promql-url on a real Prometheus', () => {
  let prom: RunningPrometheus;
  let account: ReturnType<typeof mockAccount>;
  beforeAll(async () => {
    prom = await startPrometheus(nodeExporterSamples());
  }, 60_000);
  afterAll(async () => prom?.stop());
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(NOW_SECONDS * 1000);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    account = mockAccount(new FakeAws(nodes));
  });
  afterEach(() => {
    account.restore();
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });
  const run = async (format: string, extra: string[] = []) => {
    const t = io();
    const code = await main(['reconcile', '--cluster', 'c1', '--region', 'eu-west-1', '--source-profile', 'full', '--start', iso(START), '--end', iso(END), '--dry-run', '--promql-url', prom.url, '--format', format, ...extra], t.io);
    return { code, ...t };
  };

  it('--format json: every interface to the byte, every node-period ok, and the naive node_exporter figure explained', async () => {
    const r = await run('json');
    expect(r.err()).not.toMatch(/Error/);
    const json = JSON.parse(r.out());
    expect(r.code).toBe(0);
    expect(json.summary).toMatchObject({ nodes: 3, periods: 6, nodePeriods: 18 });
    let naive = 0;
    let ec2 = 0;
    for (const n of nodes) {
      for (let s = START; s < END; s += P) {
        const np = json.nodePeriods.find((x: { instanceId: string; periodStart: string }) => x.instanceId === n.instanceId && x.periodStart === iso(s));
        expect(np.status).toBe('ok');
        for (const device of n.interfaces) {
          const want = periodBytes(n, device, s);
          expect(np.interfaces.find((i: { name: string }) => i.name === device)).toMatchObject({ rxBytes: want.rx, txBytes: want.tx });
          naive += want.rx + want.tx;
        }
        expect(np.interfaces.find((i: { name: string }) => i.name === 'lo')).toMatchObject({ rxBytes: 10 * 100, txBytes: 10 * 100 });
        const e0 = periodBytes(n, 'eth0', s);
        const e1 = periodBytes(n, 'eth1', s);
        expect(np.correctedTotalBytes).toBe(e0.rx + e0.tx + e1.rx + e1.tx);
        ec2 += np.ec2InBytes + np.ec2OutBytes;
      }
    }
    expect(json.nodeExporter).toMatchObject({ naiveBytes: naive, ec2Bytes: ec2, nodePeriods: 18 });
    expect(json.nodeExporter.ratioToEc2).toBeCloseTo(naive / ec2, 12);
    expect(json.nodeExporter.explanation).toContain(`counted`);
    expect(json.nodeExporter.explanation).toContain(`${(naive / ec2).toFixed(2)}× EC2's`);
    expect(json.promql).toMatchObject({ kind: 'prometheus', url: prom.url, retries: 0 });
    // Per pod, from cAdvisor: each pod's bytes equal its host veth's, mirrored (the veth transmits what the pod receives).
    for (const n of nodes) {
      const pods = json.pods.find((x: { instanceId: string }) => x.instanceId === n.instanceId).pods;
      expect(pods).toHaveLength(2);
      for (const p of pods) {
        const veth = vpcCniHostVethName('default', p.pod);
        let vethTx = 0;
        for (let s = START; s < END; s += P) vethTx += periodBytes(n, veth, s).tx;
        expect(p).toMatchObject({ namespace: 'default', rxBytes: vethTx, veth: { name: veth, txBytes: vethTx, rxBytes: p.txBytes } });
      }
    }
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  }, 60_000);

  it('--format table and html carry the same explanation', async () => {
    const table = await run('table');
    expect(table.code).toBe(0);
    expect(table.out()).toMatch(/Your `sum by \(node\)` over node_exporter's devices \(every device but lo\) counted .*× EC2's/);
    expect(table.out()).toMatch(/The pods that moved the most bytes \(cAdvisor, read in each pod\): default\/pod-\d-\d on i-0+\d .*equal to its veth eni[0-9a-f]{11}/);
    const file = join(mkdtempSync(join(tmpdir(), 'netrecon-promql-html-')), 'r.html');
    const html = await run('html', ['-o', file]);
    expect(html.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/Your `sum by \(node\)` over node_exporter&#39;s devices|Your `sum by \(node\)` over node_exporter's devices/);
  }, 60_000);

  it('a label name the classic syntax cannot write is refused before any request, naming the flag', async () => {
    const r = await run('json', ['--promql-labels', 'node=@resource.host.id']);
    expect(r.code).toBe(1);
    expect(r.err()).toMatch(/--promql-labels: "@resource.host.id" is not a classic PromQL label name/);
  }, 60_000);

  it("a query the server refuses (2.42 cannot parse CloudWatch's quoted names: HTTP 400 bad_data) fails the run with the server's own error, and nothing is published", async () => {
    const r = await run('json', ['--promql-kind', 'cloudwatch']);
    expect(r.code).toBe(1);
    expect(r.err()).toMatch(/PromQL: the per-interface counters of cluster c1.*HTTP 400 bad_data: .*parse error/);
    expect(r.out()).toBe('');
    expect(account.cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  }, 60_000);

  it('doctor --promql-url: the labels the series carry, the nodes they name, the pod veths, and the last hour reconciled from them', async () => {
    const t = io();
    const code = await main(['doctor', '--cluster', 'c1', '--region', 'eu-west-1', '--promql-url', prom.url, '--format', 'json'], t.io);
    const json = JSON.parse(t.out());
    expect(json.promql).toMatchObject({ kind: 'prometheus', seriesFound: 3 * 5, nodesMatched: 3, nodesInInventory: 3, podVethSeries: 3 * 2, labelsFound: ['device', 'instance', 'job'], labelsMissing: [], verdict: 'ok' });
    expect(code === 0 || code === 2).toBe(true);
    // Each node's devices (ENIs, lo, pod veths) resolve to full: PromQL is recommended for the counters, and the
    // PromQL rows price no agent series and no reads (a Prometheus of your own).
    expect(Object.values(json.promql.nodeProfiles)).toEqual(['full', 'full', 'full']);
    expect(json.promqlRecommendation).toMatchObject({ sourceProfile: 'full' });
    const rows = json.costs.filter((c: { counters?: string }) => c.counters === 'promql');
    expect(rows.map((c: { sourceProfile: string }) => c.sourceProfile)).toEqual(['enis', 'full', 'mixed']);
    expect(rows.every((c: { agentUsdPerMonth: number; promqlReadsUsdPerMonth: number }) => c.agentUsdPerMonth === 0 && c.promqlReadsUsdPerMonth === 0)).toBe(true);
    const table = io();
    await main(['doctor', '--cluster', 'c1', '--region', 'eu-west-1', '--promql-url', prom.url, '--promql-labels', 'node=node'], table.io);
    expect(table.out()).toMatch(/✗ PromQL prometheus at .*: 15 node_exporter receive series for 0 of 3 nodes; 6 are pod veths/);
    expect(table.out()).toMatch(/labels found: device, instance, job\n {4}fix: the series lack node/);
    expect(table.out()).not.toMatch(/Recommended with PromQL/);
  }, 60_000);
});
