/**
 * `clusters: 'auto'` in the construct: the role gains eks:ListClusters (and eks:DescribeCluster on this account
 * and Region's clusters only when a tag filter needs it), the function is told `auto`, and no per-cluster alarm
 * or dashboard section is made for names the stack cannot know; cdk-nag stays clean.
 */
import { describe, expect, it } from 'vitest';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { onlyResource, resourcesOfType, synthStack, type Synthesized } from './support';

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

const statementsOf = ({ template }: Synthesized): Statement[] => onlyResource(template, 'AWS::IAM::Role').props.Policies[0].PolicyDocument.Statement;
const eksStatements = (s: Synthesized) => statementsOf(s).filter((st) => [st.Action].flat().some((a) => a.startsWith('eks:')));
const findings = ({ app, stack }: Synthesized) =>
  [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) => pack.validateScope(stack).violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`));

const tagged = synthStack({ clusters: 'auto', clusterTag: 'netrecon=enabled', alarmEmail: 'oncall@example.com' });
const untagged = synthStack({ clusters: 'auto' });
const named = synthStack({ clusters: ['prod'] });

describe('the role with clusters=auto', () => {
  it('lists clusters on "*" (no resource type exists) and describes only this account and Region\'s clusters', () => {
    expect(eksStatements(tagged)).toEqual([
      { Sid: 'ListClustersForAuto', Effect: 'Allow', Action: 'eks:ListClusters', Resource: '*' },
      {
        Sid: 'ReadClusterTagsForAuto',
        Effect: 'Allow',
        Action: 'eks:DescribeCluster',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':cluster/*']] },
      },
    ]);
  });

  it('does not describe clusters when no tag filter reads their tags', () => {
    expect(eksStatements(untagged).map((s) => s.Action)).toEqual(['eks:ListClusters']);
  });

  it('grants no eks action at all to a stack with named clusters', () => {
    expect(eksStatements(named)).toEqual([]);
  });
});

describe('the stack with clusters=auto', () => {
  it('tells the function auto and the tag', () => {
    const vars = onlyResource(tagged.template, 'AWS::Lambda::Function').props.Environment.Variables;
    expect(vars).toMatchObject({ NETRECON_CLUSTERS: 'auto', NETRECON_CLUSTER_TAG: 'netrecon=enabled', NETRECON_SOURCE_PROFILE: '{"*":"mixed"}' });
  });

  it('makes no per-cluster alarm (names are known only at run time); one composite over errors and invocations notifies', () => {
    const alarms = Object.values(resourcesOfType(tagged.template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(['NetRecon-reconciler-errors', 'NetRecon-reconciler-not-running']);
    const notRunning = alarms.find((a) => a.AlarmName === 'NetRecon-reconciler-not-running')!;
    // No invocation at all is the failure: missing data breaches, as the per-cluster heartbeat's does.
    expect(notRunning).toMatchObject({ MetricName: 'Invocations', Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    const composite = onlyResource(tagged.template, 'AWS::CloudWatch::CompositeAlarm').props;
    expect(composite.AlarmName).toBe('NetRecon-reconciler');
    expect(JSON.stringify(composite.AlarmRule)).toMatch(/ALARM\(.*\) OR ALARM\(.*\)/);
    const topic = onlyResource(tagged.template, 'AWS::SNS::Topic');
    expect(composite.AlarmActions).toEqual([{ Ref: topic.id }]);
    // A stack of named clusters keeps its per-cluster composites and gets no such alarm.
    const namedAlarms = Object.values(resourcesOfType(named.template, 'AWS::CloudWatch::Alarm')).map((a) => String(a.Properties.AlarmName));
    expect(namedAlarms).toContain('NetRecon-prod-heartbeat');
    expect(namedAlarms).not.toContain('NetRecon-reconciler-not-running');
  });

  it('says so in a synth-time info message', () => {
    const infos = tagged.app.synth().getStackByName(tagged.stack.stackName).messages.filter((m) => m.level === 'info').map((m) => String(m.entry.data));
    expect(infos.some((m) => m.includes('clusters=auto') && m.includes('no per-cluster alarms'))).toBe(true);
  });

  it('leaves cdk-nag clean, with and without the tag filter', () => {
    expect(findings(tagged)).toEqual([]);
    expect(findings(untagged)).toEqual([]);
  });

  it('refuses a tag filter without auto, naming the prop', () => {
    expect(() => synthStack({ clusters: ['prod'], clusterTag: 'netrecon=enabled' })).toThrow(/clusterTag.*needs clusters=auto/);
  });
});
