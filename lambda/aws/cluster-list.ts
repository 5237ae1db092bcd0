/**
 * The clusters of `clusters=auto`: eks:ListClusters (paginated) in the function's account and Region, then, when
 * the `clusterTag` setting is given, eks:DescribeCluster per cluster to read its tags (ListClusters returns names
 * only). Which clusters pass is decided by lambda/plan/cluster-selection.ts.
 *
 * Failure rules (docs/aws.md, "Clusters from discovery"): a list we could not read fails the run before anything
 * is read or published (ClusterListError); one cluster whose DescribeCluster fails is reported and skipped, the
 * others run. Only EKS clusters are listed (no `include=all`): a connected cluster has no EC2 nodes in this
 * account to reconcile.
 */
import { DescribeClusterCommand, ListClustersCommand } from '@aws-sdk/client-eks';
import { NetReconError } from '../core/errors';
import { clusterMatchesTag, clusterTagText, type ClusterTag } from '../plan/cluster-selection';
import { callAws, sendOptions, type AwsRuntime, type EksSender } from './api';

/** ListClusters' largest page (API reference: maxResults 1-100). */
const LIST_CLUSTERS_MAX_RESULTS = 100;

/** EKS publishes no per-operation rate for these calls: one at a time, and throttling is retried with backoff. */
const unpaced = (): Promise<void> => Promise.resolve();

/** A cluster discovery found but the run does not reconcile, and why (the run summary lists and counts it). */
export interface SkippedCluster {
  readonly cluster: string;
  readonly reason: string;
}

export interface ClusterListResult {
  /** The clusters to reconcile, sorted by name so runs walk them in the same order. */
  readonly clusters: readonly string[];
  /** Clusters ListClusters returned. */
  readonly listed: number;
  /** Listed clusters left out because their tags do not match `clusterTag` (not an error: that is the filter's job). */
  readonly notMatchingTag: number;
  /** Listed clusters whose tags could not be read. */
  readonly skipped: readonly SkippedCluster[];
}

/** The cluster list could not be read, so the run reconciles nothing: which call failed, and what to check. */
export class ClusterListError extends NetReconError {
  constructor(what: string, hint: string, options: { cause?: unknown } = {}) {
    super(`${what}; with clusters=auto nothing was reconciled or published this run. ${hint}`, { hint, cause: options.cause });
    this.name = 'ClusterListError';
  }
}

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

const PERMISSION_HINT =
  'Check that the function role (or your credentials) may call eks:ListClusters and, with clusterTag, eks:DescribeCluster (the construct grants both when clusters=auto), and that the Region runs EKS; the next run tries again.';

async function listNames(rt: AwsRuntime, eks: EksSender): Promise<string[]> {
  const names = new Set<string>();
  let nextToken: string | undefined;
  do {
    const input = { maxResults: LIST_CLUSTERS_MAX_RESULTS, ...(nextToken ? { nextToken } : {}) };
    let page;
    try {
      page = await callAws(rt, 'ListClusters', unpaced, () => eks.send(new ListClustersCommand(input), sendOptions(rt)));
    } catch (error) {
      if (rt.signal?.aborted) throw error;
      throw new ClusterListError(`eks:ListClusters failed after retries (${errorText(error)})`, PERMISSION_HINT, { cause: error });
    }
    for (const name of page.clusters ?? []) names.add(name);
    nextToken = page.nextToken;
  } while (nextToken);
  return [...names].sort();
}

/** Every EKS cluster of the account and Region, narrowed by `tag` when given. */
export async function listAccountClusters(rt: AwsRuntime, eks: EksSender, request: { readonly tag: ClusterTag | null }): Promise<ClusterListResult> {
  const names = await listNames(rt, eks);
  rt.progress(`discovery: ListClusters returned ${names.length} cluster(s)`);
  const { tag } = request;
  if (tag === null) return { clusters: names, listed: names.length, notMatchingTag: 0, skipped: [] };

  const clusters: string[] = [];
  const skipped: SkippedCluster[] = [];
  let notMatchingTag = 0;
  let refused = 0;
  for (const name of names) {
    let described;
    try {
      described = await callAws(rt, 'DescribeCluster', unpaced, () => eks.send(new DescribeClusterCommand({ name }), sendOptions(rt)));
    } catch (error) {
      if (rt.signal?.aborted) throw error;
      // Deleted between the two calls: nothing to reconcile, and not a sign that the list cannot be read.
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        skipped.push({ cluster: name, reason: 'eks:DescribeCluster found no such cluster: it was deleted after ListClusters listed it' });
        continue;
      }
      refused++;
      skipped.push({ cluster: name, reason: `eks:DescribeCluster failed after retries (${errorText(error)}), so its tags are unknown; the next run tries again` });
      continue;
    }
    if (clusterMatchesTag(described.cluster?.tags, tag)) clusters.push(name);
    else notMatchingTag++;
  }
  if (refused > 0 && refused === names.length) {
    throw new ClusterListError(`eks:DescribeCluster failed for all ${names.length} cluster(s) (first: ${skipped[0]!.reason}), so no cluster's ${clusterTagText(tag)} could be checked`, PERMISSION_HINT);
  }
  rt.progress(`discovery: ${clusters.length} of ${names.length} cluster(s) carry ${clusterTagText(tag)}${skipped.length > 0 ? `, ${skipped.length} skipped` : ''}`);
  return { clusters, listed: names.length, notMatchingTag, skipped };
}
