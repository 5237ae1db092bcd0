/**
 * The scheduled function with a PromQL source (issue 20): a REAL Prometheus (Debian's 2.42, loaded with promtool)
 * holds node_exporter counters for exactly the interfaces the seeded CloudWatch agent publishes, scraped every
 * minute; the deployed bundle runs with NETRECON_PROMQL_URL pointing at it and its own output namespace. It must
 * read the per-interface counters from PromQL instead of the agent, and publish, exactly once, the same figures the
 * hand formula gives for the agent (expected.ts), but for the node without Container Insights, which is no finding
 * with a PromQL source (OTel Container Insights publishes no node_network_total_bytes).
 */
import { RUN_SETTINGS } from '../../lambda/settings';
import { prometheusMissing, startPrometheus, type OmSample, type RunningPrometheus } from '../../test/helpers/prometheus';
import { invokeDeployed, type InvokeResult } from '../lib/artifact';
import { onCleanup } from '../lib/cleanup';
import { callsBetween } from '../lib/emulator';
import { CLUSTER, MINUTE_SECONDS } from '../lib/cluster-model';
import type { ExpectedPeriod } from '../lib/expected';
import { compareWithExpected, readPublished, type Reading } from '../lib/readback';
import { scheduledEvent } from '../lib/scheduled-event';
import type { StepDefinition } from '../lib/steps';
import type { SuiteContext } from '../lib/suite-context';

export const PROMQL_NAMESPACE = 'NetReconPromql';

interface Summary {
  readonly metricsEmitted?: number;
  readonly clusters?: readonly { cluster: string; outcome: string; periodsEmitted: number; error?: string }[];
}

/** node_exporter's counters of every interface the agent reports: the minute's bytes added at each minute's end. */
function counters(context: SuiteContext): OmSample[] {
  const { model, result } = context.seed!;
  const out: OmSample[] = [];
  for (const seeded of result.nodes) {
    const node = seeded.node;
    if (node.cluster !== CLUSTER || !node.hasAgent) continue;
    for (const iface of node.interfaces.filter((i) => i.reportedByAgent)) {
      const labels = { instance: `${seeded.nodeName}:9100`, job: 'node-exporter', device: iface.name };
      let rx = 1_000_000_000;
      let tx = 2_000_000_000;
      for (let m = 0; m <= model.minutes; m += 1) {
        if (m > 0) {
          rx += iface.rxBytesPerMinute[m - 1]!;
          tx += iface.txBytesPerMinute[m - 1]!;
        }
        const t = model.startEpochSeconds + m * MINUTE_SECONDS;
        out.push({ name: 'node_network_receive_bytes_total', labels, value: rx, timeSeconds: t });
        out.push({ name: 'node_network_transmit_bytes_total', labels, value: tx, timeSeconds: t });
      }
    }
  }
  return out;
}

/** The agent's expected periods, with the node without Container Insights `ok`: no finding with a PromQL source. */
function expectedWithPromql(expected: readonly ExpectedPeriod[]): ExpectedPeriod[] {
  return expected.map((p) => {
    const counts = { ...p.nodeCountByStatus };
    const missing = counts.missingContainerInsights ?? 0;
    if (missing > 0) {
      delete counts.missingContainerInsights;
      counts.ok = (counts.ok ?? 0) + missing;
    }
    return { ...p, nodeCountByStatus: counts };
  });
}

export function promqlSteps(context: SuiteContext): StepDefinition[] {
  let prom: RunningPrometheus | undefined;
  let first: Reading | undefined;
  const read = () => readPublished(context.clients!.cloudwatch, CLUSTER, context.seed!.window, context.seed!.model.periodSeconds, PROMQL_NAMESPACE);
  const invoke = (label: string, invocations: number): Promise<InvokeResult> =>
    invokeDeployed(context.sandbox!, context.deployed!.fn!, scheduledEvent(context.sandbox!.region), {
      workDir: context.workDir,
      label,
      invocations,
      env: {
        [RUN_SETTINGS.outputNamespace.env]: PROMQL_NAMESPACE,
        [RUN_SETTINGS.promqlUrl.env]: prom!.url,
        [RUN_SETTINGS.promqlScrapeIntervalSeconds.env]: '60',
      },
    });
  const summaries = (r: InvokeResult, label: string): Summary[] =>
    r.invocations.map((x, i) => {
      if (!x.ok) throw new Error(`${label} ${i + 1}: the handler failed: ${x.errorType}: ${x.errorMessage} (log ${r.logPath})`);
      return (x.result ?? {}) as Summary;
    });
  return [
    {
      title: "Start a real Prometheus holding node_exporter counters of the agent's interfaces (promtool, one scrape a minute)",
      run: async (figures) => {
        const missing = prometheusMissing();
        if (missing) throw new Error(`the PromQL steps need Prometheus: ${missing}`);
        const samples = counters(context);
        prom = await startPrometheus(samples);
        onCleanup('prometheus', () => prom!.stop());
        figures.notes.push(`${prom.url}: ${samples.length} samples`);
      },
    },
    {
      title: 'Run the deployed function with promqlUrl: the same figures as from the agent, in its own namespace, each from one datum',
      run: async (figures) => {
        const before = await context.emulator!.calls();
        const [s] = summaries(await invoke('promql-scheduled', 1), 'promql run');
        // The per-interface counters came from Prometheus: the agent's namespace was never listed. The one listing
        // a run makes is Container Insights' node listing (one page for this cluster; docs/aws.md, "A node the
        // inventory no longer lists"); an agent listing would be at least one more.
        const listed = callsBetween(before, await context.emulator!.calls())['monitoring:ListMetrics'] ?? 0;
        if (listed !== 1) throw new Error(`the run called ListMetrics ${listed} time(s), not just the Container Insights node listing: ${listed > 1 ? 'it listed the CloudWatch agent too, not only PromQL' : 'the node listing is missing'}`);
        const ours = s!.clusters?.find((c) => c.cluster === CLUSTER);
        if (!ours || ours.outcome !== 'emitted') throw new Error(`cluster ${CLUSTER}: ${JSON.stringify(ours)}`);
        figures.emitted = s!.metricsEmitted;
        first = await read();
        const result = compareWithExpected(first, expectedWithPromql(context.seed!.expected));
        figures.compared = result.compared;
        figures.notes.push(`${ours.periodsEmitted} periods emitted`, ...result.rows);
        if (result.problems.length > 0) throw new Error(`${result.problems.length} problem(s):\n${result.problems.slice(0, 15).join('\n')}`);
      },
    },
    {
      title: 'Run it again, cold then warm: nothing is published twice',
      run: async (figures) => {
        const runs = summaries(await invoke('promql-retry', 2), 'promql retry');
        const again = runs.reduce((a, s) => a + (s.clusters?.find((c) => c.cluster === CLUSTER)?.periodsEmitted ?? 0), 0);
        figures.emitted = runs.reduce((a, s) => a + (s.metricsEmitted ?? 0), 0);
        const after = await read();
        const problems: string[] = again > 0 ? [`the reruns emitted ${again} seeded period(s) again`] : [];
        for (const [key, periods] of first!.values) {
          for (const [at, was] of periods) {
            const now = after.values.get(key)?.get(at);
            if (!now || now.sum !== was.sum || now.samples !== was.samples) problems.push(`${key} @${at}: was ${was.sum} (${was.samples}), now ${now?.sum} (${now?.samples})`);
          }
        }
        if (problems.length > 0) throw new Error(problems.slice(0, 15).join('\n'));
        figures.notes.push('every value of the seeded periods unchanged, each from exactly one datum');
      },
    },
  ];
}
