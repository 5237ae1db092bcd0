/**
 * The figure node_exporter users' dashboards show, and why it is about twice EC2: `sum by (node)` of
 * `node_network_{receive,transmit}_bytes_total` over every device but `lo` (and the node-mixin's variant,
 * `device!~"lo|veth.+"`), computed from the report's per-interface figures (docs/sources.md). Pure.
 */
import { formatBytes, formatPercent } from '../../core/format-bytes';
import type { ReconcileReport } from '../../core/model';

export interface NodeExporterNaive {
  /** Every device but `lo`, rx + tx, over the node-periods that have both it and EC2. */
  readonly naiveBytes: number;
  /** The node-mixin's: every device but `lo` and `veth…`. */
  readonly mixinBytes: number;
  readonly ec2Bytes: number;
  readonly correctedBytes: number;
  readonly podBytes: number;
  readonly overlayBridgeBytes: number;
  /** naive / EC2; null without EC2 bytes. */
  readonly ratioToEc2: number | null;
  readonly nodePeriods: number;
  readonly explanation: string;
}

const MIXIN_EXCLUDED = /^(lo|veth.+)$/;

export function nodeExporterNaive(report: ReconcileReport): NodeExporterNaive | null {
  let naive = 0;
  let mixin = 0;
  let ec2 = 0;
  let corrected = 0;
  let pod = 0;
  let devices = 0;
  let n = 0;
  for (const np of report.nodePeriods) {
    if (np.interfaces.length === 0 || np.ec2InBytes === null || np.ec2OutBytes === null || np.correctedTotalBytes === null) continue;
    n++;
    ec2 += np.ec2InBytes + np.ec2OutBytes;
    corrected += np.correctedTotalBytes;
    pod += (np.podRxBytes ?? 0) + (np.podTxBytes ?? 0);
    devices += (np.overlayBytes ?? 0) + (np.bridgeBytes ?? 0);
    for (const i of np.interfaces) {
      if (i.name === 'lo') continue;
      naive += i.rxBytes + i.txBytes;
      if (!MIXIN_EXCLUDED.test(i.name)) mixin += i.rxBytes + i.txBytes;
    }
  }
  if (n === 0) return null;
  const ratio = ec2 === 0 ? null : naive / ec2;
  const extra = devices > 0 ? `, and ${formatBytes(devices)} more on overlay and bridge devices` : '';
  const onceAtEnis = ec2 === 0 ? `counted once, at the ENIs, the nodes moved ${formatBytes(corrected)}` : `counted once, at the ENIs, the nodes moved ${formatBytes(corrected)}, ${formatPercent(Math.abs(ec2 - corrected) / ec2)} from EC2`;
  const explanation =
    `Your \`sum by (node)\` over node_exporter's devices (every device but lo) counted ${formatBytes(naive)}` +
    `${ratio === null ? '' : `, ${ratio.toFixed(2)}× EC2's ${formatBytes(ec2)}`}, because node_exporter reads every interface of the host: ` +
    `the ${formatBytes(pod)} that pods sent and received through their host-side veths (eni…, cali…, lxc…) were counted again on top of the same bytes on the ENIs${extra}; ` +
    `${onceAtEnis}. The node-mixin's device!~"lo|veth.+" still counts ${formatBytes(mixin)}${ec2 === 0 ? '' : ` (${(mixin / ec2).toFixed(2)}× EC2)`}: it misses eni…, cali… and lxc….`;
  return { naiveBytes: naive, mixinBytes: mixin, ec2Bytes: ec2, correctedBytes: corrected, podBytes: pod, overlayBridgeBytes: devices, ratioToEc2: ratio, nodePeriods: n, explanation };
}
