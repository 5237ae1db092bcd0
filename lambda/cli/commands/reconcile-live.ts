/**
 * `netrecon reconcile --cluster NAME`: the Lambda's pipeline against a live account, from a terminal. Reads the
 * window (default: the last hour of closed periods), prints the same report as `--from FILE`, and publishes the
 * periods the ledger does not have yet, exactly once, like the deployed function; `--dry-run` prints what would
 * be published and writes nothing.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Thresholds } from '../../core/config';
import type { InterfaceRuleOverrides } from '../../core/interface-rules';
import { isoOf } from '../../core/units';
import { HEARTBEAT_METRIC } from '../../output-metrics';
import { LedgerMemory } from '../../plan/ledger-memory';
import { runCluster } from '../../pipeline';
import { exitCodeFor, warnSkipped } from '../report-outcome';
import { chain, reportChunks, writeReport, type ReportFormat } from '../report-output';
import { EXIT, type CommandIo } from '../usage';
import { describeAwsError, LIVE_DEFAULT_WINDOW_SECONDS, liveRuntime, liveSettings, liveTargetRuntime, liveWindow } from './live';
import type { RunWindow } from '../../plan/pending-periods';
import { NetReconError } from '../../core/errors';
import { clusterTargetOf } from '../../core/cluster-target';
import { createClients } from '../../aws/clients';
import { LedgerStore } from '../../aws/ledger-store';
import { lastHeartbeatSeconds } from '../../aws/ledger';
import type { AwsRuntime } from '../../aws/api';
import { hostname, userInfo } from 'node:os';

/** The longest schedule a deployed function may have (8 h, lib/deploy-settings.ts) and one period more. */
const HEARTBEAT_LOOKBACK_SECONDS = 8 * 3600 + 3600;

/** A publish without the ledger table while a deployed function publishes the same cluster: refused. */
class ConcurrentPublisherError extends NetReconError {
  constructor(cluster: string, namespace: string, beatSeconds: number) {
    super(
      `a deployed reconciler published the heartbeat of cluster ${cluster} to ${namespace} at ${isoOf(beatSeconds)}, so it may be publishing ` +
        'right now, and without its ledger table this run cannot exclude it: both would publish the same periods and double them. Nothing was ' +
        'published. Pass --ledger-table with the stack\'s LedgerTableName output (the two then take turns), or use --dry-run, or publish to another --namespace.',
      { value: namespace },
    );
    this.name = 'ConcurrentPublisherError';
  }
}

/**
 * The ledger store the CLI publishes under, when it has a table; without one, refuses to publish next to a
 * function whose heartbeat shows it publishing the cluster, and otherwise says what it cannot exclude.
 */
async function publisherStore(rt: AwsRuntime, options: LiveReconcileOptions, table: string, namespace: string, nowSeconds: number, io: CommandIo): Promise<LedgerStore | undefined> {
  if (options.dryRun) return table ? new LedgerStore(createClients(clientOptions(options)).dynamo, table) : undefined;
  if (table) return new LedgerStore(createClients(clientOptions(options)).dynamo, table);
  const { cluster, accountId } = clusterTargetOf(options.cluster);
  const beat = await lastHeartbeatSeconds(rt, { namespace, cluster, accountId, startSeconds: Math.floor((nowSeconds - HEARTBEAT_LOOKBACK_SECONDS) / 300) * 300, endSeconds: Math.ceil(nowSeconds / 300) * 300 });
  if (beat !== undefined) throw new ConcurrentPublisherError(options.cluster, namespace, beat);
  io.stderr(
    `netrecon: warning: no --ledger-table: nothing excludes another publisher of cluster ${options.cluster} in ${namespace} while this run publishes ` +
      '(a second CLI run at the same time would double every value it publishes too); no deployed function\'s heartbeat was found for it.\n',
  );
  return undefined;
}

const clientOptions = (o: LiveReconcileOptions) => ({ ...(o.region ? { region: o.region } : {}), ...(o.profile ? { profile: o.profile } : {}) });
import { withPromql, promqlReportParts } from './reconcile-promql';
import type { PromqlCliOptions } from './promql-flags';

export interface LiveReconcileOptions {
  readonly cluster: string;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly start?: string | undefined;
  readonly end?: string | undefined;
  readonly nodeFilter?: string | undefined;
  readonly namespace?: string | undefined;
  readonly perNodeMetrics: boolean;
  readonly periodSeconds?: number | undefined;
  readonly thresholds?: Partial<Thresholds> | undefined;
  readonly ruleOverrides?: InterfaceRuleOverrides | undefined;
  readonly sourceProfile?: string | undefined;
  /** The deployed stack's ledger table (--ledger-table, else NETRECON_LEDGER_TABLE). */
  readonly ledgerTable?: string | undefined;
  readonly dryRun: boolean;
  readonly format: ReportFormat;
  /** Where the report goes (`-o FILE`); stdout when absent. */
  readonly out?: string | undefined;
  /** Per-interface counters from a PromQL API instead of the CloudWatch agent. */
  readonly promql?: PromqlCliOptions | undefined;
}

function datumLine(d: MetricDatum): string {
  const dims = (d.Dimensions ?? []).map((x) => `${x.Name}=${x.Value}`).join(',');
  return `  ${d.Timestamp?.toISOString() ?? '-'}  ${d.MetricName} {${dims}} ${d.Value} ${d.Unit ?? ''}`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export async function runLiveReconcile(options: LiveReconcileOptions, io: CommandIo): Promise<number> {
  const live = liveSettings({ ...options, ledgerTable: options.ledgerTable ?? process.env.NETRECON_LEDGER_TABLE, interfaceRules: options.ruleOverrides });
  const settings = withPromql(live, options);
  const now = new Date();
  const asked = liveWindow(options.start, options.end, settings.schedule.periodSeconds, now.getTime() / 1000);
  // The default hour is placed by the service's clock, which the pipeline learns from its first answer: by this
  // machine's, a clock 2 h fast would ask for 12 periods that have not happened yet (docs/aws.md, "Whose clock").
  const window: RunWindow = options.start === undefined ? { kind: 'lastClosed', seconds: LIVE_DEFAULT_WINDOW_SECONDS } : { kind: 'manual', ...asked };
  let rt = liveRuntime(io, options.region, options.profile);
  let result;
  try {
    rt = await liveTargetRuntime(rt, options.cluster, options.region, options.profile);
    const store = await publisherStore(rt, options, live.ledgerTable, settings.outputNamespace, Math.floor(now.getTime() / 1000), io);
    result = await runCluster({
      ...(store ? { ledgerStore: store } : {}),
      publisher: `netrecon CLI, ${safeUser()}@${hostname()} pid ${process.pid}`,
      rt,
      cluster: options.cluster,
      settings,
      window,
      now,
      mode: options.dryRun ? 'dryRun' : 'emit',
      reportWholeWindow: true,
      ledgerMemory: new LedgerMemory(),
      ...(options.region ? { region: options.region } : {}),
    });
  } catch (error) {
    const message = describeAwsError(error);
    if (message === undefined) throw error;
    io.stderr(`netrecon reconcile: ${message}\n`);
    return EXIT.usage;
  }
  const report = result.report;
  if (!report) {
    io.stderr(`netrecon reconcile: no closed period in the window\n`);
    return EXIT.usage;
  }
  warnSkipped(report.skipped, io);

  const plan = result.emission;
  const datums = (plan?.requests ?? []).flatMap((r) => r.input.MetricData ?? []).filter((d) => d.MetricName !== HEARTBEAT_METRIC.name);
  const publish = {
    namespace: settings.outputNamespace,
    dryRun: options.dryRun,
    periods: (plan?.periods ?? []).map((p) => isoOf(p.periodStartSeconds)),
    periodsAlreadyPublished: result.decision.alreadyComplete,
    periodsDeferred: result.decision.deferred,
    requests: plan?.requests.length ?? 0,
    datums,
    ...(result.emitted?.error ? { error: result.emitted.error.message } : {}),
  };
  const verb = options.dryRun ? 'Would publish' : 'Published';
  const notes = [
    `${verb} to ${publish.namespace}: ${datums.length} datums in ${publish.requests} PutMetricData request(s) for ${publish.periods.length} period(s); ${publish.periodsAlreadyPublished} period(s) of the window were already published.`,
    ...(publish.periodsDeferred > 0 ? [`${publish.periodsDeferred} later period(s) of the window were deferred: one run publishes at most ${settings.schedule.maxPeriodsPerRun}. Run the command again to publish them.`] : []),
  ];
  const source = `cluster ${options.cluster} in the live account${options.region ? ` (${options.region})` : ''}`;
  const promql = promqlReportParts(report, settings);
  notes.push(...promql.notes);
  const tail: string[] = [];
  if (options.format === 'table') {
    const shown = options.dryRun ? datums.slice(0, 60) : [];
    const more = datums.length > shown.length && options.dryRun ? [`  ... and ${datums.length - shown.length} more (use --format json for all)`] : [];
    tail.push(`\n${[...notes, ...shown.map(datumLine), ...more].map((line) => `${line}\n`).join('')}`);
  }
  await writeReport(chain(reportChunks(report, options.format, { source, extraJson: { publish, ...promql.json }, notes }), tail), options.out, io);
  const c = rt.counters.calls;
  io.stderr(`netrecon: ${result.nodes} nodes; calls: ${c.DescribeInstances} DescribeInstances, ${c.ListMetrics} ListMetrics, ${c.GetMetricData} GetMetricData (${rt.counters.metricsRequested} metrics requested), ${c.PutMetricData} PutMetricData\n`);
  if (result.emitted?.error) {
    io.stderr(`netrecon reconcile: ${result.emitted.error.message}\n`);
    return EXIT.usage;
  }
  return exitCodeFor(report);
}
