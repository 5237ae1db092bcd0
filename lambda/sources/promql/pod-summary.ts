/**
 * The pods that moved the most bytes per node, from cAdvisor's per-pod series (read in the pod's own network
 * namespace), each cross-checked with its host veth where the VPC CNI names it (`eni` + sha1 of `namespace.pod`):
 * what a pod receives its veth transmits, so the two should agree (docs/sources.md, "Per pod"). Pure.
 */
import { formatBytes } from '../../core/format-bytes';
import type { ReconcileReport } from '../../core/model';
import { vpcCniHostVethName } from '../../core/vpc-cni-veth-name';
import type { PodPeriods } from './read-source';

export interface PodFigure {
  readonly namespace: string;
  readonly pod: string;
  readonly rxBytes: number;
  readonly txBytes: number;
  /** The VPC CNI host veth's name for this pod, and its bytes over the same node-periods, when the node has it. */
  readonly veth: { readonly name: string; readonly txBytes: number; readonly rxBytes: number } | null;
}

export interface NodePods {
  readonly instanceId: string;
  readonly pods: readonly PodFigure[];
}

const sum = (m: ReadonlyMap<number, number>, keep: (start: number) => boolean): number => [...m].reduce((a, [s, b]) => (keep(s) ? a + b : a), 0);

export function topPods(pods: readonly PodPeriods[], report: ReconcileReport, perNode = 3, vethPrefix?: string): NodePods[] {
  const reported = new Set(report.nodePeriods.map((np) => `${np.instanceId} ${Date.parse(np.periodStart) / 1000}`));
  const byNode = new Map<string, Map<string, { namespace: string; pod: string; rx: number; tx: number }>>();
  for (const p of pods) {
    const keep = (start: number) => reported.has(`${p.instanceId} ${start}`);
    let node = byNode.get(p.instanceId);
    if (!node) byNode.set(p.instanceId, (node = new Map()));
    const key = `${p.namespace}/${p.pod}`;
    const f = node.get(key) ?? { namespace: p.namespace, pod: p.pod, rx: 0, tx: 0 };
    if (p.direction === 'rx') f.rx += sum(p.periods.bytes, keep);
    else f.tx += sum(p.periods.bytes, keep);
    node.set(key, f);
  }
  const out: NodePods[] = [];
  for (const [instanceId, node] of byNode) {
    const ifaces = new Map<string, { rx: number; tx: number }>();
    for (const np of report.nodePeriods) {
      if (np.instanceId !== instanceId) continue;
      for (const i of np.interfaces) {
        const t = ifaces.get(i.name) ?? { rx: 0, tx: 0 };
        t.rx += i.rxBytes;
        t.tx += i.txBytes;
        ifaces.set(i.name, t);
      }
    }
    const top = [...node.values()].sort((a, b) => b.rx + b.tx - (a.rx + a.tx)).slice(0, perNode);
    out.push({
      instanceId,
      pods: top.map((f) => {
        const name = vpcCniHostVethName(f.namespace, f.pod, vethPrefix);
        const v = ifaces.get(name);
        return { namespace: f.namespace, pod: f.pod, rxBytes: f.rx, txBytes: f.tx, veth: v ? { name, txBytes: v.tx, rxBytes: v.rx } : null };
      }),
    });
  }
  return out.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

/** One sentence: the pods that moved the most bytes in the cluster, and whether their veths agree. */
export function topPodsSentence(nodes: readonly NodePods[], most = 5): string | null {
  const all = nodes.flatMap((n) => n.pods.map((p) => ({ ...p, instanceId: n.instanceId })));
  if (all.length === 0) return null;
  const top = all.sort((a, b) => b.rxBytes + b.txBytes - (a.rxBytes + a.txBytes)).slice(0, most);
  const words = top.map((p) => {
    const check = p.veth === null ? '' : p.veth.txBytes === p.rxBytes && p.veth.rxBytes === p.txBytes ? `, equal to its veth ${p.veth.name}` : `, its veth ${p.veth.name} ${formatBytes(p.veth.txBytes + p.veth.rxBytes)}`;
    return `${p.namespace}/${p.pod} on ${p.instanceId} ${formatBytes(p.rxBytes + p.txBytes)} (in ${formatBytes(p.rxBytes)}, out ${formatBytes(p.txBytes)}${check})`;
  });
  return `The pods that moved the most bytes (cAdvisor, read in each pod): ${words.join('; ')}.`;
}
