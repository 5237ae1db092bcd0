/**
 * A cluster target: the cluster a run reconciles and, for the central reconciler (docs/central.md), the account
 * it lives in. Central targets are written `ACCOUNT_ID/CLUSTER` (`111122223333/prod`); a plain `CLUSTER` is a
 * cluster of the reconciler's own account, read as before. Pure.
 */

export interface ClusterTarget {
  /** The EKS cluster name, as its nodes' tags and Container Insights' ClusterName dimension spell it. */
  readonly cluster: string;
  /** The 12-digit source account; absent for a cluster of the reconciler's own account. */
  readonly accountId?: string;
}

/** EKS cluster names: 1-100 characters, a letter or digit first, then letters, digits, hyphens, underscores. */
export const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** An AWS account id: 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;
/**
 * What a Region name looks like (us-east-1, us-gov-west-1, us-isob-east-1, eusc-de-east-1): a partition prefix of
 * 2-4 letters, one or more words, and a number, joined by dashes. `mars-1` is not one.
 */
export const AWS_REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** `ACCOUNT_ID/CLUSTER` or `CLUSTER`, as the settings take it; null when it is neither. */
export function parseClusterTarget(text: string): ClusterTarget | null {
  const slash = text.indexOf('/');
  if (slash < 0) return CLUSTER_NAME.test(text) ? { cluster: text } : null;
  const accountId = text.slice(0, slash);
  const cluster = text.slice(slash + 1);
  return ACCOUNT_ID.test(accountId) && CLUSTER_NAME.test(cluster) ? { accountId, cluster } : null;
}

/** Like parseClusterTarget for a target the settings have already checked; throws on anything else. */
export function clusterTargetOf(text: string): ClusterTarget {
  const target = parseClusterTarget(text);
  if (target === null) throw new RangeError(`not a cluster target: ${JSON.stringify(text)}`);
  return target;
}

/** The target as the settings write it. */
export function clusterTargetText(target: ClusterTarget): string {
  return target.accountId === undefined ? target.cluster : `${target.accountId}/${target.cluster}`;
}
