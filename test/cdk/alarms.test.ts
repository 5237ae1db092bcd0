import { describe, expect, it } from 'vitest';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { CLUSTER_METRICS, DIMENSION, HEARTBEAT_METRIC } from '../../lambda/output-metrics';
import { flatten, onlyResource, resourcesOfType, synthStack } from './support';

function alarmNamed(template: Template, type: 'AWS::CloudWatch::Alarm' | 'AWS::CloudWatch::CompositeAlarm', name: string) {
  const found = Object.entries(resourcesOfType(template, type)).filter(([, r]) => r.Properties.AlarmName === name);
  if (found.length !== 1) throw new Error(`expected one alarm named ${name}, found ${found.length}`);
  const [id, resource] = found[0]!;
  return { id, props: resource.Properties as Record<string, any> };
}

const clusterDims = (cluster: string) => [{ Name: DIMENSION.cluster, Value: cluster }];
const stat = (metricName: string, cluster: string, statName: string, id: string) => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'NetRecon', MetricName: metricName, Dimensions: clusterDims(cluster) }, Period: 300, Stat: statName },
  ReturnData: false,
});

describe('alarms with the defaults', () => {
  const { template } = synthStack({ sourceProfile: 'full', clusters: ['prod-eu', 'prod-us'], alarmEmail: 'oncall@example.com' });

  it('are four per cluster, one for function errors, and one composite per cluster', () => {
    expect(Object.keys(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))).toHaveLength(2 * 4 + 1);
    expect(Object.keys(resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm'))).toHaveLength(2);
  });

  it('watch |EC2 discrepancy ratio| above the core threshold when the bytes apart reach the floor, 3 of 23 periods, missing data not breaching', () => {
    const { props } = alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetRecon-prod-eu-ec2-discrepancy');
    expect(props).toMatchObject({ Threshold: 0.1, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 23, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
    expect(props.Metrics).toEqual([
      { Id: 'expr_1', Expression: 'IF(ABS(ratio * ec2) >= 1048576, ABS(ratio), 0)', Label: '|EC2 discrepancy ratio|', ReturnData: true },
      stat(CLUSTER_METRICS.ec2DiscrepancyRatio.name, 'prod-eu', 'Average', 'ratio'),
      // Complete-only EC2 bytes, the ratio's own denominator: not Ec2TotalBytes, which counts partial nodes too.
      stat('CompleteEc2TotalBytes', 'prod-eu', 'Average', 'ec2'),
    ]);
  });

  it('read only complete-only figures, never a total that partial node-periods (node churn) enter', () => {
    const alarmed = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))
      .flatMap((r) => [r.Properties.MetricName, ...((r.Properties.Metrics ?? []) as any[]).map((m) => m.MetricStat?.Metric.MetricName)])
      .filter((name): name is string => typeof name === 'string' && name !== 'Errors' && name !== HEARTBEAT_METRIC.name);
    expect([...new Set(alarmed)].sort()).toEqual(
      ['AgentCoveragePercent', 'CompleteContainerInsightsTotalBytes', 'CompleteEc2TotalBytes', 'ContainerInsightsResidualBytes', 'Ec2DiscrepancyRatio'],
    );
  });

  it('watch agent coverage below 100 %, 3 of 23 periods, missing data not breaching', () => {
    const { props } = alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetRecon-prod-eu-agent-coverage');
    expect(props).toMatchObject({
      Namespace: 'NetRecon',
      MetricName: CLUSTER_METRICS.agentCoveragePercent.name,
      Dimensions: clusterDims('prod-eu'),
      Statistic: 'Minimum',
      Period: 300,
      Threshold: 100,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 23,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('watch the Container Insights residual as a fraction of Container Insights, above 1 MiB only', () => {
    const { props } = alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetRecon-prod-us-ci-residual');
    expect(props).toMatchObject({ Threshold: 0.1, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 23, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
    expect(props.Metrics).toEqual([
      expect.objectContaining({ Expression: 'IF(ABS(residual) >= 1048576, ABS(residual) / ci, 0)', ReturnData: true }),
      stat(CLUSTER_METRICS.containerInsightsResidualBytes.name, 'prod-us', 'Average', 'residual'),
      stat('CompleteContainerInsightsTotalBytes', 'prod-us', 'Average', 'ci'),
    ]);
  });

  it('watch the heartbeat per schedule interval, missing data breaching, for the timeout plus two runs', () => {
    const { props } = alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetRecon-prod-us-heartbeat');
    expect(props).toMatchObject({
      Namespace: 'NetRecon',
      MetricName: HEARTBEAT_METRIC.name,
      Dimensions: clusterDims('prod-us'),
      Statistic: 'SampleCount',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'breaching',
    });
  });

  it('watch function errors in 2 of 3 intervals, once for all clusters', () => {
    const fn = onlyResource(template, 'AWS::Lambda::Function');
    const { props } = alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetRecon-reconciler-errors');
    expect(props).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.id } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  it('notify only through the per-cluster composite, which is any of the cluster\'s alarms or function errors', () => {
    for (const r of Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))) {
      expect(r.Properties.AlarmActions).toBeUndefined();
      expect(r.Properties.OKActions).toBeUndefined();
    }
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    const composite = alarmNamed(template, 'AWS::CloudWatch::CompositeAlarm', 'NetRecon-prod-eu');
    expect(composite.props.AlarmActions).toEqual([{ Ref: topic.id }]);
    expect(composite.props.OKActions).toEqual([{ Ref: topic.id }]);
    const arn = (name: string) => `ALARM("{GetAtt:${alarmNamed(template, 'AWS::CloudWatch::Alarm', name).id}.Arn}")`;
    expect(flatten(composite.props.AlarmRule)).toBe(
      `(${['NetRecon-prod-eu-ec2-discrepancy', 'NetRecon-prod-eu-agent-coverage', 'NetRecon-prod-eu-ci-residual', 'NetRecon-prod-eu-heartbeat', 'NetRecon-reconciler-errors'].map(arn).join(' OR ')})`,
    );
  });

  it('subscribe the given email to the topic they create', () => {
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: topic.id } });
  });
});

describe('alarms with other props', () => {
  it('take thresholds, coverage, M and the read batching from the props', () => {
    const { template } = synthStack({
      sourceProfile: 'full',
      thresholds: { ec2MismatchRatio: 0.25, residualRatio: 0.05, residualMinBytes: 10_485_760 },
      minAgentCoveragePercent: 95,
      alarmDatapoints: 2,
      periodsPerRead: 1,
    });
    // 600 + 2 x 300 + 2 x 300 = 1,800 s = 6 periods late; N = 6 + 2 x 2 = 10.
    const window = { EvaluationPeriods: 10, DatapointsToAlarm: 2 };
    expect(alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetRecon-demo-ec2-discrepancy').props).toMatchObject({ ...window, Threshold: 0.25 });
    expect(alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetRecon-demo-agent-coverage').props).toMatchObject({ ...window, Threshold: 95 });
    const residual = alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetRecon-demo-ci-residual').props;
    expect(residual).toMatchObject({ ...window, Threshold: 0.05 });
    expect(residual.Metrics[0].Expression).toBe('IF(ABS(residual) >= 10485760, ABS(residual) / ci, 0)');
  });

  it('leave the residual alarm out when asked (an agent that collects ENIs only)', () => {
    const { template } = synthStack({ sourceProfile: 'full', residualAlarm: false });
    const names = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((r) => r.Properties.AlarmName);
    expect(names.sort()).toEqual(['NetRecon-demo-agent-coverage', 'NetRecon-demo-ec2-discrepancy', 'NetRecon-demo-heartbeat', 'NetRecon-reconciler-errors']);
    const rule = flatten(alarmNamed(template, 'AWS::CloudWatch::CompositeAlarm', 'NetRecon-demo').props.AlarmRule);
    expect(rule.match(/ALARM\(/g)).toHaveLength(4);
  });

  it('notify an existing topic given by ARN, creating none', () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:oncall';
    const { template } = synthStack({ sourceProfile: 'full' }, { alarmTopicArn: arn });
    expect(Object.keys(resourcesOfType(template, 'AWS::SNS::Topic'))).toEqual([]);
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: [arn], OKActions: [arn] });
  });

  it('have no action and a synth warning when neither topic nor email is given', () => {
    const { stack, template } = synthStack({ sourceProfile: 'full' });
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: Match.absent(), OKActions: Match.absent() });
    Annotations.fromStack(stack).hasWarning('/NetRecon/NetworkReconciler', Match.stringLikeRegexp('No alarm action'));
  });

  it('are named after the stack, so two stacks in one account do not collide', () => {
    const { template } = synthStack({ sourceProfile: 'full' }, { stackName: 'NetReconStaging' });
    alarmNamed(template, 'AWS::CloudWatch::CompositeAlarm', 'NetReconStaging-demo');
    alarmNamed(template, 'AWS::CloudWatch::Alarm', 'NetReconStaging-demo-heartbeat');
  });
});

describe('alarms per source profile: none for a figure the profile cannot compute', () => {
  const alarmNames = (sourceProfile: string): string[] =>
    Object.values(resourcesOfType(synthStack({ sourceProfile, clusters: ['prod', 'dev'] }).template, 'AWS::CloudWatch::Alarm'))
      .map((r) => r.Properties.AlarmName as string)
      .sort();

  it.each([
    ['agentless', ['NetRecon-dev-heartbeat', 'NetRecon-prod-heartbeat', 'NetRecon-reconciler-errors']],
    ['enis', ['NetRecon-dev-agent-coverage', 'NetRecon-dev-ec2-discrepancy', 'NetRecon-dev-heartbeat', 'NetRecon-prod-agent-coverage', 'NetRecon-prod-ec2-discrepancy', 'NetRecon-prod-heartbeat', 'NetRecon-reconciler-errors']],
    ['mixed', ['NetRecon-dev-ci-residual', 'NetRecon-dev-ec2-discrepancy', 'NetRecon-dev-heartbeat', 'NetRecon-prod-ci-residual', 'NetRecon-prod-ec2-discrepancy', 'NetRecon-prod-heartbeat', 'NetRecon-reconciler-errors']],
  ])('%s', (profile, names) => {
    expect(alarmNames(profile)).toEqual(names);
  });

  it('follows each cluster\'s own profile, and the composite names only what exists', () => {
    const { template } = synthStack({ sourceProfile: 'full,dev:agentless', clusters: ['prod', 'dev'] });
    const names = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((r) => r.Properties.AlarmName as string);
    expect(names.filter((n) => n.startsWith('NetRecon-prod-'))).toHaveLength(4);
    expect(names.filter((n) => n.startsWith('NetRecon-dev-'))).toEqual(['NetRecon-dev-heartbeat']);
    const dev = alarmNamed(template, 'AWS::CloudWatch::CompositeAlarm', 'NetRecon-dev');
    expect(dev.props.AlarmDescription).toMatch(/source profile agentless\): one of its alarms \(heartbeat\)/);
  });

  it('refuses a profile for a cluster it does not reconcile, naming the prop', () => {
    expect(() => synthStack({ sourceProfile: 'staging:full', clusters: ['prod'] })).toThrow(/sourceProfile is invalid: "staging:full"\. "staging" is not one of the clusters \(prod\)/);
  });
});
