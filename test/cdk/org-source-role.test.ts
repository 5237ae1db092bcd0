import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_ROLE_NAME, SourceReaderRole, type SourceReaderRoleProps } from '../../lib/org/source-reader-role';
import { CENTRAL_ROLE_ARN, ORG_ID, stackSetApp, TEMPLATE_PATH } from './org-support';
import { onlyResource } from './support';

function roleTemplate(props: SourceReaderRoleProps): Template {
  const stack = new Stack(new App(), 'S');
  new SourceReaderRole(stack, 'Reader', props);
  return Template.fromStack(stack);
}

/** Every action any policy of the template grants, with the resources. */
function grants(template: Template): { action: string; resource: unknown }[] {
  const statements: any[] = [];
  const json = template.toJSON();
  for (const r of Object.values(json.Resources as Record<string, any>)) {
    if (r.Type === 'AWS::IAM::Role') for (const p of r.Properties.Policies ?? []) statements.push(...p.PolicyDocument.Statement);
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') statements.push(...r.Properties.PolicyDocument.Statement);
  }
  return statements.flatMap((s) => [s.Action].flat().map((action: string) => ({ action, resource: s.Resource })));
}

describe('the source-account role', () => {
  let template: Template;
  beforeAll(() => {
    template = roleTemplate({ centralRoleArn: CENTRAL_ROLE_ARN, organizationId: ORG_ID });
  });

  it(`is named ${SOURCE_ROLE_NAME}, so the central reconciler finds it from the account id`, () => {
    expect(onlyResource(template, 'AWS::IAM::Role').props.RoleName).toBe('netrecon-source-reader');
  });

  it('trusts only the central reconciler role, and only from inside the organization', () => {
    expect(onlyResource(template, 'AWS::IAM::Role').props.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: CENTRAL_ROLE_ARN }, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } } },
    ]);
  });

  it('grants exactly one action, ec2:DescribeInstances, and nothing managed', () => {
    expect(grants(template)).toEqual([{ action: 'ec2:DescribeInstances', resource: '*' }]);
    expect(onlyResource(template, 'AWS::IAM::Role').props.ManagedPolicyArns).toBeUndefined();
  });

  it('takes an external id instead of, or besides, the organization', () => {
    const byId = onlyResource(roleTemplate({ centralRoleArn: CENTRAL_ROLE_ARN, externalId: 'netrecon-7f3a' }), 'AWS::IAM::Role').props;
    expect(byId.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'netrecon-7f3a' } });
    const both = onlyResource(roleTemplate({ centralRoleArn: CENTRAL_ROLE_ARN, externalId: 'netrecon-7f3a', organizationId: ORG_ID }), 'AWS::IAM::Role').props;
    expect(both.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ORG_ID, 'sts:ExternalId': 'netrecon-7f3a' } });
  });

  it.each<[string, SourceReaderRoleProps, RegExp]>([
    ['a trust on the ARN alone', { centralRoleArn: CENTRAL_ROLE_ARN }, /prop organizationId is invalid: undefined\. Give organizationId \(aws:PrincipalOrgID\) or externalId/],
    ['an account id instead of a role ARN', { centralRoleArn: '999999999999', organizationId: ORG_ID }, /prop centralRoleArn is invalid: "999999999999"/],
    ['an organization id that is not one', { centralRoleArn: CENTRAL_ROLE_ARN, organizationId: 'acme' }, /prop organizationId is invalid: "acme"/],
  ])('refuses %s', (_, props, message) => {
    expect(() => roleTemplate(props)).toThrow(message);
  });

  it('is in the StackSet template when a central role is given, with the same trust and the one action', () => {
    const instance = stackSetApp().template(TEMPLATE_PATH);
    const role = instance.findResources('AWS::IAM::Role', { Properties: { RoleName: SOURCE_ROLE_NAME } });
    expect(Object.values(role)).toHaveLength(1);
    const props = Object.values(role)[0]!.Properties as any;
    expect(props.AssumeRolePolicyDocument.Statement[0]).toMatchObject({ Principal: { AWS: CENTRAL_ROLE_ARN }, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } } });
    expect(props.Policies.flatMap((p: any) => p.PolicyDocument.Statement.map((s: any) => s.Action))).toEqual(['ec2:DescribeInstances']);
  });
});
