/**
 * The bench's node_exporter counters (bench/promql.ts, test/bench/simulated-promql.test.ts): one hour, 30 s scrapes,
 * eth0, eth1, two VPC CNI veths and lo per node, each counter growing by a fixed step a scrape. The same values feed
 * the real Prometheus (as OpenMetrics samples for promtool) and the SIMULATED answerer.
 */
import { isoOf } from '../lambda/core/units';
import { vpcCniHostVethName } from '../lambda/core/vpc-cni-veth-name';
import type { OmSample } from '../test/helpers/prometheus';
import type { SimulatedSeries } from './simulated-promql';

export const T0 = Date.UTC(2026, 2, 1, 10, 0, 0) / 1000;
export const HOUR = 3600;
export const P = 300;
export const SCRAPE = 30;
const FIRST_SCRAPE = T0 - 60;
export const DEVICES = 5; // eth0, eth1, two veths, lo

export const nodeOf = (i: number) => ({ instanceId: `i-${i.toString(16).padStart(17, '0')}`, nodeName: `ip-10-${(i >> 16) & 255}-${(i >> 8) & 255}-${i & 255}.eu-west-1.compute.internal`, launchTime: isoOf(T0 - 86_400) });
const indexOfName = (name: string): number => {
  const m = /^ip-10-([0-9]+)-([0-9]+)-([0-9]+)\./.exec(name);
  if (!m) throw new Error(`not a bench node name: ${name}`);
  return (Number(m[1]) << 16) | (Number(m[2]) << 8) | Number(m[3]);
};
const devicesOf = (i: number) => ['eth0', 'eth1', vpcCniHostVethName('default', `a-${i}`), vpcCniHostVethName('default', `b-${i}`), 'lo'];
/** The k-th scrape's counter value; both answerers serve these. */
const valueOf = (metric: string, k: number) => 1e9 + k * (metric === 'node_network_receive_bytes_total' ? 1_000_000 : 10_000);

export function samples(nodes: number): OmSample[] {
  const out: OmSample[] = [];
  for (let i = 0; i < nodes; i++) {
    const n = nodeOf(i);
    for (const device of devicesOf(i)) {
      const labels = { instance: `${n.nodeName}:9100`, device };
      for (let t = FIRST_SCRAPE, k = 0; t <= T0 + HOUR; t += SCRAPE, k++) {
        for (const name of ['node_network_receive_bytes_total', 'node_network_transmit_bytes_total']) out.push({ name, labels, value: valueOf(name, k), timeSeconds: t });
      }
    }
  }
  return out;
}


export const simulatedSeries: SimulatedSeries = {
  devicesOf: (name) => devicesOf(indexOfName(name)),
  instanceOf: (name) => `${name}:9100`,
  valueAt: (metric, _name, _device, t) => (t <= T0 + HOUR ? valueOf(metric, (t - FIRST_SCRAPE) / SCRAPE) : undefined),
  scrapeIntervalSeconds: SCRAPE,
  firstScrapeSeconds: FIRST_SCRAPE,
};
