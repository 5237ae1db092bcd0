/**
 * `netrecon doctor --cluster NAME`: what the account has and lacks for netrecon, read-only, as a checklist with
 * the fix of each problem, the recommended source profile and what each profile costs a month (docs/doctor.md).
 * Exit 0 ready, 2 not ready (a check failed), 1 error. The report alone on stdout; progress on stderr.
 */
import { createClients } from '../../aws/clients';
import { parseNodeFilter } from '../../aws/inventory';
import { isSourceProfile, SOURCE_PROFILES } from '../../core/source-profile';
import { diagnose, judgedProfile } from '../../doctor/diagnose';
import type { DoctorSettings } from '../../doctor/model';
import { readDoctorObservations, reconcileLastHour } from '../../doctor-read';
import { formatDoctorTable } from '../../report/doctor-table';
import { resolveRunSettings } from '../../settings';
import { readRuleOverrides } from '../config-files';
import { EXIT, parseOptions, UsageError, type Command } from '../usage';
import { describeAwsError, liveRuntime, liveSettings } from './live';
import { PROMQL_HELP, PROMQL_OPTIONS, promqlOptionsOf } from './promql-flags';
import { withPromql } from './reconcile-promql';
import { detectionLines, detectPromql, promqlCoverageOf, type PromqlDetection } from '../../sources/promql/detect';

/** The deployed function's schedule by default (lib/deploy-settings.ts, scheduleMinutes); the cost uses it. */
export const DEFAULT_SCHEDULE_MINUTES = 5;

const HELP = `Usage: netrecon doctor --cluster NAME [--region R] [--profile P] [--format table|json]
                      [--node-filter F] [--source-profile S] [--rules FILE]

Checks, read-only, what netrecon needs in the account for one EKS cluster and says how to fix what is missing:
the nodes and their cluster tags, EC2 monitoring, Container Insights, the CloudWatch agent's per-interface
series (present, InstanceId dimension, extra dimensions, pod network namespace, fresh, unit, interface names).
Then it reconciles the last hour as "netrecon reconcile --dry-run" would, with the profile it judges against,
and fails wherever that would not be ok (the agent's ENI counters against EC2, Container Insights against the
agent's interface sum, a source missing or partial): Ready means a reconcile of the last hour would be ok.
It recommends a source profile, prints its deploy command and the monthly cost of every profile at this
cluster's series counts. Calls: DescribeInstances, ListMetrics, one GetMetricData over the last 15 minutes
(about 4 metrics a node) and the reads of one reconcile of the last hour (the series the profile reads, about
3 a node plus the agent's). Nothing is published. See docs/doctor.md.

Options:
  --cluster NAME        the EKS cluster (required)
  --region R            AWS region (default: the SDK's, e.g. AWS_REGION or the profile's)
  --profile P           named profile from the shared AWS config files (credentials, as in the AWS CLI)
  --format F            table (default: a checklist for a person) or json (one object, docs/doctor.md)
  --node-filter F       how nodes are found: tag:<key> (default tag:eks:cluster-name) or
                        tag-key:<key with {cluster}>, e.g. tag-key:kubernetes.io/cluster/{cluster};
                        instances of the other convention are looked for too
  --source-profile S    the profile you mean to deploy (agentless, enis, full, mixed): the checks judge
                        against it (an agent missing fails under enis and full); default: the recommended one
  --rules FILE          interface rule overrides, as for "netrecon reconcile --rules"
${PROMQL_HELP}
                        (doctor: which labels node_exporter's series carry, how many nodes they name, and the
                        last hour reconciled from them)
  -h, --help            this help

Exit status: 0 ready (no check failed; warnings may be printed), 2 not ready (some check failed: its fix is
printed under it), 1 usage or AWS error (one line on stderr).`;

export const doctorCommand: Command = {
  name: 'doctor',
  help: HELP,
  async run(argv, io) {
    const { values } = parseOptions('doctor', argv, {
      cluster: { type: 'string' },
      region: { type: 'string' },
      profile: { type: 'string' },
      format: { type: 'string' },
      'node-filter': { type: 'string' },
      'source-profile': { type: 'string' },
      rules: { type: 'string' },
      ...PROMQL_OPTIONS,
    });
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return EXIT.ok;
    }
    if (!values.cluster) throw new UsageError('--cluster is required', 'Run "netrecon doctor --help" for the options.');
    const format = values.format ?? 'table';
    if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json; got ${JSON.stringify(format)}`);
    const intended = values['source-profile'];
    if (intended !== undefined && !isSourceProfile(intended)) {
      throw new UsageError(`--source-profile must be one of ${SOURCE_PROFILES.join(', ')}; got ${JSON.stringify(intended)}`, 'It is the source profile; --profile is the AWS credentials profile.');
    }
    const ruleOverrides = values.rules ? await readRuleOverrides(values.rules) : undefined;
    const run = resolveRunSettings({ clusters: [values.cluster], nodeFilter: values['node-filter'], interfaceRules: ruleOverrides });
    parseNodeFilter(run.nodeFilter);
    const settings: DoctorSettings = {
      sources: run.sources,
      rules: run.reconcile.rules,
      nodeFilter: run.nodeFilter,
      periodSeconds: run.periodSeconds,
      periodsPerRead: run.periodsPerRead,
      scheduleMinutes: DEFAULT_SCHEDULE_MINUTES,
      ...(intended ? { intendedProfile: intended } : {}),
    };
    const promqlOptions = { ...promqlOptionsOf(values), region: values.region, profile: values.profile };
    const rt = liveRuntime(io, values.region, values.profile);
    let report;
    let promql: PromqlDetection | null = null;
    try {
      const region = values.region ?? (await regionOf(values.profile));
      const now = new Date();
      const observations = await readDoctorObservations(rt, { cluster: values.cluster, region, settings, nowSeconds: now.getTime() / 1000 });
      // The last hour as `reconcile --cluster NAME --source-profile JUDGED --dry-run` reads and reconciles it.
      const lastHour = observations.nodes.length === 0
        ? null
        : await reconcileLastHour(rt, {
            cluster: values.cluster,
            region,
            now,
            settings: withPromql(liveSettings({ cluster: values.cluster, nodeFilter: run.nodeFilter, interfaceRules: ruleOverrides, sourceProfile: judgedProfile(observations) }), promqlOptions),
          });
      const handle = withPromql(liveSettings({ cluster: values.cluster }), promqlOptions).promql;
      if (handle) {
        promql = await detectPromql({ ...handle, cluster: values.cluster, nodes: observations.nodes.map((n) => ({ instanceId: n.instanceId, ...(n.nodeName ? { nodeName: n.nodeName } : {}), launchTime: new Date(0).toISOString() })), nowSeconds: now.getTime() / 1000, rules: run.reconcile.rules });
      }
      report = diagnose(observations, lastHour, (handle && promql && promqlCoverageOf(promql, handle.settings)) ?? undefined);
    } catch (error) {
      const message = describeAwsError(error);
      if (message === undefined) throw error;
      io.stderr(`netrecon doctor: ${message}\n`);
      return EXIT.usage;
    }
    const promqlText = promql ? `\n${detectionLines(promql).join('\n')}\n` : '';
    io.stdout(format === 'json' ? `${JSON.stringify(promql ? { ...report, promql } : report, null, 2)}\n` : formatDoctorTable(report, settings.nodeFilter) + promqlText);
    const c = rt.counters.calls;
    io.stderr(`netrecon: calls: ${c.DescribeInstances} DescribeInstances, ${c.ListMetrics} ListMetrics, ${c.GetMetricData} GetMetricData (${rt.counters.metricsRequested} metrics requested)\n`);
    return report.ready && (promql === null || promql.verdict === 'ok') ? EXIT.ok : EXIT.notReconciled;
  },
};

/** The region the SDK resolves (AWS_REGION, the profile's), for the report. */
async function regionOf(profile: string | undefined): Promise<string> {
  return createClients(profile ? { profile } : {}).cloudWatch.config.region();
}
