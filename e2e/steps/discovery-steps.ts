/**
 * `clusters=auto` against the emulator: the deployed artifact, told `auto` and a tag filter, lists the clusters
 * itself (moto 5.2.1 answers eks:ListClusters, paginated, and eks:DescribeCluster with tags), reconciles the
 * seeded cluster, leaves out the untagged one and skips a tagged cluster without nodes instead of failing.
 */
import { CreateClusterCommand, DeleteClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { invokeDeployed } from '../lib/artifact';
import { CLUSTER, OTHER_CLUSTER } from '../lib/cluster-model';
import { callsBetween } from '../lib/emulator';
import { ACCOUNT, clientConfig } from '../lib/sandbox';
import { scheduledEvent } from '../lib/scheduled-event';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

/** A cluster EKS lists but that runs no EC2 node (Fargate only, or just created). */
const NODELESS_CLUSTER = 'netrecon-e2e-fargate';
const TAG = { key: 'netrecon', value: 'on' } as const;

interface DiscoveryRun {
  readonly clusters?: readonly { cluster: string; outcome: string; skipReason?: string }[];
  readonly skippedClusters?: number;
  readonly failedClusters?: number;
  readonly discovery?: { clustersListed: number; clusterTag: string | null; clustersNotMatchingTag: number };
  readonly apiCalls?: Record<string, number>;
}

export function discoverySteps(context: SuiteContext): StepDefinition[] {
  return [
    {
      title: 'clusters=auto with a tag filter: the deployed artifact lists the clusters, reconciles the tagged one, skips a tagged cluster without nodes',
      run: async (figures) => {
        const eks = new EKSClient(clientConfig(context.sandbox!));
        const created = [
          { name: CLUSTER, tags: { [TAG.key]: TAG.value } },
          { name: NODELESS_CLUSTER, tags: { [TAG.key]: TAG.value } },
          { name: OTHER_CLUSTER, tags: { [TAG.key]: 'off' } },
        ];
        for (const c of created) {
          await eks.send(new CreateClusterCommand({ name: c.name, roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`, resourcesVpcConfig: {}, tags: c.tags }));
        }
        try {
          const before = await context.emulator!.calls();
          const invoked = await invokeDeployed(context.sandbox!, context.deployed!.fn!, scheduledEvent(context.sandbox!.region), {
            workDir: context.workDir,
            label: 'clusters-auto',
            env: { NETRECON_CLUSTERS: 'auto', NETRECON_CLUSTER_TAG: `${TAG.key}=${TAG.value}` },
          });
          const answered = callsBetween(before, await context.emulator!.calls());
          const run = invoked.invocations[0];
          if (!run?.ok) throw new Error(`the handler failed: ${run?.errorType}: ${run?.errorMessage} (log ${invoked.logPath})`);
          const s = (run.result ?? {}) as DiscoveryRun;
          const outcomes = Object.fromEntries((s.clusters ?? []).map((c) => [c.cluster, c.outcome]));
          figures.notes.push(`outcomes: ${JSON.stringify(outcomes)}; discovery: ${JSON.stringify(s.discovery)}; skipped: ${s.skippedClusters}`);
          const problems: string[] = [];
          // The seeded cluster's periods were published by the earlier runs: it waits (heartbeat only), it does not fail.
          if (!['emitted', 'waiting'].includes(outcomes[CLUSTER] ?? '')) problems.push(`${CLUSTER}: ${outcomes[CLUSTER]}`);
          if (outcomes[NODELESS_CLUSTER] !== 'skipped') problems.push(`${NODELESS_CLUSTER} should be skipped, is ${outcomes[NODELESS_CLUSTER]}`);
          if (OTHER_CLUSTER in outcomes) problems.push(`${OTHER_CLUSTER} (tag ${TAG.key}=off) was run`);
          if (s.failedClusters !== 0 || s.skippedClusters !== 1) problems.push(`failedClusters ${s.failedClusters}, skippedClusters ${s.skippedClusters}`);
          if (s.discovery?.clustersListed !== 3 || s.discovery.clustersNotMatchingTag !== 1) problems.push(`discovery ${JSON.stringify(s.discovery)}`);
          // EKS is a REST protocol: the emulator counts ListClusters as GET /clusters, DescribeCluster as GET /clusters/NAME.
          const listed = answered['eks:GET /clusters'] ?? 0;
          const described = Object.entries(answered).filter(([op]) => op.startsWith('eks:GET /clusters/')).reduce((n, [, k]) => n + k, 0);
          if (s.apiCalls?.ListClusters !== listed || s.apiCalls?.DescribeCluster !== described) {
            problems.push(`the run summary says ListClusters ${s.apiCalls?.ListClusters}, DescribeCluster ${s.apiCalls?.DescribeCluster}; the emulator answered ${listed} and ${described}`);
          }
          figures.notes.push(`eks calls answered: ListClusters ${listed}, DescribeCluster ${described}`);
          if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n${problems.join('\n')}`);
        } finally {
          for (const c of created) await eks.send(new DeleteClusterCommand({ name: c.name })).catch(() => undefined);
        }
      },
    },
  ];
}
