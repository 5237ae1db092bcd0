/** Steps 2-3: seed the synthetic cluster through the SDK, then read the seed back to prove the emulator holds it. */
import { RUN_SETTINGS } from '../../lambda/settings';
import { buildClusterModel, seededWindow, NODES_IN_CLUSTER, NODES_IN_OTHER_CLUSTER } from '../lib/cluster-model';
import { expectedPeriods } from '../lib/expected';
import { seedCluster } from '../lib/seed';
import { checkSeed } from '../lib/seed-check';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

/** Whole 5-minute periods seeded, all closed at least the product's default lag before now. */
export const SEEDED_PERIODS = 4;

export function seedSteps(context: SuiteContext): StepDefinition[] {
  return [
    {
      title: `Seed ${NODES_IN_CLUSTER} nodes of the cluster and ${NODES_IN_OTHER_CLUSTER} of another, ${SEEDED_PERIODS} closed periods of 1-minute data`,
      run: async (figures) => {
        const clients = context.clients!;
        const window = seededWindow(Date.now() / 1000, SEEDED_PERIODS, RUN_SETTINGS.lagSeconds.default);
        const model = buildClusterModel({ startEpochSeconds: window.startEpochSeconds, periods: SEEDED_PERIODS });
        const result = await seedCluster(model, clients.ec2, clients.cloudwatch);
        context.seed = { model, result, expected: expectedPeriods(model), window };
        const ours = model.nodes.filter((n) => n.cluster === model.cluster);
        figures.notes.push(
          `window ${new Date(window.startEpochSeconds * 1000).toISOString()} .. ${new Date(window.endEpochSeconds * 1000).toISOString()} ` +
            `(closed >= ${RUN_SETTINGS.lagSeconds.default} s before now)`,
          `${result.series} series, ${result.datapoints} datapoints in ${result.putCalls} PutMetricData calls`,
          `${ours.filter((n) => n.os === 'al2').length} AL2 nodes (eth0/eth1), ${ours.filter((n) => n.os === 'al2023').length} AL2023 nodes (ens5/ens6), ` +
            `VPC CNI veths ${ours.reduce((t, n) => t + n.interfaces.filter((i) => i.role === 'podVeth').length, 0)}, ` +
            `node without agent ${ours.find((n) => !n.hasAgent)?.key}, node without Container Insights ${ours.find((n) => !n.hasContainerInsights)?.key}`,
        );
      },
    },
    {
      title: 'Read the seeded sources back (GetMetricData per series) and check them against the model',
      run: async (figures) => {
        const seed = context.seed!;
        const check = await checkSeed(seed.model, seed.result.nodes, context.clients!.cloudwatch);
        figures.compared = check.valuesCompared;
        figures.notes.push(`${check.calls} GetMetricData call(s), ${check.secondsPerCall.map((s) => `${s.toFixed(2)} s`).join(', ')}`);
        if (check.mismatches.length > 0) {
          throw new Error(`${check.mismatches.length} seeded values read back wrong, e.g.:\n${check.mismatches.slice(0, 5).join('\n')}`);
        }
      },
    },
  ];
}
