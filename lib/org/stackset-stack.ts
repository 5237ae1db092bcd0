/**
 * The StackSet that puts the reconciler in every account of some organizational units, in several regions, and
 * in every account that joins them later (docs/organization.md). Created in the management account or in a
 * delegated administrator account of CloudFormation StackSets (`callAs: DELEGATED_ADMIN`), with service-managed
 * permissions: Organizations creates the execution roles, so no role has to exist in member accounts first.
 *
 * The template is embedded (TemplateBody): it is synthesized in the same app, so its text is known at synth time
 * and no template bucket is needed. CloudFormation takes at most 51,200 bytes inline; synth fails above that.
 */
import { CfnParameter, Lazy, Stack, type StackProps, Stage } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';
import { NetReconPropsError } from '../errors';

/** TemplateBody's limit (CloudFormation quotas: template body size in a request). */
export const TEMPLATE_BODY_MAX_BYTES = 51_200;

export type CallAs = 'SELF' | 'DELEGATED_ADMIN';

/** An OU id (ou-xxxx-yyyyyyyy) or the organization's root (r-xxxx), which targets every account. */
const OU_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export interface NetReconStackSetStackProps extends StackProps {
  /** The stack whose template every instance gets (a StackSetReconcilerStack with StackSetCodeSynthesizer), in a Stage of its own. */
  readonly template: Stack;
  /** Organizational units (or the root) whose accounts, present and future, get an instance. */
  readonly organizationalUnitIds: readonly string[];
  /** The regions of each account; each needs a code bucket (CodeBucketStack). */
  readonly regions: readonly string[];
  /** SELF in the management account, DELEGATED_ADMIN in a delegated administrator account. @default 'SELF' */
  readonly callAs?: CallAs | undefined;
  /** @default 'netrecon' */
  readonly stackSetName?: string | undefined;
  /** Values of the template's parameters for every instance (e.g. Clusters, ClusterTag, SourceProfile). */
  readonly parameters?: Readonly<Record<string, string>> | undefined;
}

export class NetReconStackSetStack extends Stack {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: NetReconStackSetStackProps) {
    const { template, organizationalUnitIds, regions, callAs, stackSetName, parameters, ...stackProps } = props;
    super(scope, id, { description: 'netrecon: the StackSet that deploys the reconciler to the organization', ...stackProps });
    // Its text is read from its own assembly while this stack is synthesized, so it must be another assembly.
    if (Stage.of(template) === Stage.of(this)) throw new Error('Put the StackSet template stack in a Stage of its own (e.g. new Stage(app, "StackSetTemplate")), not beside the StackSet.');
    if (organizationalUnitIds.length === 0) throw new NetReconPropsError('ouIds', organizationalUnitIds, 'Give at least one organizational unit id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx).');
    for (const ou of organizationalUnitIds) if (!OU_ID.test(ou)) throw new NetReconPropsError('ouIds', ou, 'Give an organizational unit id, ou-xxxx-xxxxxxxx, or the root id, r-xxxx (aws organizations list-roots).');
    if (regions.length === 0) throw new NetReconPropsError('regions', regions, 'Give the regions to deploy to, e.g. eu-west-1,us-east-1.');
    for (const region of regions) if (!REGION.test(region)) throw new NetReconPropsError('regions', region, 'Give a region name, e.g. eu-west-1.');
    const declared = template.node.findAll().filter((c): c is CfnParameter => c instanceof CfnParameter).map((p) => template.resolve(p.logicalId) as string);
    for (const key of Object.keys(parameters ?? {})) {
      if (!declared.includes(key)) throw new NetReconPropsError('parameters', key, `The template has no parameter ${key}; it has ${declared.join(', ')}.`);
    }

    this.stackSet = new CfnStackSet(this, 'StackSet', {
      stackSetName: stackSetName ?? 'netrecon',
      description: 'netrecon: reconciles EKS node network metrics in every account and region of the organization',
      permissionModel: 'SERVICE_MANAGED',
      callAs: callAs ?? 'SELF',
      // New accounts of the OUs get an instance; an account that leaves loses its instance with it.
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      managedExecution: { Active: true },
      // The template creates IAM roles (the function's; the source reader's, which has a fixed name).
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      operationPreferences: { regionConcurrencyType: 'PARALLEL', maxConcurrentPercentage: 25, failureTolerancePercentage: 10 },
      parameters: Object.entries(parameters ?? {}).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue })),
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [...organizationalUnitIds] }, regions: [...regions] }],
      templateBody: Lazy.string({ produce: () => templateBody(template) }),
    });
  }
}

/** The synthesized template of a stack of a nested stage or of this app, as compact JSON. */
export function templateBody(stack: Stack): string {
  const assembly = Stage.of(stack)!.synth();
  const body = JSON.stringify(assembly.getStackArtifact(stack.artifactId).template);
  const bytes = Buffer.byteLength(body);
  if (bytes > TEMPLATE_BODY_MAX_BYTES) {
    throw new NetReconPropsError('template', `${bytes} bytes`, `CloudFormation takes at most ${TEMPLATE_BODY_MAX_BYTES} bytes inline; upload the template and use TemplateURL instead.`);
  }
  return body;
}
