/** `netrecon reconcile`: reconcile a capture file (--from) or a live cluster (--cluster) and print the report. */
import { readCaptureFile } from '../../capture/io';
import { makeReconcileConfig } from '../../core/config';
import { DEFAULT_SOURCE_PROFILE, isSourceProfile, SOURCE_PROFILES } from '../../core/source-profile';
import { reconcile } from '../../core/reconcile';
import { checkReportSize } from '../../core/report-size';
import { readRuleOverrides, readThresholds } from '../config-files';
import { parseReportFormat, reportChunks, writeReport } from '../report-output';
import { exitCodeFor, warnSkipped } from '../report-outcome';
import { EXIT, UsageError, parseNumberOption, parseOptions, type Command } from '../usage';
import { LIVE_HELP, LIVE_OPTIONS } from './live-options';
import { AUTO_CLUSTERS } from '../../plan/cluster-selection';
import { PROMQL_HELP, PROMQL_OPTIONS, promqlOptionsOf } from './promql-flags';

const HELP = `Usage: netrecon reconcile --from FILE [options]
       netrecon reconcile --cluster NAME [--region R] [--profile P] [--start T --end T] [--dry-run] [options]
       netrecon reconcile --cluster auto [--cluster-tag KEY=VALUE] [--region R] [--profile P] [--format table|json]

Reconciles the three views of each node's network traffic (EC2 NetworkIn/Out, Container Insights
node_network_total_bytes, per-interface agent counters) in a capture file and prints, per node and
period, what each view says, the corrected (counted-once) traffic, the pod traffic and the bytes
Container Insights counts twice.

Options:
  --from FILE           a capture file (docs/capture-format.md), e.g. examples/seed-experiment.capture.json
  --format table|json|html
                        human table (default), JSON with stable field names for scripts, or one
                        self-contained HTML page with charts (opens offline; no request to any host)
  -o, --out FILE        write the report to FILE instead of stdout
  --period SECONDS      reconciliation period, a multiple of 60 and of every series' own period
                        (default: the capture's periodSeconds)
  --rules FILE          interface rule overrides: {"prepend": [{"pattern", "interfaceClass", "note"}],
                        "vpcCniVethPrefix": "eni"}  (see "netrecon rules --help")
  --thresholds FILE     JSON object overriding thresholds (ec2MismatchRatio, ec2MismatchMinBytes,
                        residualRatio, residualMinBytes, minSampleFraction)
  -h, --help            this help

Live mode (--cluster instead of --from): runs the deployed function's pipeline against the account and
publishes, exactly once, the periods not published yet (see docs/aws.md); progress goes to stderr.
${LIVE_HELP}
  --dry-run             read and reconcile, print what would be published, publish nothing
  --namespace NS        output namespace (default NetRecon)
  --per-node-metrics    also publish per-node metrics (each is a paid custom metric)
  --ledger-table T      the deployed stack's ledger table (its LedgerTableName output; or NETRECON_LEDGER_TABLE):
                        publish under the same lease as the function, so the two never publish at once.
                        Without it, a publish is refused while the function's heartbeat shows it running
                        for the cluster, and warned about otherwise (docs/aws.md, "Exactly once")
${PROMQL_HELP}

--cluster auto lists the clusters a function deployed with clusters=auto would reconcile here
(eks:ListClusters, then eks:DescribeCluster for the tag filter) and reconciles none of them: reconcile one
with --cluster NAME. Exit 2 when a listed cluster's tags could not be read (it is named on stdout).
  --cluster-tag T       with --cluster auto: keep the clusters tagged KEY=VALUE, or carrying the tag KEY

Exit status: 0 every node-period is ok and nothing was skipped; 1 usage, file or AWS error (live mode: also
a read that failed, an empty inventory, a failed publish: nothing unread is published); 2 the report was produced but some node-period is not ok or some input was skipped (like diff(1),
so a script can alarm on it). Warnings about skipped input go to stderr.`;

/** Flags that only mean something against a live account; with --from they would be silently ignored. */
const LIVE_ONLY_FLAGS = ['start', 'end', 'region', 'profile', 'node-filter', 'dry-run', 'namespace', 'per-node-metrics', 'ledger-table', ...(Object.keys(PROMQL_OPTIONS) as (keyof typeof PROMQL_OPTIONS)[])] as const;

/** Flags of a reconcile that `--cluster auto` (a listing) would silently ignore. */
const DISCOVER_IGNORES = ['start', 'end', 'node-filter', 'source-profile', 'dry-run', 'namespace', 'per-node-metrics', 'ledger-table', 'period', 'rules', 'thresholds', 'out'] as const;

/** The reconciliation settings of a capture file from the command line; P defaults to the capture's. */
async function configFrom(values: { period?: string; rules?: string; thresholds?: string; 'source-profile'?: string }, defaultPeriodSeconds: number) {
  const sourceProfile = values['source-profile'] ?? DEFAULT_SOURCE_PROFILE;
  if (!isSourceProfile(sourceProfile)) {
    throw new UsageError(`--source-profile must be one of ${SOURCE_PROFILES.join(', ')}; got ${JSON.stringify(sourceProfile)}`, 'See docs/profiles.md.');
  }
  return makeReconcileConfig({
    sourceProfile,
    periodSeconds: parseNumberOption('period', values.period) ?? defaultPeriodSeconds,
    ...(values.rules ? { ruleOverrides: await readRuleOverrides(values.rules) } : {}),
    ...(values.thresholds ? { thresholds: await readThresholds(values.thresholds) } : {}),
  });
}

export const reconcileCommand: Command = {
  name: 'reconcile',
  help: HELP,
  async run(argv, io) {
    const { values } = parseOptions('reconcile', argv, {
      from: { type: 'string' },
      format: { type: 'string', default: 'table' },
      out: { type: 'string', short: 'o' },
      period: { type: 'string' },
      rules: { type: 'string' },
      thresholds: { type: 'string' },
      ...LIVE_OPTIONS,
      'dry-run': { type: 'boolean' },
      namespace: { type: 'string' },
      'per-node-metrics': { type: 'boolean' },
      'ledger-table': { type: 'string' },
      'cluster-tag': { type: 'string' },
      ...PROMQL_OPTIONS,
    });
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return EXIT.ok;
    }
    const format = parseReportFormat(values.format);
    if (values['cluster-tag'] !== undefined && values.cluster !== AUTO_CLUSTERS) {
      throw new UsageError('--cluster-tag narrows the clusters --cluster auto lists', 'Use it with --cluster auto, or name the cluster with --cluster NAME.');
    }
    if (values.cluster !== undefined) {
      if (values.from !== undefined) throw new UsageError('--from and --cluster cannot be used together', 'Reconcile a capture file (--from) or a live cluster (--cluster).');
      if (values.cluster === AUTO_CLUSTERS) {
        const ignored = DISCOVER_IGNORES.filter((flag) => values[flag] !== undefined);
        if (ignored.length > 0) {
          throw new UsageError(`--cluster auto lists clusters and reconciles none, so ${ignored.map((f) => `--${f}`).join(', ')} would be ignored`, 'Drop the flag, or reconcile one cluster with --cluster NAME.');
        }
        // Imported here: a capture file's reconcile loads no AWS SDK (lambda/cli/main.ts, the start time).
        const { runListClusters } = await import('./reconcile-discover');
        return runListClusters({ clusterTag: values['cluster-tag'], region: values.region, profile: values.profile, format }, io);
      }
      const { runLiveReconcile } = await import('./reconcile-live');
      // `!== undefined`, not truthiness: `--namespace ''` must be refused by the setting's check, not fall back to the default.
      return runLiveReconcile(
        {
          cluster: values.cluster,
          periodSeconds: parseNumberOption('period', values.period),
          ...(values.rules !== undefined ? { ruleOverrides: await readRuleOverrides(values.rules) } : {}),
          ...(values.thresholds !== undefined ? { thresholds: await readThresholds(values.thresholds) } : {}),
          ...(values.region !== undefined ? { region: values.region } : {}),
          ...(values.profile ? { profile: values.profile } : {}),
          ...(values.start !== undefined ? { start: values.start } : {}),
          ...(values.end !== undefined ? { end: values.end } : {}),
          ...(values['node-filter'] !== undefined ? { nodeFilter: values['node-filter'] } : {}),
          ...(values['source-profile'] !== undefined ? { sourceProfile: values['source-profile'] } : {}),
          ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
          perNodeMetrics: values['per-node-metrics'] === true,
          ...(values['ledger-table'] !== undefined ? { ledgerTable: values['ledger-table'] } : {}),
          dryRun: values['dry-run'] === true,
          format,
          ...(values.out ? { out: values.out } : {}),
          ...promqlOptionsOf(values),
        },
        io,
      );
    }
    if (values.from === undefined) {
      throw new UsageError('--from FILE is required (or --cluster NAME for a live account)', 'Try: netrecon reconcile --from examples/seed-experiment.capture.json');
    }
    const liveOnly = LIVE_ONLY_FLAGS.filter((flag) => values[flag] !== undefined);
    if (liveOnly.length > 0) {
      throw new UsageError(
        `${liveOnly.map((f) => `--${f}`).join(', ')} ${liveOnly.length === 1 ? 'applies' : 'apply'} to a live account (--cluster), not to a capture file (--from)`,
        'A capture file holds its own window, and reconciling it publishes nothing; drop the flag, or use --cluster NAME.',
      );
    }
    const { capture, skipped } = await readCaptureFile(values.from);
    const config = await configFrom(values, capture.periodSeconds);
    checkReportSize(capture, config.periodSeconds);
    const report = reconcile(capture, config, { skipped });
    if (report.summary.periods === 0) {
      throw new UsageError(
        `${values.from}: the window ${capture.window.start} .. ${capture.window.end} holds no whole period of ${config.periodSeconds} s`,
        'Use a shorter --period or a capture with a longer window.',
      );
    }
    warnSkipped(report.skipped, io);
    await writeReport(reportChunks(report, format, { source: values.from }), values.out, io);
    return exitCodeFor(report);
  },
};
