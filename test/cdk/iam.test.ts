import { describe, expect, it } from 'vitest';
import { onlyResource, resourcesOfType, synthStack } from './support';

// One synth with every optional resource (email topic, per-node widgets), shared by the file.
const { template } = synthStack({ alarmEmail: 'oncall@example.com', perNodeMetrics: true, outputNamespace: 'Platform/NetRecon' });
const role = onlyResource(template, 'AWS::IAM::Role');
const logGroup = onlyResource(template, 'AWS::Logs::LogGroup');
const queue = onlyResource(template, 'AWS::SQS::Queue');

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the reconciler role', () => {
  it('is the only identity in the stack, assumable by Lambda only, with no managed policy', () => {
    expect(Object.keys(resourcesOfType(template, 'AWS::IAM::Policy'))).toEqual([]);
    expect(Object.keys(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'))).toEqual([]);
    expect(Object.keys(resourcesOfType(template, 'AWS::IAM::User'))).toEqual([]);
    expect(role.props.ManagedPolicyArns).toBeUndefined();
    expect(role.props.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  it('grants exactly these statements', () => {
    expect(role.props.Policies).toHaveLength(1);
    expect(role.props.Policies[0].PolicyDocument.Statement).toEqual([
      { Sid: 'ReadSourceMetrics', Effect: 'Allow', Action: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], Resource: '*' },
      { Sid: 'DescribeNodes', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
      {
        Sid: 'PublishOnlyToOutputNamespace',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'Platform/NetRecon' } },
      },
      { Sid: 'WriteOwnLogGroup', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup.id, 'Arn'] } },
      { Sid: 'SendFailedInvocationsToQueue', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
      {
        Sid: 'LeaseAndRecordPutsInLedgerTable',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [onlyResource(template, 'AWS::DynamoDB::Table').id, 'Arn'] },
      },
    ]);
  });

  it('grants no other action anywhere in the stack: no wildcard action, no Deny needed', () => {
    const granted = role.props.Policies.flatMap((p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement).flatMap(actions);
    expect(new Set(granted)).toEqual(
      new Set(['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics', 'ec2:DescribeInstances', 'cloudwatch:PutMetricData', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']),
    );
    expect(granted.some((a: string) => a.includes('*'))).toBe(false);
  });

  it('is used by the function and nothing else', () => {
    const users = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).map((f) => f.Properties.Role);
    expect(users).toEqual([{ 'Fn::GetAtt': [role.id, 'Arn'] }]);
  });
});

describe('resource policies', () => {
  it('let only the schedule rule invoke the function', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule');
    const fn = onlyResource(template, 'AWS::Lambda::Function');
    const permission = onlyResource(template, 'AWS::Lambda::Permission');
    expect(permission.props).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn.id, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [rule.id, 'Arn'] },
    });
  });

  it('let only that rule send undeliverable events to the queue, over TLS only', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule');
    const statements: Statement[] = onlyResource(template, 'AWS::SQS::QueuePolicy').props.PolicyDocument.Statement;
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Principal: { Service: 'events.amazonaws.com' },
        Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule.id, 'Arn'] } } },
      }),
    ]);
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      expect.objectContaining({ Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  it('let only this stack\'s CloudWatch alarms publish to the alarm topic, over TLS only', () => {
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    const statements: Statement[] = onlyResource(template, 'AWS::SNS::TopicPolicy').props.PolicyDocument.Statement;
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisStack',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic.id },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:NetRecon-*']] },
          },
        },
      },
    ]);
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      expect.objectContaining({ Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });
});

describe('the ledger table (lease and put records, docs/aws.md "Exactly once")', () => {
  it('is on demand, expires its records, keeps point-in-time recovery, goes with the stack and is named to the function', () => {
    const table = onlyResource(template, 'AWS::DynamoDB::Table');
    expect(table.props).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'ledger', KeyType: 'HASH' },
        { AttributeName: 'item', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'deleteAfter', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(template.toJSON().Resources[table.id].DeletionPolicy).toBe('Delete');
    const fn = onlyResource(template, 'AWS::Lambda::Function');
    expect(fn.props.Environment.Variables.NETRECON_LEDGER_TABLE).toEqual({ Ref: table.id });
  });
});

describe('the alarm topic made for alarmEmail (issue 18, item 6)', () => {
  it('is encrypted with a key of its own, rotated, that CloudWatch of this account may use to publish', () => {
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(topic.props.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    expect(key.props.EnableKeyRotation).toBe(true);
    const statements: Statement[] = key.props.KeyPolicy.Statement;
    expect(statements).toContainEqual({
      Sid: 'CloudWatchAlarmsPublishToTheTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });
});
