/**
 * Hand-built node_exporter- and cAdvisor-shaped series for the real-Prometheus tests: six nodes, each one
 * scenario, scraped every 30 s on the minute and half minute, over two 300 s periods from T0 (and 60 s before,
 * the baseline). Each counter grows by a fixed number of bytes per scrape, so every expected figure in the tests
 * is that increment times the number of scrapes, written out by hand there.
 */
import { vpcCniHostVethName } from '../../../lambda/core/vpc-cni-veth-name';
import type { OmSample } from '../../helpers/prometheus';

export const T0 = Date.UTC(2026, 2, 1, 10, 0, 0) / 1000;
export const P = 300;
export const WINDOW = { startSeconds: T0, endSeconds: T0 + 2 * P };
export const SCRAPE_SECONDS = 30;

export const NODES = {
  vpcCni: { instanceId: 'i-0000000000000000a', nodeName: 'ip-10-0-0-1.eu-west-1.compute.internal' },
  reset: { instanceId: 'i-0000000000000000b', nodeName: 'ip-10-0-0-2.eu-west-1.compute.internal' },
  missingScrape: { instanceId: 'i-0000000000000000c', nodeName: 'ip-10-0-0-3.eu-west-1.compute.internal' },
  noPods: { instanceId: 'i-0000000000000000d', nodeName: 'ip-10-0-0-4.eu-west-1.compute.internal' },
  podChurn: { instanceId: 'i-0000000000000000e', nodeName: 'ip-10-0-0-5.eu-west-1.compute.internal' },
  calico: { instanceId: 'i-0000000000000000f', nodeName: 'ip-10-0-0-6.eu-west-1.compute.internal' },
} as const;

export const VETH = {
  web: vpcCniHostVethName('default', 'web'),
  old: vpcCniHostVethName('default', 'old'),
  new: vpcCniHostVethName('default', 'new'),
  calico: 'cali0123456789a',
};

/** Scrape times from T0 − 60 to T0 + 600, both included. */
export const SCRAPES = Array.from({ length: 23 }, (_, k) => T0 - 60 + SCRAPE_SECONDS * k);

type Node = (typeof NODES)[keyof typeof NODES];

interface CounterSpec {
  readonly node: Node;
  readonly device: string;
  readonly rxPerScrape: number;
  readonly txPerScrape: number;
  /** Times this series has samples at (default every scrape). */
  readonly times?: readonly number[];
  /** A reset (reboot) at this time: the counter restarts and reads `afterReset` there. */
  readonly resetAt?: { readonly time: number; readonly rx: number };
  /** The series starts here reading rx/tx `first` bytes (an interface created just before). */
  readonly first?: { readonly rx: number; readonly tx: number };
}

const BASE = 5_000_000_000;

function counter(spec: CounterSpec): OmSample[] {
  const times = spec.times ?? SCRAPES;
  const out: OmSample[] = [];
  const labels = { instance: `${spec.node.nodeName}:9100`, job: 'node-exporter', device: spec.device };
  let rx = spec.first ? spec.first.rx : BASE;
  let tx = spec.first ? spec.first.tx : BASE / 2;
  times.forEach((t, i) => {
    if (i > 0) {
      const steps = (t - times[i - 1]!) / SCRAPE_SECONDS;
      rx += spec.rxPerScrape * steps;
      tx += spec.txPerScrape * steps;
    }
    if (spec.resetAt && t === spec.resetAt.time) rx = spec.resetAt.rx;
    out.push({ name: 'node_network_receive_bytes_total', labels, value: rx, timeSeconds: t });
    out.push({ name: 'node_network_transmit_bytes_total', labels, value: tx, timeSeconds: t });
  });
  return out;
}

/** cAdvisor's view from inside the pod: its eth0 receives what the host veth transmits. */
function pod(node: Node, namespace: string, name: string, rxPerScrape: number, txPerScrape: number, times: readonly number[] = SCRAPES, first?: { rx: number; tx: number }): OmSample[] {
  const labels = { instance: '10.0.0.99:10250', job: 'kubelet', node: node.nodeName, namespace, pod: name, interface: 'eth0' };
  let rx = first?.rx ?? 1_000_000;
  let tx = first?.tx ?? 1_000_000;
  return times.flatMap((t, i) => {
    if (i > 0) {
      rx += rxPerScrape;
      tx += txPerScrape;
    }
    return [
      { name: 'container_network_receive_bytes_total', labels, value: rx, timeSeconds: t },
      { name: 'container_network_transmit_bytes_total', labels, value: tx, timeSeconds: t },
    ];
  });
}

const MISSING = T0 + 420;
const OLD_LAST = T0 + 360;
const NEW_FIRST = T0 + 450;
export const CHURN = { oldTimes: SCRAPES.filter((t) => t <= OLD_LAST), newTimes: SCRAPES.filter((t) => t >= NEW_FIRST) };

export function scenarioSamples(): OmSample[] {
  const everyButMissing = SCRAPES.filter((t) => t !== MISSING);
  return [
    // VPC CNI: a pod downloads through eth0 and its eni… veth.
    ...counter({ node: NODES.vpcCni, device: 'eth0', rxPerScrape: 1_000_000, txPerScrape: 20_000 }),
    ...counter({ node: NODES.vpcCni, device: VETH.web, rxPerScrape: 18_000, txPerScrape: 950_000 }),
    ...counter({ node: NODES.vpcCni, device: 'lo', rxPerScrape: 500, txPerScrape: 500 }),
    ...pod(NODES.vpcCni, 'default', 'web', 950_000, 18_000),
    // A reboot at T0 + 150: eth0's rx restarts and reads 400,000 there.
    ...counter({ node: NODES.reset, device: 'eth0', rxPerScrape: 1_000_000, txPerScrape: 10_000, resetAt: { time: T0 + 150, rx: 400_000 } }),
    ...counter({ node: NODES.reset, device: 'lo', rxPerScrape: 0, txPerScrape: 0 }),
    // The scrape at T0 + 420 is missing for every series of the node.
    ...counter({ node: NODES.missingScrape, device: 'eth0', rxPerScrape: 2_000_000, txPerScrape: 100_000, times: everyButMissing }),
    ...counter({ node: NODES.missingScrape, device: 'lo', rxPerScrape: 100, txPerScrape: 100, times: everyButMissing }),
    // No pods at all: the ENI and loopback only.
    ...counter({ node: NODES.noPods, device: 'eth0', rxPerScrape: 300_000, txPerScrape: 300_000 }),
    ...counter({ node: NODES.noPods, device: 'lo', rxPerScrape: 10, txPerScrape: 10 }),
    // Pod churn: pod "old" is deleted after T0 + 360, pod "new" appears at T0 + 450 having received 70,000 bytes.
    ...counter({ node: NODES.podChurn, device: 'eth0', rxPerScrape: 500_000, txPerScrape: 500_000 }),
    ...counter({ node: NODES.podChurn, device: VETH.old, rxPerScrape: 1_000, txPerScrape: 200_000, times: CHURN.oldTimes }),
    ...counter({ node: NODES.podChurn, device: VETH.new, rxPerScrape: 1_000, txPerScrape: 100_000, times: CHURN.newTimes, first: { rx: 700, tx: 70_000 } }),
    ...pod(NODES.podChurn, 'default', 'old', 200_000, 1_000, CHURN.oldTimes),
    ...pod(NODES.podChurn, 'default', 'new', 100_000, 1_000, CHURN.newTimes, { rx: 70_000, tx: 700 }),
    // Calico: a cali… veth and the VXLAN overlay.
    ...counter({ node: NODES.calico, device: 'eth0', rxPerScrape: 800_000, txPerScrape: 100_000 }),
    ...counter({ node: NODES.calico, device: VETH.calico, rxPerScrape: 90_000, txPerScrape: 700_000 }),
    ...counter({ node: NODES.calico, device: 'vxlan.calico', rxPerScrape: 50_000, txPerScrape: 50_000 }),
    ...counter({ node: NODES.calico, device: 'lo', rxPerScrape: 1, txPerScrape: 1 }),
  ];
}
