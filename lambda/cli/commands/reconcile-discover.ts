/**
 * `netrecon reconcile --cluster auto [--cluster-tag KEY=VALUE]`: the clusters a function deployed with
 * `clusters=auto` would reconcile in this account and Region, listed with the code the function runs
 * (lambda/aws/cluster-list.ts). It reconciles none of them: a live reconcile prints one cluster's report, so the
 * next step is `netrecon reconcile --cluster NAME` for the cluster to look at. A way to try discovery (and the
 * tag filter, and the permissions) in one account before a stack set rolls it out everywhere.
 */
import { CLI_TIMEOUTS, createClients } from '../../aws/clients';
import { makeAwsRuntime } from '../../aws/api';
import { ClusterListError, listAccountClusters } from '../../aws/cluster-list';
import { InvalidValueError } from '../../core/errors';
import { clusterTagText, parseClusterTag, type ClusterTag } from '../../plan/cluster-selection';
import { EXIT, UsageError, type CommandIo } from '../usage';
import { checkRegion, describeAwsError } from './live';

export interface DiscoverOptions {
  readonly clusterTag?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly format: 'table' | 'json' | 'html';
}

function tagOf(text: string | undefined): ClusterTag | null {
  try {
    return parseClusterTag(text ?? '');
  } catch (error) {
    if (error instanceof InvalidValueError) throw new UsageError(`--cluster-tag is invalid: ${JSON.stringify(text)}. ${error.hint}`);
    throw error;
  }
}

export async function runListClusters(options: DiscoverOptions, io: CommandIo): Promise<number> {
  if (options.format === 'html') throw new UsageError('--cluster auto lists clusters: use --format table or json');
  const tag = tagOf(options.clusterTag);
  checkRegion(options.region);
  const clients = createClients({ timeouts: CLI_TIMEOUTS, ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) });
  const rt = makeAwsRuntime({ cloudWatch: clients.cloudWatch, ec2: clients.ec2, progress: (message) => io.stderr(`netrecon: ${message}\n`) });
  let found;
  try {
    found = await listAccountClusters(rt, clients.eks, { tag });
  } catch (error) {
    const message = error instanceof ClusterListError ? error.message : describeAwsError(error);
    if (message === undefined) throw error;
    io.stderr(`netrecon reconcile: ${message}\n`);
    return EXIT.usage;
  }
  if (options.format === 'json') {
    const out = { clusterTag: tag === null ? null : (options.clusterTag ?? '').trim(), clustersListed: found.listed, clustersNotMatchingTag: found.notMatchingTag, clusters: found.clusters, skipped: found.skipped };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const lines = [
      `${found.listed} EKS cluster(s) listed${tag ? `; ${found.notMatchingTag} without ${clusterTagText(tag)}` : ''}. A function deployed with clusters=auto${tag ? ` and this tag filter` : ''} reconciles:`,
      ...(found.clusters.length > 0 ? found.clusters.map((c) => `  ${c}`) : ['  (none)']),
      ...(found.skipped.length > 0 ? ['Skipped:', ...found.skipped.map((s) => `  ${s.cluster}: ${s.reason}`)] : []),
      ...(found.clusters.length > 0 ? [`Reconcile one with: netrecon reconcile --cluster ${found.clusters[0]} --dry-run`] : []),
    ];
    io.stdout(lines.map((l) => `${l}\n`).join(''));
  }
  // Like a skipped node: the list was produced, but not every listed cluster could be placed.
  return found.skipped.length > 0 ? EXIT.notReconciled : EXIT.ok;
}
