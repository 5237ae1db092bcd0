import { App, CfnParameter, Stack, Stage } from 'aws-cdk-lib';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetReconStackSetStack } from '../../lib/org/stackset-stack';
import { orgApp, stackSetApp, STACKSET_CONTEXT, TEMPLATE_PATH, ADMIN_ACCOUNT, ORG_ID, type OrgApp } from './org-support';
import { onlyResource } from './support';

describe('the StackSet form (-c org=stackset)', () => {
  let org: OrgApp;
  let stackSet: Record<string, any>;
  let body: Record<string, any>;
  beforeAll(() => {
    org = stackSetApp();
    stackSet = onlyResource(org.template('NetReconOrgStackSet'), 'AWS::CloudFormation::StackSet').props;
    body = JSON.parse(stackSet.TemplateBody);
  });

  it('is service-managed, deploys automatically to new accounts of the OUs, as a delegated administrator', () => {
    expect(stackSet.PermissionModel).toBe('SERVICE_MANAGED');
    expect(stackSet.AutoDeployment).toEqual({ Enabled: true, RetainStacksOnAccountRemoval: false });
    expect(stackSet.CallAs).toBe('DELEGATED_ADMIN');
    expect(stackSet.StackInstancesGroup).toEqual([
      { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'ou-ab12-ghij7890'] }, Regions: ['eu-west-1', 'us-east-1'] },
    ]);
    // The template creates a role with a fixed name (the source reader).
    expect(stackSet.Capabilities).toContain('CAPABILITY_NAMED_IAM');
  });

  it('passes the parameters: clusters discovered by default, the tag filter from context', () => {
    expect(stackSet.Parameters).toEqual([
      { ParameterKey: 'Clusters', ParameterValue: 'auto' },
      { ParameterKey: 'ClusterTag', ParameterValue: 'netrecon=on' },
      { ParameterKey: 'SourceProfile', ParameterValue: 'mixed' },
      { ParameterKey: 'AlarmTopicArn', ParameterValue: 'none' },
    ]);
  });

  it('embeds the instance template as synthesized, with no CDK bootstrap in it', () => {
    expect(body).toEqual(org.template(TEMPLATE_PATH).toJSON());
    expect(body.Parameters.BootstrapVersion).toBeUndefined();
    expect(body.Rules).toBeUndefined();
    expect(JSON.stringify(body)).not.toMatch(/cdk-hnb659fds|AWS::CDK::Metadata/);
  });

  it('declares the parameters one template needs in every account, Clusters defaulting to auto', () => {
    expect(body.Parameters.Clusters).toMatchObject({ Type: 'String', Default: 'auto' });
    expect(body.Parameters.ClusterTag).toMatchObject({ Type: 'String', Default: '' });
    expect(body.Parameters.SourceProfile).toMatchObject({ Default: 'mixed', AllowedValues: ['agentless', 'enis', 'full', 'mixed'] });
    const fn = Object.values(body.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      NETRECON_CLUSTERS: { Ref: 'Clusters' },
      NETRECON_SOURCE_PROFILE: { Ref: 'SourceProfile' },
      NETRECON_CLUSTER_TAG: { Ref: 'ClusterTag' },
    });
  });

  it('reads the code from the region\'s bucket, under the key the code stacks copy it to', () => {
    const fn = Object.values(body.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function')!;
    const prefix = `netrecon-code-${ADMIN_ACCOUNT}`;
    expect(fn.Properties.Code.S3Bucket).toEqual({ 'Fn::Sub': `${prefix}-\${AWS::Region}` });
    const key: string = fn.Properties.Code.S3Key;
    expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
    for (const region of ['eu-west-1', 'us-east-1']) {
      const code = org.template(`NetReconOrgCode-${region}`);
      code.hasResourceProperties('AWS::S3::Bucket', { BucketName: `${prefix}-${region}` });
      const copy = onlyResource(code, 'Custom::CDKBucketDeployment').props;
      // Copied unchanged: extract false keeps `<source key's basename>`, which must be the template's key.
      expect(copy.Extract).toBe(false);
      expect(copy.Prune).toBe(false);
      expect(copy.SourceObjectKeys).toEqual([key]);
    }
  });

  it('lets only principals of the organization read the code', () => {
    const policy = onlyResource(org.template('NetReconOrgCode-eu-west-1'), 'AWS::S3::BucketPolicy').props.PolicyDocument;
    const read = policy.Statement.find((s: any) => s.Sid === 'OrganizationReadsCode');
    expect(read).toMatchObject({ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['s3:GetObject', 's3:GetObjectVersion'], Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } } });
    org.template('NetReconOrgCode-eu-west-1').hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it("keeps the code deployment function's logs a month, not forever (issue 18, item 6)", () => {
    const code = org.template('NetReconOrgCode-eu-west-1');
    const group = onlyResource(code, 'AWS::Logs::LogGroup');
    expect(group.props.RetentionInDays).toBe(30);
    const handlers = Object.values(code.findResources('AWS::Lambda::Function'));
    expect(handlers).toHaveLength(1);
    expect(handlers[0]!.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: group.id } });
  });

  it('deploys the code stacks before the StackSet', () => {
    const deps = org.stack('NetReconOrgStackSet').dependencies.map((s) => s.stackName).sort();
    expect(deps).toEqual(['NetReconOrgCode-eu-west-1', 'NetReconOrgCode-us-east-1']);
  });

  it('keeps the instance template out of `cdk deploy --all` (a nested stage) and deploys the rest to the admin account', () => {
    const top = org.app.synth().stacks.map((s) => `${s.stackName}@${s.environment.account}/${s.environment.region}`).sort();
    expect(top).toEqual([`NetReconOrgCode-eu-west-1@${ADMIN_ACCOUNT}/eu-west-1`, `NetReconOrgCode-us-east-1@${ADMIN_ACCOUNT}/us-east-1`, `NetReconOrgStackSet@${ADMIN_ACCOUNT}/eu-west-1`]);
  });

  it('calls as SELF (the management account) unless told otherwise', () => {
    const app = new App();
    const template = new Stack(new Stage(app, 'Template'), 'T');
    const clusters = new CfnParameter(template, 'Clusters', { default: 'auto' });
    // A template needs a resource, and its parameters a use (rules synthesis checks): a topic named after it.
    new CfnTopic(template, 'Placeholder', { topicName: clusters.valueAsString });
    const set = new NetReconStackSetStack(app, 'S', { template, organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1'] });
    Template.fromStack(set).hasResourceProperties('AWS::CloudFormation::StackSet', { CallAs: 'SELF', PermissionModel: 'SERVICE_MANAGED', TemplateBody: Match.stringLikeRegexp('"Clusters"') });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an OU id that is not one', { ouIds: 'engineering' }, /prop ouIds is invalid: "engineering"\. Give an organizational unit id/],
    ['no regions', { regions: '' }, /Context "regions" is invalid: undefined\. It is required with -c org=stackset/],
    ['a sink in another region', { oamSinks: JSON.stringify({ 'eu-west-1': 'arn:aws:oam:us-east-1:999999999999:sink/x' }) }, /This sink is in us-east-1, not eu-west-1/],
    ['a callAs CloudFormation does not know', { callAs: 'ADMIN' }, /Context "callAs" is invalid: "ADMIN"\. Give SELF/],
    ['a profile per cluster', { sourceProfile: 'full,dev:agentless' }, /one profile applies to every cluster/],
  ])('refuses %s, naming the setting', (_, override, message) => {
    expect(() => orgApp({ ...STACKSET_CONTEXT, ...override })).toThrow(message);
  });

  it('refuses a template beside the StackSet, whose text it could not read while synthesizing', () => {
    const app = new App();
    expect(() => new NetReconStackSetStack(app, 'S', { template: new Stack(app, 'T'), organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1'] })).toThrow(/in a Stage of its own/);
  });

  it('refuses a parameter the template does not declare', () => {
    const app = new App();
    const template = new Stack(new Stage(app, 'Template'), 'T');
    expect(() => new NetReconStackSetStack(app, 'S', { template, organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1'], parameters: { Clusterz: 'a' } })).toThrow(/The template has no parameter Clusterz/);
  });
});

describe('trying it in one account first (-c org=try)', () => {
  it('is the same template, deployed as an ordinary stack with the CDK bootstrap', () => {
    const tried = orgApp({ ...STACKSET_CONTEXT, org: 'try' });
    const template = tried.template('NetReconOrgTry').toJSON();
    expect(template.Parameters.Clusters).toMatchObject({ Default: 'auto' });
    expect(template.Parameters.BootstrapVersion).toBeDefined();
    const fn = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect(JSON.stringify(fn.Properties.Code.S3Bucket)).toMatch(/cdk-hnb659fds-assets/);
    const types = (resources: Record<string, { Type: string }>) => Object.values(resources).map((r) => r.Type).filter((t) => t !== 'AWS::CDK::Metadata').sort();
    expect(types(template.Resources)).toEqual(types(stackSetApp().template(TEMPLATE_PATH).toJSON().Resources));
  });

  it('may list the account\'s clusters and read their tags even with no tag in context: ClusterTag is set per instance', () => {
    const { clusterTag: _, ...withoutTag } = STACKSET_CONTEXT;
    const template = orgApp({ ...withoutTag, org: 'try' }).template('NetReconOrgTry').toJSON();
    const role = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r).includes('lambda.amazonaws.com'))!;
    const statements = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement) as Array<{ Action: string | string[]; Resource: unknown }>;
    const actionsOf = (st: { Action: string | string[] }): string[] => [st.Action].flat();
    expect(statements.find((st) => actionsOf(st).includes('eks:ListClusters'))?.Resource).toBe('*');
    const describe = statements.find((st) => actionsOf(st).includes('eks:DescribeCluster'));
    expect(describe && actionsOf(describe)).toEqual(['eks:DescribeCluster']);
    expect(JSON.stringify(describe?.Resource)).toContain(':cluster/*');
  });
});
