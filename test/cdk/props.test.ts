import { describe, expect, it } from 'vitest';
import { App, Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Stack } from 'aws-cdk-lib';
import { DEFAULT_THRESHOLDS } from '../../lambda/core/config';
import { alarmWindows } from '../../lib/alarm-windows';
import { NetReconPropsError } from '../../lib/errors';
import { NetReconStack } from '../../lib/netrecon-stack';
import { resolveSettings, type NetworkReconcilerProps } from '../../lib/props';

const base: NetworkReconcilerProps = { clusters: ['demo'] };

function rejection(props: Partial<NetworkReconcilerProps>): NetReconPropsError {
  try {
    resolveSettings({ ...base, ...props });
  } catch (error) {
    if (error instanceof NetReconPropsError) return error;
    throw error;
  }
  throw new Error(`props were accepted: ${JSON.stringify(props)}`);
}

describe('resolveSettings', () => {
  it('fills in the documented defaults', () => {
    const s = resolveSettings(base);
    expect(s).toMatchObject({
      clusters: ['demo'],
      scheduleMinutes: 5,
      periodSeconds: 300,
      lagSeconds: 600,
      backfillSeconds: 86_400,
      maxPeriodsPerRun: 288,
      periodsPerRead: 12,
      perNodeMetrics: false,
      nodeFilter: 'tag:eks:cluster-name',
      outputNamespace: 'NetRecon',
      minAgentCoveragePercent: 100,
      alarmDatapoints: 3,
      logRetentionDays: RetentionDays.ONE_MONTH,
      memorySize: 2048,
      timeoutSeconds: 900,
    });
    expect(s.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(s.sources.agentNamespace).toBe('CWAgent');
    expect(s.interfaceRules).toEqual({});
  });

  it('merges partial thresholds and source names with the defaults', () => {
    const s = resolveSettings({ ...base, thresholds: { ec2MismatchRatio: 0.2 }, sources: { agentNamespace: 'NodeAgent' } });
    expect(s.thresholds).toEqual({ ...DEFAULT_THRESHOLDS, ec2MismatchRatio: 0.2 });
    expect(s.sources).toMatchObject({ agentNamespace: 'NodeAgent', ec2Namespace: 'AWS/EC2' });
  });

  it('treats an explicit undefined in sources or thresholds as the default', () => {
    const s = resolveSettings({ ...base, thresholds: { ec2MismatchRatio: undefined }, sources: { agentNamespace: undefined } });
    expect(s.thresholds.ec2MismatchRatio).toBe(0.1);
    expect(s.sources.agentNamespace).toBe('CWAgent');
  });

  it.each<[string, Partial<NetworkReconcilerProps>, RegExp]>([
    ['no cluster', { clusters: [] }, /prop clusters is invalid: \[\]/],
    ['a cluster name with a comma', { clusters: ['a,b'] }, /prop clusters is invalid: "a,b"/],
    ['a duplicate cluster', { clusters: ['a', 'a'] }, /prop clusters is invalid: "a"\. "a" is listed twice/],
    ['too many clusters', { clusters: Array.from({ length: 51 }, (_, i) => `c${i}`) }, /prop clusters is invalid: 51\. At most 50/],
    ['a period that is not whole minutes', { periodSeconds: 250 }, /prop periodSeconds is invalid: 250\. Use a multiple of 60 seconds/],
    ['a negative lag', { lagSeconds: -1 }, /prop lagSeconds is invalid: -1/],
    ['a backfill beyond two weeks', { backfillSeconds: 15 * 86_400 }, /prop backfillSeconds is invalid: 1296000.*two weeks/],
    ['a schedule in seconds', { scheduleMinutes: 1.5 }, /prop scheduleMinutes is invalid: 1\.5\. Use a whole number of minutes/],
    ['a schedule in seconds, by the deprecated prop', { scheduleInterval: Duration.seconds(90) }, /prop scheduleInterval is invalid: "1 minute 30 seconds"\. Use a whole number of minutes/],
    ['a timeout above Lambda\'s limit', { timeoutSeconds: 960 }, /prop timeoutSeconds is invalid: 960\. Use a whole number of seconds from 1 to 900/],
    ['a timeout above Lambda\'s limit, by the deprecated prop', { timeout: Duration.minutes(16) }, /prop timeout is invalid: "16 minutes"\. Use a whole number of seconds from 1 to 900/],
    ['memory Lambda cannot give', { memorySize: 64 }, /prop memorySize is invalid: 64/],
    ['an AWS/ output namespace', { outputNamespace: 'AWS/NetRecon' }, /prop outputNamespace is invalid: "AWS\/NetRecon"/],
    ['an output namespace equal to a source', { outputNamespace: 'CWAgent' }, /prop outputNamespace is invalid: "CWAgent"\. It must differ from the source namespaces/],
    ['an empty source metric name', { sources: { agentRxMetric: '' } }, /prop sources\.agentRxMetric is invalid: ""/],
    ['a negative threshold', { thresholds: { ec2MismatchRatio: -0.1 } }, /prop thresholds\.ec2MismatchRatio is invalid: -0\.1/],
    // Context is untyped JSON: a misspelt threshold or setting would pass synth and fail every invocation.
    ['a threshold that does not exist', { thresholds: { ec2Mismatch: 0.2 } as never }, /prop thresholds\.ec2Mismatch is invalid: 0\.2\. There is no such threshold/],
    ['a threshold given as text', { thresholds: { residualRatio: '0.2' } as never }, /prop thresholds\.residualRatio is invalid: "0\.2"\. A threshold is a number/],
    ['an unknown rules setting', { interfaceRules: { vethPrefix: 'eni' } as never }, /prop interfaceRules is invalid: "eni".*vethPrefix: unknown setting/],
    // The function's own limits, quoted with the value as the CDK user wrote it (a number, not the text of a variable).
    ['more periods per run than the function takes', { maxPeriodsPerRun: 5000 }, /prop maxPeriodsPerRun is invalid: 5000\. Use a whole number of periods from 1 to 4032/],
    ['a period longer than an hour', { periodSeconds: 7200, periodsPerRead: 1 }, /prop periodSeconds is invalid: 7200\./],
    ['more periods per read than the backfill window holds', { backfillSeconds: 1800 }, /prop periodsPerRead is invalid: 12\. .*the periods in the backfill window \(6\)/],
    ['a namespace starting with a colon', { outputNamespace: ':Net' }, /prop outputNamespace is invalid: ":Net"/],
    ['a bad regular expression', { interfaceRules: { prepend: [{ pattern: '(', interfaceClass: 'physical', note: 'x' }] } }, /prop interfaceRules is invalid: "\(".*not a valid regular expression/],
    ['a VPC CNI prefix too long', { interfaceRules: { vpcCniVethPrefix: 'toolong' } }, /prop interfaceRules is invalid: "toolong"/],
    ['an unknown interface class', { interfaceRules: { prepend: [{ pattern: '^x$', interfaceClass: 'wifi' as never, note: 'x' }] } }, /prop interfaceRules is invalid: "wifi"/],
    ['a node filter that is not a tag', { nodeFilter: 'cluster=demo' }, /prop nodeFilter is invalid: "cluster=demo"/],
    ['a coverage above 100 %', { minAgentCoveragePercent: 101 }, /prop minAgentCoveragePercent is invalid: 101/],
    ['zero alarm datapoints', { alarmDatapoints: 0 }, /prop alarmDatapoints is invalid: 0/],
    ['a bad email', { alarmEmail: 'oncall' }, /prop alarmEmail is invalid: "oncall"/],
    ['periods per read above the per-run cap', { maxPeriodsPerRun: 6, periodsPerRead: 12 }, /prop periodsPerRead is invalid: 12\. .*at most the periods per run \(6\)/],
    ['an alarm window longer than a day', { periodSeconds: 3600, periodsPerRead: 24 }, /prop periodsPerRead is invalid: 24\. The data alarms must look back .* at most one day/],
    ['a schedule whose heartbeat window exceeds a day', { scheduleMinutes: 720 }, /prop scheduleMinutes is invalid: 720\. The heartbeat alarm/],
    ['a retention CloudWatch Logs does not offer', { logRetentionDays: 2 }, /prop logRetentionDays is invalid: 2\. Use one of 1, 3, 5/],
    ['a retention CloudWatch Logs does not offer, by the deprecated prop', { logRetention: 2 as RetentionDays }, /prop logRetention is invalid: 2/],
  ])('rejects %s, naming the prop and the value', (_name, props, message) => {
    expect(rejection(props).message).toMatch(message);
  });

  it('rejects a topic and an email together', () => {
    const topic = sns.Topic.fromTopicArn(new Stack(), 'T', 'arn:aws:sns:eu-west-1:123456789012:oncall');
    expect(rejection({ alarmTopic: topic, alarmEmail: 'oncall@example.com' }).message).toMatch(/Give alarmTopic or alarmEmail, not both/);
  });

  it('fails the stack at synth time with the same error', () => {
    const app = new App();
    expect(() => new NetReconStack(app, 'Bad', { reconciler: { clusters: ['demo'], periodSeconds: 90 } })).toThrow(
      /NetworkReconciler prop periodSeconds is invalid: 90/,
    );
  });
});

describe('alarmWindows', () => {
  const defaults = { periodSeconds: 300, lagSeconds: 600, periodsPerRead: 12, scheduleMinutes: 5, timeoutSeconds: 900, alarmDatapoints: 3 };

  it('looks back over the batched read, the lag and two schedule intervals, plus 2 x M', () => {
    // 600 + 13 x 300 + 2 x 300 = 5,100 s = 17 periods; 17 + 2 x 3 = 23.
    expect(alarmWindows(defaults)).toEqual({
      latePeriods: 17,
      dataEvaluationPeriods: 23,
      heartbeatPeriodSeconds: 300,
      heartbeatEvaluationPeriods: 5,
      errorsPeriodSeconds: 300,
      errorsEvaluationPeriods: 3,
      errorsDatapoints: 2,
    });
  });

  it('shrinks with reads every period', () => {
    // 600 + 2 x 300 + 600 = 1,800 s = 6 periods.
    expect(alarmWindows({ ...defaults, periodsPerRead: 1 })).toMatchObject({ latePeriods: 6, dataEvaluationPeriods: 12 });
  });

  it('rounds partial periods up', () => {
    // 600 + 13 x 60 + 2 x 300 = 1,980 s = 33 periods of 60 s.
    expect(alarmWindows({ ...defaults, periodSeconds: 60 })).toMatchObject({ latePeriods: 33, dataEvaluationPeriods: 39 });
  });

  it('waits the timeout plus two intervals for a heartbeat', () => {
    expect(alarmWindows({ ...defaults, scheduleMinutes: 1, timeoutSeconds: 300 }).heartbeatEvaluationPeriods).toBe(7);
  });
});
