/** Settings, IAM and alarm metrics of `ACCOUNT_ID/CLUSTER` cluster targets (the central reconciler, docs/central.md). */
import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parseClusterTarget } from '../lambda/core/cluster-target';
import { ConfigError } from '../lambda/core/config';
import { parseHandlerConfig } from '../lambda/handler-config';
import { worstNodesQuery } from '../lib/dashboard';
import { outputMetric } from '../lib/metrics';
import { reconcilerPolicyStatements } from '../lib/permissions';
import { sourceRoleArns } from '../lib/reconciler-function';
import { CLUSTER_METRICS } from '../lambda/output-metrics';

const refused = (env: Record<string, string>): ConfigError => {
  try {
    parseHandlerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

describe('cluster targets', () => {
  it('are CLUSTER or ACCOUNT_ID/CLUSTER (12 digits), nothing else', () => {
    expect(parseClusterTarget('prod')).toEqual({ cluster: 'prod' });
    expect(parseClusterTarget('111122223333/prod')).toEqual({ accountId: '111122223333', cluster: 'prod' });
    for (const bad of ['11112222333/prod', '111122223333/', '/prod', '111122223333/prod/x', 'acct/prod']) expect(parseClusterTarget(bad)).toBeNull();
  });

  it('the settings take them, a source profile per target, the source role and external id', () => {
    const config = parseHandlerConfig({
      NETRECON_CLUSTERS: '111122223333/prod,444455556666/prod,local',
      NETRECON_SOURCE_PROFILE: '111122223333/prod:agentless,enis',
      NETRECON_SOURCE_EXTERNAL_ID: 'netrecon-7f3a',
    });
    expect(config.clusters).toEqual(['111122223333/prod', '444455556666/prod', 'local']);
    expect(config.sourceProfiles).toEqual({ '111122223333/prod': 'agentless', '444455556666/prod': 'enis', local: 'enis' });
    expect(config.sourceRole).toEqual({ roleName: 'netrecon-source-reader', externalId: 'netrecon-7f3a' });
    expect(parseHandlerConfig({ NETRECON_CLUSTERS: 'local' }).sourceRole).toEqual({ roleName: 'netrecon-source-reader' });
  });

  it('refuses a malformed account id, role name or external id, naming the variable', () => {
    expect(refused({ NETRECON_CLUSTERS: '1111/prod' }).message).toContain('ACCOUNT_ID/CLUSTER');
    expect(refused({ NETRECON_CLUSTERS: 'prod', NETRECON_SOURCE_ROLE_NAME: 'no spaces' }).message).toContain('NETRECON_SOURCE_ROLE_NAME');
    expect(refused({ NETRECON_CLUSTERS: 'prod', NETRECON_SOURCE_EXTERNAL_ID: 'x' }).message).toContain('NETRECON_SOURCE_EXTERNAL_ID');
  });
});

describe("the reconciler's IAM for source accounts", () => {
  const statements = (clusters: string[]) => {
    const stack = new Stack();
    const json = reconcilerPolicyStatements({ outputNamespace: 'NetRecon', logGroupArn: 'arn:aws:logs:x', failureQueueArn: 'arn:aws:sqs:x', ledgerTableArn: 'arn:aws:dynamodb:x', listClusters: false, describeClusters: false, eksClustersArn: 'arn:aws:eks:x', sourceRoleArns: sourceRoleArns(clusters, 'netrecon-source-reader') }).map((s) => s.toStatementJson());
    return stack.resolve(json) as { Sid: string; Action: string | string[]; Resource: unknown }[];
  };

  it('may assume only the source role of each listed account, once each', () => {
    const assume = statements(['444455556666/prod', '111122223333/prod', '111122223333/dev', 'local']).filter((s) => s.Sid === 'AssumeSourceAccountRoles');
    expect(assume).toHaveLength(1);
    expect(assume[0]!.Action).toBe('sts:AssumeRole');
    expect(assume[0]!.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/netrecon-source-reader']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444455556666:role/netrecon-source-reader']] },
    ]);
  });

  it('has no sts:AssumeRole when every cluster is its own account', () => {
    expect(statements(['prod', 'dev']).some((s) => JSON.stringify(s.Action).includes('sts:'))).toBe(false);
  });
});

describe('alarm and dashboard metrics of a source account cluster', () => {
  it('carry the AccountId dimension the function publishes', () => {
    const m = outputMetric(CLUSTER_METRICS.ec2TotalBytes, { namespace: 'NetRecon', cluster: '111122223333/prod', statistic: 'Sum', periodSeconds: 300 });
    expect(m.dimensions).toEqual({ ClusterName: 'prod', AccountId: '111122223333' });
    expect(outputMetric(CLUSTER_METRICS.ec2TotalBytes, { namespace: 'NetRecon', cluster: 'prod', statistic: 'Sum', periodSeconds: 300 }).dimensions).toEqual({ ClusterName: 'prod' });
    expect(worstNodesQuery('NetRecon', '111122223333/prod')).toContain(`FROM SCHEMA("NetRecon", AccountId, ClusterName, InstanceId, NodeName) WHERE AccountId = '111122223333' AND ClusterName = 'prod'`);
  });
});

describe('a stack with source account clusters', () => {
  it('synthesizes: alarms and dashboard per target, the AssumeRole grant in the function role, cdk-nag-relevant resources named', async () => {
    const { synthStack, onlyResource, resourcesOfType } = await import('./cdk/support');
    const { template } = synthStack({ clusters: ['111122223333/prod', '444455556666/prod'] });
    const role = onlyResource(template, 'AWS::IAM::Role');
    const statements = role.props.Policies[0].PolicyDocument.Statement as { Sid: string }[];
    expect(statements.map((s) => s.Sid)).toContain('AssumeSourceAccountRoles');
    const composite = Object.values(resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(2);
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties as { Dimensions?: { Name: string; Value: string }[] });
    const accounts = new Set(alarms.flatMap((a) => (a.Dimensions ?? []).filter((d) => d.Name === 'AccountId').map((d) => d.Value)));
    expect(accounts).toEqual(new Set(['111122223333', '444455556666']));
  });
});
