/**
 * The clusters a central view (or a central reconciler) covers, written `ACCOUNT_ID/CLUSTER` (see
 * docs/organization.md), e.g. `111122223333/prod`.
 */
import { NetReconPropsError } from '../errors';

export interface ClusterTarget {
  readonly account: string;
  readonly cluster: string;
}

/** At most this many targets per central stack: a composite alarm takes at most 100 underlying alarms. */
export const MAX_CENTRAL_TARGETS = 100;

const TARGET = /^(\d{12})\/([0-9A-Za-z][A-Za-z0-9_-]{0,99})$/;

export function parseTargets(value: readonly string[] | string): ClusterTarget[] {
  const items = (typeof value === 'string' ? value.split(',') : [...value]).map((t) => t.trim()).filter((t) => t !== '');
  if (items.length === 0) throw new NetReconPropsError('targets', value, 'Give ACCOUNT_ID/CLUSTER pairs separated by commas, e.g. 111122223333/prod,444455556666/dev.');
  if (items.length > MAX_CENTRAL_TARGETS) {
    throw new NetReconPropsError('targets', `${items.length} targets`, `At most ${MAX_CENTRAL_TARGETS} per central stack (a composite alarm takes 100 alarms): split them, e.g. one central stack per organizational unit.`);
  }
  const targets = items.map((item) => {
    const match = TARGET.exec(item);
    if (!match) throw new NetReconPropsError('targets', item, 'Write a target ACCOUNT_ID/CLUSTER: a 12-digit account id, a slash, an EKS cluster name (e.g. 111122223333/prod).');
    return { account: match[1]!, cluster: match[2]! };
  });
  const seen = new Set<string>();
  for (const t of targets) {
    const key = targetKey(t);
    if (seen.has(key)) throw new NetReconPropsError('targets', key, `${key} is listed twice.`);
    seen.add(key);
  }
  return targets;
}

export function targetKey(target: ClusterTarget): string {
  return `${target.account}/${target.cluster}`;
}
