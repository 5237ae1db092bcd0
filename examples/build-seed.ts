/**
 * Builds examples/seed-experiment.capture.json from the numbers of the experiment that started netrecon
 * (iThome 2022 "AWS EKS" series, days 19 and 20; see docs/domain.md, "The seed experiment").
 * Run: npx tsx examples/build-seed.ts
 *
 * From the article: the node's name and interfaces (eth0, eth1, lo, pod veths eni3c1ae1f0141 and
 * enie348bef9edc), MTU 9001, the 536,870,912-byte file the netshoot pod downloads with curl in about 7 s, the
 * per-minute shares of eni3c1ae1f0141, eth1 and lo (their /proc/net/dev totals spread over 150 minutes), and the
 * idle EC2 figures of day 19 (NetworkIn 155,698 and NetworkOut 95,259 bytes per 5 minutes) as eth0's baseline.
 * Assumed here, not in the article: the instance id, launch time and clock times; TCP/IP framing of 66 bytes a
 * frame (Ethernet 14 + IPv4 20 + TCP with timestamps 32) with an MSS of 8,949 bytes; one ACK per two segments; an
 * HTTP response header of 250 bytes; EC2 counting exactly the ENIs' kernel bytes (real captures differ by framing
 * and period edges). It is an example input, not a test oracle: the tests derive their own numbers.
 */
import { fileURLToPath } from 'node:url';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture, type CaptureSeries } from '../lambda/capture/capture';
import { writeCaptureFile } from '../lambda/capture/io';
import { buildRules, classifyInterface, containerInsightsCounts } from '../lambda/core/interface-rules';

const INSTANCE_ID = 'i-0c55e4a6b1d3f7982'; // invented: the article does not show the day-20 instance id
const NODE_NAME = 'ip-192-168-55-245.eu-west-1.compute.internal';
const WINDOW_START = Date.parse('2022-10-05T09:00:00Z') / 1000;
const MINUTES = 15;
const DOWNLOAD_MINUTE = 7; // 09:07, inside the 09:05-09:10 period

const FILE_BYTES = 536_870_912;
const HTTP_RESPONSE_HEADER_BYTES = 250;
const HTTP_REQUEST_BYTES = 90;
const MSS_BYTES = 8_949;
const FRAME_OVERHEAD_BYTES = 14 + 20 + 32;
const SYN_FRAME_BYTES = 74;

const dataFrames = Math.ceil((FILE_BYTES + HTTP_RESPONSE_HEADER_BYTES) / MSS_BYTES);
// Server -> pod: SYN-ACK, the data frames, FIN.
const downloadInboundBytes = SYN_FRAME_BYTES + FILE_BYTES + HTTP_RESPONSE_HEADER_BYTES + dataFrames * FRAME_OVERHEAD_BYTES + FRAME_OVERHEAD_BYTES;
// Pod -> server: SYN, ACK, the request, one ACK per two segments, FIN.
const downloadOutboundBytes =
  SYN_FRAME_BYTES + FRAME_OVERHEAD_BYTES + (FRAME_OVERHEAD_BYTES + HTTP_REQUEST_BYTES) + Math.ceil(dataFrames / 2) * FRAME_OVERHEAD_BYTES + FRAME_OVERHEAD_BYTES;

type PerMinute = (minute: number) => number;
const interfaces: Record<string, { rx: PerMinute; tx: PerMinute }> = {
  // eth0 carries the node's idle traffic plus the download (in) and its ACKs (out).
  eth0: {
    rx: (m) => 31_140 + (m === DOWNLOAD_MINUTE ? downloadInboundBytes : 0),
    tx: (m) => 19_052 + (m === DOWNLOAD_MINUTE ? downloadOutboundBytes : 0),
  },
  eth1: { rx: (m) => (m % 5 === 0 ? 83 : 0), tx: (m) => (m % 5 === 0 ? 38 : 0) },
  eni3c1ae1f0141: { rx: () => 4_374, tx: () => 4_252 },
  // The netshoot pod's host-side veth transmits what the pod receives.
  enie348bef9edc: {
    rx: (m) => (m === DOWNLOAD_MINUTE ? downloadOutboundBytes : 0),
    tx: (m) => (m === DOWNLOAD_MINUTE ? downloadInboundBytes : 0),
  },
  lo: { rx: () => 11_385, tx: () => 11_385 },
};

const minutes = Array.from({ length: MINUTES }, (_, m) => m);
const iso = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
const minuteStamps = minutes.map((m) => iso(WINDOW_START + m * 60));
const fiveMinuteStarts = [0, 5, 10];

const agentSeries: CaptureSeries[] = Object.entries(interfaces).flatMap(([name, perMinute]) =>
  (['rx', 'tx'] as const).map((direction) => ({
    source: 'agent' as const,
    direction,
    namespace: 'CWAgent',
    metricName: direction === 'rx' ? 'net_bytes_recv' : 'net_bytes_sent',
    dimensions: { InstanceId: INSTANCE_ID, interface: name },
    stat: 'Sum',
    periodSeconds: 60,
    unit: 'Bytes',
    timestamps: minuteStamps,
    values: minutes.map(perMinute[direction]),
  })),
);

// Container Insights: cAdvisor sums rx + tx of every interface but lo*, veth*, docker*, nerdctl* - the eni veths included.
const counted = Object.entries(interfaces).filter(([name]) => containerInsightsCounts(name));
const ciBytesPerSecond = minutes.map((m) => Math.round((counted.reduce((a, [, f]) => a + f.rx(m) + f.tx(m), 0) / 60) * 1000) / 1000);

// EC2 counts at the ENIs: the interfaces netrecon's default rules call physical (eth0, eth1).
const rules = buildRules();
const physical = Object.keys(interfaces).filter((name) => classifyInterface(name, rules).interfaceClass === 'physical');
const ec2Sum = (direction: 'rx' | 'tx', first: number): number =>
  physical.reduce((a, name) => a + [0, 1, 2, 3, 4].reduce((b, k) => b + interfaces[name]![direction](first + k), 0), 0);

const capture: Capture = {
  format: CAPTURE_FORMAT,
  version: CAPTURE_VERSION,
  description:
    'The seed experiment\'s node (iThome 2022 "AWS EKS" day 20): a VPC CNI node with eth0, eth1, lo and two eni pod veths; ' +
    'the netshoot pod downloads a 536,870,912-byte file at 09:07, which crosses eth0 (RX) and the pod veth enie348bef9edc (TX). ' +
    'Built by examples/build-seed.ts from the article\'s own numbers; the instance id, clock times, TCP framing and ' +
    'EC2 = ENI kernel bytes are assumptions stated there. An example, not a test oracle.',
  generator: 'examples/build-seed.ts',
  cluster: 'ithome-eks-demo',
  region: 'eu-west-1',
  periodSeconds: 300,
  window: { start: iso(WINDOW_START), end: iso(WINDOW_START + MINUTES * 60) },
  nodes: [{ instanceId: INSTANCE_ID, nodeName: NODE_NAME, launchTime: '2022-10-05T07:12:41Z', state: 'running' }],
  series: [
    ...(['in', 'out'] as const).map((direction) => ({
      source: 'ec2' as const,
      direction,
      namespace: 'AWS/EC2',
      metricName: direction === 'in' ? 'NetworkIn' : 'NetworkOut',
      dimensions: { InstanceId: INSTANCE_ID },
      stat: 'Sum',
      periodSeconds: 300, // basic monitoring: one datapoint per 5 minutes
      unit: 'Bytes',
      timestamps: fiveMinuteStarts.map((m) => iso(WINDOW_START + m * 60)),
      values: fiveMinuteStarts.map((m) => ec2Sum(direction === 'in' ? 'rx' : 'tx', m)),
    })),
    {
      source: 'containerInsights',
      direction: 'total',
      namespace: 'ContainerInsights',
      metricName: 'node_network_total_bytes',
      dimensions: { ClusterName: 'ithome-eks-demo', InstanceId: INSTANCE_ID, NodeName: NODE_NAME },
      stat: 'Average',
      periodSeconds: 60,
      unit: 'Bytes/Second',
      timestamps: minuteStamps,
      values: ciBytesPerSecond,
    },
    ...agentSeries,
  ],
};

const out = fileURLToPath(new URL('./seed-experiment.capture.json', import.meta.url));
await writeCaptureFile(out, capture);
console.log(`wrote ${out}: ${capture.series.length} series; download ${downloadInboundBytes} bytes in, ${downloadOutboundBytes} out`);
