/**
 * The role a central reconciler assumes in each source account to list that account's nodes (docs/organization.md,
 * "Source-account role"). It may do one thing: ec2:DescribeInstances. Metrics are not read through it: the central
 * reconciler reads them in its own account through the CloudWatch cross-account observability link.
 *
 * The trust names the central reconciler's role ARN exactly, and adds aws:PrincipalOrgID (the caller must belong
 * to the organization) and/or sts:ExternalId (the caller must present the shared secret), so a role ARN reused by
 * an account that left the organization, or a confused deputy, cannot assume it.
 */
import { Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NetReconPropsError } from '../errors';

/** The default name, fixed so the central reconciler can build the ARN from an account id alone. */
export const SOURCE_ROLE_NAME = 'netrecon-source-reader';

/** The one action of the role. */
export const SOURCE_ROLE_ACTION = 'ec2:DescribeInstances';

/** An IAM role ARN, e.g. arn:aws:iam::111122223333:role/NetReconCentral-Reconciler (any partition). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** An organization id: o- and 10 to 32 lower-case letters or digits. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** sts:ExternalId: 2-1224 characters of [\w+=,.@:/-]. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export interface SourceReaderRoleProps {
  /** The central reconciler function's role ARN, the only principal trusted. */
  readonly centralRoleArn: string;
  /** Trust only callers in this organization (aws:PrincipalOrgID). Give this, `externalId`, or both. */
  readonly organizationId?: string | undefined;
  /** Trust only callers that pass this external id (sts:ExternalId). */
  readonly externalId?: string | undefined;
  /** @default SOURCE_ROLE_NAME */
  readonly roleName?: string | undefined;
}

function check(prop: string, value: string | undefined, pattern: RegExp, hint: string): void {
  // A CloudFormation parameter or other token is checked by whoever supplies it.
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!pattern.test(value)) throw new NetReconPropsError(prop, value, hint);
}

export class SourceReaderRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SourceReaderRoleProps) {
    super(scope, id);
    check('centralRoleArn', props.centralRoleArn, ROLE_ARN, 'Give the central reconciler role ARN, e.g. arn:aws:iam::111122223333:role/NetReconCentral-Reconciler.');
    check('organizationId', props.organizationId, ORGANIZATION_ID, 'Give the organization id, e.g. o-a1b2c3d4e5 (aws organizations describe-organization).');
    check('externalId', props.externalId, EXTERNAL_ID, 'Give 2 to 1224 letters, digits or + = , . @ : / - _.');
    if (props.organizationId === undefined && props.externalId === undefined) {
      throw new NetReconPropsError('organizationId', undefined, 'Give organizationId (aws:PrincipalOrgID) or externalId (sts:ExternalId), or both: a trust on the role ARN alone is refused.');
    }

    const conditions: Record<string, Record<string, string>> = {};
    if (props.organizationId !== undefined) conditions.StringEquals = { 'aws:PrincipalOrgID': props.organizationId };
    if (props.externalId !== undefined) conditions.StringEquals = { ...conditions.StringEquals, 'sts:ExternalId': props.externalId };

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? SOURCE_ROLE_NAME,
      description: 'netrecon: lets the central reconciler list this account\'s EKS nodes (ec2:DescribeInstances only)',
      assumedBy: new iam.ArnPrincipal(props.centralRoleArn).withConditions(conditions),
      inlinePolicies: {
        DescribeNodes: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ sid: 'DescribeNodes', actions: [SOURCE_ROLE_ACTION], resources: ['*'] })],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeInstances supports no resource-level permissions (EC2 Describe* actions), so Resource must be *.',
    });
  }
}
