/**
 * Small probes, run against an *unpatched* moto, that show each known moto 5.2.1 defect the suite works
 * around (or lives with). Every run re-checks them, so the day moto fixes one, the suite says so and the
 * workaround can go. `present` means moto still behaves differently from AWS.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { clientConfig, type Sandbox } from './sandbox';

export interface ProbeResult {
  readonly id: string;
  readonly defect: string;
  readonly present: boolean;
  readonly evidence: string;
  /** What the suite does about it. */
  readonly workaround: string;
}

interface Probe {
  readonly id: string;
  readonly defect: string;
  readonly workaround: string;
  readonly run: (p: Probes) => Promise<{ present: boolean; evidence: string }>;
}

interface Probes {
  readonly cw: CloudWatchClient;
  readonly cfn: CloudFormationClient;
  readonly ec2: EC2Client;
  readonly lambda: LambdaClient;
  readonly t0: Date;
}

const NS = 'NetReconE2eProbe';
const DIMS = [
  { Name: 'A', Value: 'x' },
  { Name: 'B', Value: 'y' },
];
const ALARM = {
  Type: 'AWS::CloudWatch::Alarm',
  Properties: { Namespace: NS, MetricName: 'TwoDims', Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' },
};

const httpStatus = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? '?';

async function stackStatus(cfn: CloudFormationClient, name: string, resources: Record<string, unknown>): Promise<string> {
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify({ Resources: resources }) }));
  return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus ?? 'missing';
}

/** One GetMetricData answer shared by the probes that read (as put, reversed, elsewhere, SEARCH). */
let readAnswer: Promise<Map<string, number[]>> | undefined;
function readOnce(p: Probes): Promise<Map<string, number[]>> {
  readAnswer ??= (async () => {
    const three = [0, 1, 2].map((i) => ({ MetricName: 'TwoDims', Dimensions: DIMS, Timestamp: new Date(p.t0.getTime() + i * 60_000), Value: 10 + i }));
    await p.cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: three }));
    const stat = (id: string, namespace: string, d: typeof DIMS) => ({
      Id: id,
      MetricStat: { Metric: { Namespace: namespace, MetricName: 'TwoDims', Dimensions: d }, Period: 300, Stat: 'Sum' },
    });
    const answer = await p.cw.send(
      new GetMetricDataCommand({
        StartTime: p.t0,
        EndTime: new Date(p.t0.getTime() + 300_000),
        MetricDataQueries: [
          stat('asPut', NS, DIMS),
          stat('reversed', NS, [...DIMS].reverse()),
          stat('elsewhere', `${NS}Missing`, DIMS),
          { Id: 'search', Expression: `SEARCH('{${NS},A,B} MetricName="TwoDims"', 'Sum', 300)` },
        ],
      }),
    );
    return new Map((answer.MetricDataResults ?? []).map((r) => [r.Id!, r.Values ?? []]));
  })();
  return readAnswer;
}

const PROBES: Probe[] = [
  {
    id: 'gzip-body',
    defect: 'a gzip-encoded request body fails with HTTP 500 BadGzipFile (the server inflates it twice)',
    workaround: 'server patched at start (double-gzip), so the compressed PutMetricData bodies the Lambda sends stay under test',
    run: async ({ cw, t0 }) => {
      // 300 metrics make a body over the SDK's 10 KiB compression threshold.
      const big = Array.from({ length: 300 }, (_, i) => ({ MetricName: 'Big', Dimensions: [{ Name: 'I', Value: `i-${i}` }], Timestamp: t0, Value: i }));
      try {
        await cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: big }));
        return { present: false, evidence: 'a 300-metric PutMetricData with compression on was accepted' };
      } catch (error) {
        return { present: true, evidence: `300-metric PutMetricData, gzip on: HTTP ${httpStatus(error)}` };
      }
    },
  },
  {
    id: 'listmetrics-duplicates',
    defect: 'ListMetrics lists a series with two or more dimensions once per datapoint',
    workaround: 'none, on purpose: it exercises the query planner dedupe (a doubled series would double the read-back values)',
    run: async (p) => {
      await readOnce(p);
      const listed = (await p.cw.send(new ListMetricsCommand({ Namespace: NS, MetricName: 'TwoDims' }))).Metrics ?? [];
      return { present: listed.length > 1, evidence: `1 series with 3 datapoints listed ${listed.length} times` };
    },
  },
  {
    id: 'dimension-order',
    defect: 'GetMetricData matches dimensions in the order they were put, not as a set (Dimension.__lt__ is not an ordering)',
    workaround: 'server patched at start (dimension-order), so a planner may list dimensions in any order, as CloudWatch allows',
    run: async (p) => {
      const v = await readOnce(p);
      return {
        present: (v.get('reversed') ?? []).length === 0 && (v.get('asPut') ?? []).length > 0,
        evidence: `same series: as put -> [${v.get('asPut')}], dimensions reversed -> [${v.get('reversed')}]`,
      };
    },
  },
  {
    id: 'search-empty',
    defect: 'GetMetricData with a SEARCH expression returns no data and no error',
    workaround: 'none: the suite passes only if netrecon reads with ListMetrics + MetricStat (a SEARCH plan would read nothing and fail the comparison)',
    run: async (p) => {
      const v = await readOnce(p);
      return { present: (v.get('search') ?? []).length === 0, evidence: `SEARCH over a series with data -> [${v.get('search')}]` };
    },
  },
  {
    id: 'namespace-ignored',
    defect: 'GetMetricData ignores the namespace of a MetricStat that has dimensions',
    workaround: 'server patched at start (get-metric-data-speed checks it); the seed also uses distinct metric names per namespace',
    run: async (p) => {
      const v = await readOnce(p);
      return { present: (v.get('elsewhere') ?? []).length > 0, evidence: `a namespace with no data answered [${v.get('elsewhere')}]` };
    },
  },
  {
    id: 'cfn-alarms',
    defect: 'CloudFormation does not create AWS::CloudWatch::Alarm (nor CompositeAlarm) yet answers CREATE_COMPLETE',
    workaround: 'none possible: alarms stay covered by the CDK template assertions (test/); the suite counts them in the deployed template',
    run: async ({ cfn, cw }) => {
      const status = await stackStatus(cfn, 'probe-alarm', { Alarm: ALARM });
      const alarms = (await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? [];
      return { present: alarms.length === 0, evidence: `stack with one alarm: ${status}, DescribeAlarms lists ${alarms.length}` };
    },
  },
  {
    id: 'cfn-getatt-unsupported',
    defect: "Fn::GetAtt on a type moto does not implement (an alarm's Arn in a dashboard's alarm widget) fails the whole stack",
    workaround: 'server patched at start (cfn-placeholders): such resources answer Ref/GetAtt and create nothing; the suite reports them as placeholders',
    run: async ({ cfn }) => {
      const body = { 'Fn::Join': ['', ['{"widgets":[{"type":"alarm","properties":{"alarms":["', { 'Fn::GetAtt': ['Alarm', 'Arn'] }, '"]}}]}']] };
      const dashboard = { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: 'probe', DashboardBody: body } };
      try {
        const status = await stackStatus(cfn, 'probe-getatt', { Alarm: ALARM, Dashboard: dashboard });
        return { present: status !== 'CREATE_COMPLETE', evidence: `dashboard with an alarm widget: stack ${status}` };
      } catch (error) {
        return { present: true, evidence: `dashboard with an alarm widget: CreateStack ${(error as Error).message}` };
      }
    },
  },
  {
    id: 'cfn-lambda-properties',
    defect: 'CloudFormation creates Lambda functions without Architectures, DeadLetterConfig, LoggingConfig (it keeps Handler, Runtime, Environment, Timeout, MemorySize)',
    workaround: 'none needed: the suite takes only the handler, environment and timeout from GetFunctionConfiguration; the rest is asserted on the template',
    run: async ({ cfn, lambda }) => {
      const role = {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        },
      };
      const fn = {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { ZipFile: 'exports.handler = async () => 1;' },
          Handler: 'index.handler',
          Runtime: 'nodejs22.x',
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Architectures: ['arm64'],
          FunctionName: 'probe-arch',
        },
      };
      await stackStatus(cfn, 'probe-lambda', { Role: role, Fn: fn });
      const arch = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'probe-arch' }))).Architectures ?? [];
      return { present: !arch.includes('arm64'), evidence: `Architectures [arm64] in the template, GetFunctionConfiguration says [${arch}]` };
    },
  },
  {
    id: 'ec2-launch-time',
    defect: 'RunInstances always launches "now"; there is no clock control in server mode',
    workaround: 'server patched at start (launch-time): LaunchTime is backdated, so the seeded nodes ran through the whole seeded window',
    run: async ({ ec2 }) => {
      const launched = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-ekslinux', MinCount: 1, MaxCount: 1 }))).Instances?.[0]?.LaunchTime;
      const ageSeconds = launched ? (Date.now() - launched.getTime()) / 1000 : NaN;
      return { present: Math.abs(ageSeconds) < 120, evidence: `LaunchTime ${launched?.toISOString()} (${ageSeconds.toFixed(0)} s before now)` };
    },
  },
];

export async function runMotoProbes(sandbox: Sandbox): Promise<ProbeResult[]> {
  const config = clientConfig(sandbox);
  const p: Probes = {
    // Compression explicitly on, whatever the environment says: the gzip probe is about the server.
    cw: new CloudWatchClient({ ...config, disableRequestCompression: false }),
    cfn: new CloudFormationClient(config),
    ec2: new EC2Client(config),
    lambda: new LambdaClient(config),
    t0: new Date((Math.floor(Date.now() / 300_000) - 3) * 300_000),
  };
  readAnswer = undefined;
  const results: ProbeResult[] = [];
  try {
    for (const probe of PROBES) {
      const meta = { id: probe.id, defect: probe.defect, workaround: probe.workaround };
      try {
        results.push({ ...meta, ...(await probe.run(p)) });
      } catch (error) {
        // The probe's own request failed: moto still differs from AWS here, in some way worth reading.
        results.push({ ...meta, present: true, evidence: `probe request failed: ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}` });
      }
    }
  } finally {
    for (const client of [p.cw, p.cfn, p.ec2, p.lambda]) client.destroy();
  }
  return results;
}
