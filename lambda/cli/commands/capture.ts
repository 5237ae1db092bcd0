/** `netrecon capture`: record a cluster's three sources from a live account into a capture file, for offline replay. */
import { formatCaptureJson, writeCaptureFile } from '../../capture/io';
import { captureCluster } from '../../read-cluster';
import { warnSkipped } from '../report-outcome';
import { EXIT, UsageError, parseNumberOption, parseOptions, type Command } from '../usage';
import { clusterTargetOf } from '../../core/cluster-target';
import { describeAwsError, LIVE_HELP, LIVE_OPTIONS, liveRuntime, liveSettings, liveWindow } from './live';

const HELP = `Usage: netrecon capture --cluster NAME --start T --end T -o FILE [options]

Reads, from the AWS account, the cluster's nodes (EC2 DescribeInstances), their EC2 NetworkIn/Out,
Container Insights node_network_total_bytes and CloudWatch agent net_bytes_recv/sent per interface
(GetMetricData), and writes them as a capture file (docs/capture-format.md). Replay it offline with
"netrecon reconcile --from FILE". Read-only: it never writes to the account.

Options:
${LIVE_HELP}
  -o, --output FILE     where to write the capture ("-" for stdout)
  --period SECONDS      reconciliation period the capture is taken for, a multiple of 60 (default 300)
  -h, --help            this help

Needs cloudwatch:GetMetricData, cloudwatch:ListMetrics and ec2:DescribeInstances. Progress goes to stderr.
Exit status: 0 written; 1 usage, AWS or file error.`;

export const captureCommand: Command = {
  name: 'capture',
  help: HELP,
  async run(argv, io) {
    const { values } = parseOptions('capture', argv, { ...LIVE_OPTIONS, output: { type: 'string', short: 'o' }, period: { type: 'string' } });
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return EXIT.ok;
    }
    if (!values.cluster) throw new UsageError('--cluster NAME is required', 'Try: netrecon capture --cluster my-cluster --start 2026-03-01T10:00:00Z --end 2026-03-01T11:00:00Z -o my.capture.json');
    if (!values.output) throw new UsageError('-o FILE is required', 'Give the file to write, or "-o -" for stdout.');
    if (values.start === undefined || values.end === undefined) throw new UsageError('--start and --end are required', 'A capture covers an explicit window: --start 2026-03-01T10:00:00Z --end 2026-03-01T11:00:00Z');
    const settings = liveSettings({ cluster: values.cluster, periodSeconds: parseNumberOption('period', values.period), nodeFilter: values['node-filter'], sourceProfile: values['source-profile'] });
    if (clusterTargetOf(values.cluster).accountId !== undefined) {
      throw new UsageError(
        `capture reads a cluster of the credentials' own account, not ${values.cluster}`,
        "Capture a source account's cluster with that account's credentials (--profile) and the plain cluster name.",
      );
    }
    const now = new Date();
    const window = liveWindow(values.start, values.end, settings.schedule.periodSeconds, now.getTime() / 1000);
    const rt = liveRuntime(io, values.region, values.profile);
    try {
      const { capture, skipped } = await captureCluster(rt, values.cluster, settings, window, now, values.region);
      warnSkipped(skipped, io);
      if (values.output === '-') io.stdout(formatCaptureJson(capture));
      else await writeCaptureFile(values.output, capture);
      const calls = rt.counters.calls;
      io.stderr(
        `netrecon: ${values.output === '-' ? 'captured' : `wrote ${values.output}`}: ${capture.nodes.length} nodes, ${capture.series.length} series, ` +
          `${capture.window.start} .. ${capture.window.end} (${calls.DescribeInstances} DescribeInstances, ${calls.ListMetrics} ListMetrics, ${calls.GetMetricData} GetMetricData calls)\n`,
      );
      return EXIT.ok;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code && typeof code === 'string' && code.startsWith('E') && 'path' in (error as object)) {
        io.stderr(`netrecon capture: cannot write ${values.output}: ${code}\n`);
        return EXIT.usage;
      }
      const message = describeAwsError(error);
      if (message === undefined) throw error;
      io.stderr(`netrecon capture: ${message}\n`);
      return EXIT.usage;
    }
  },
};
