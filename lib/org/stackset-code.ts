/**
 * How a StackSet template gets its Lambda code (docs/organization.md, "Where the function's code lives").
 *
 * A stack instance is created by CloudFormation in each target account, where nothing of CDK exists: no bootstrap
 * bucket, no asset publishing. So the template names the code in a bucket of the administrator account, one per
 * region (Lambda reads code only from a bucket in the function's own region, which may be in another account),
 * named `<prefix>-<region>`, which the template spells with `${AWS::Region}`: one template fits every region.
 * Each bucket lets principals of the organization read objects (aws:PrincipalOrgID); the StackSet execution role
 * in a member account is such a principal, and Lambda fetches the code with the caller's credentials.
 *
 * StackSetCodeSynthesizer records the template's file assets instead of publishing them; CodeBucketStack (one per
 * region, deployed with `cdk deploy` in the administrator account) stages each recorded asset as an asset of its
 * own (uploaded by `cdk deploy` to the administrator account's bootstrap bucket), copies it unchanged into the code
 * bucket, and tells the synthesizer the object's key, which the template names.
 */
import { basename, resolve } from 'node:path';
import {
  type DockerImageAssetLocation,
  type DockerImageAssetSource,
  type FileAssetLocation,
  type FileAssetSource,
  FileAssetPackaging,
  Fn,
  Lazy,
  type ISynthesisSession,
  RemovalPolicy,
  Stack,
  type StackProps,
  StackSynthesizer,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import { NetReconPropsError } from '../errors';

/** S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens; the region suffix is added to the prefix. */
const BUCKET_PREFIX = /^[a-z0-9][a-z0-9.-]{1,40}$/;

export function checkCodeBucketPrefix(prefix: string): string {
  if (!BUCKET_PREFIX.test(prefix)) {
    throw new NetReconPropsError('codeBucketPrefix', prefix, 'Give 2-41 lower-case letters, digits, dots or hyphens; the bucket of each region is <prefix>-<region>.');
  }
  return prefix;
}

/** The bucket of one region, as the code stack names it. */
export function codeBucketName(prefix: string, region: string): string {
  return `${prefix}-${region}`;
}

/** A file asset of the template, with the directory it was staged in. */
export interface RecordedAsset {
  readonly sourceHash: string;
  /** Absolute path of the staged directory (the bundled function). */
  readonly stagedPath: string;
}

/**
 * Synthesizes a template with no bootstrap: no BootstrapVersion parameter, no asset publishing. File assets (the
 * bundled function) are recorded for CodeBucketStack and located at `<prefix>-${AWS::Region}/<hash>.zip`.
 */
export class StackSetCodeSynthesizer extends StackSynthesizer {
  private readonly assets: FileAssetSource[] = [];
  /** Source hash -> object key in the code buckets, set by CodeBucketStack. */
  private readonly objectKeys = new Map<string, string>();

  constructor(readonly bucketPrefix: string) {
    super();
    checkCodeBucketPrefix(bucketPrefix);
  }

  addFileAsset(asset: FileAssetSource): FileAssetLocation {
    if (asset.packaging !== FileAssetPackaging.ZIP_DIRECTORY || asset.fileName === undefined) {
      throw new Error(`The StackSet template can hold zipped directory assets (bundled functions) only, not ${asset.packaging ?? 'an executable'} asset ${asset.sourceHash}.`);
    }
    if (!this.assets.some((a) => a.sourceHash === asset.sourceHash)) this.assets.push(asset);
    const bucketName = Fn.sub(`${this.bucketPrefix}-\${AWS::Region}`);
    const objectKey = Lazy.string({
      produce: () => {
        const key = this.objectKeys.get(asset.sourceHash);
        if (key === undefined) throw new Error(`No code bucket stack copies asset ${asset.sourceHash}: add a CodeBucketStack per target region.`);
        return key;
      },
    });
    return {
      bucketName,
      objectKey,
      httpUrl: Fn.sub(`https://${this.bucketPrefix}-\${AWS::Region}.s3.\${AWS::Region}.\${AWS::URLSuffix}/${objectKey}`),
      s3ObjectUrl: Fn.sub(`s3://${this.bucketPrefix}-\${AWS::Region}/${objectKey}`),
    };
  }

  addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    throw new Error(`The StackSet template cannot hold container image assets (${asset.sourceHash}).`);
  }

  synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session);
  }

  /** Where CodeBucketStack put an asset; every region must agree (the template has one key for all). */
  setObjectKey(sourceHash: string, objectKey: string): void {
    const known = this.objectKeys.get(sourceHash);
    if (known !== undefined && known !== objectKey) throw new Error(`Asset ${sourceHash} has the key ${known} in one region and ${objectKey} in another.`);
    this.objectKeys.set(sourceHash, objectKey);
  }

  /** The recorded assets, with absolute staged paths (relative ones are relative to the template's assembly). */
  recordedAssets(): RecordedAsset[] {
    const outdir = Stage.of(this.boundStack)?.outdir ?? '.';
    return this.assets.map((a) => ({ sourceHash: a.sourceHash, stagedPath: resolve(outdir, a.fileName!) }));
  }
}

export interface CodeBucketStackProps extends StackProps {
  readonly bucketPrefix: string;
  /** Principals of this organization may read the code (aws:PrincipalOrgID). */
  readonly organizationId: string;
  /** The template's synthesizer: its assets are copied, and it learns their keys. */
  readonly templateSynthesizer: StackSetCodeSynthesizer;
}

/** One region's code bucket in the administrator account, with the template's assets copied in. */
export class CodeBucketStack extends Stack {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: CodeBucketStackProps) {
    const { bucketPrefix, organizationId, templateSynthesizer: synthesizer, ...stackProps } = props;
    super(scope, id, { description: 'netrecon: the reconciler code read by the StackSet instances of this region', ...stackProps });
    const assets = synthesizer.recordedAssets();
    if (assets.length === 0) throw new Error('CodeBucketStack needs the template\'s assets: build the StackSet template first.');
    this.bucket = new s3.Bucket(this, 'Code', {
      bucketName: codeBucketName(bucketPrefix, this.region),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Stack instances in the middle of an update still read the previous code: nothing is pruned.
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationReadsCode',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      }),
    );
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Holds only build outputs read by CloudFormation at deploy time; CloudTrail data events cover reads where an audit is needed.',
    });

    // The deployment function's own log group, with a retention (the handler would otherwise create one that keeps
    // logs forever); one for every deployment of the stack, which share one handler.
    const deployLogs = new logs.LogGroup(this, 'DeploymentLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    assets.forEach((asset, i) => {
      // The bundled directory as an asset of this stack: `cdk deploy` zips and uploads it, the deployment copies the
      // zip unchanged (extract: false) under the same name, `<hash>.zip`, the same in every region.
      const code = new s3assets.Asset(this, `Asset${i}Source`, { path: asset.stagedPath });
      synthesizer.setObjectKey(asset.sourceHash, basename(code.s3ObjectKey));
      new s3deploy.BucketDeployment(this, `Asset${i}`, {
        sources: [s3deploy.Source.bucket(code.bucket, code.s3ObjectKey)],
        // aws-cdk-lib's Bucket declares `isWebsite?: boolean`, which exactOptionalPropertyTypes refuses as IBucket's.
        destinationBucket: this.bucket as unknown as s3.IBucket,
        extract: false,
        prune: false,
        retainOnDelete: true,
        logGroup: deployLogs,
      });
    });
    acknowledgeBucketDeploymentHandler(this);
  }
}

/** CDK's BucketDeployment brings its own singleton function and role; the findings below are about that code. */
function acknowledgeBucketDeploymentHandler(stack: CodeBucketStack): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) return;
  const why = "CDK's BucketDeployment handler, a construct library internal";
  const copies = `${why}: it copies the asset from the CDK asset bucket into the code bucket`;
  const bucketId = stack.resolve((stack.bucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
  const assets = `arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${stack.account}-${stack.region}/*`;
  Validations.of(handler).acknowledge(
    { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: `${why}: its role uses the basic execution managed policy for its logs.` },
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: `${copies} (grants by CDK's grantRead/grantReadWrite).` })),
    { id: `AwsSolutions-IAM5[Resource::${assets}]`, reason: `${copies}: it reads its source object in the bootstrap asset bucket.` },
    { id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, reason: `${copies}: it writes objects of this bucket only.` },
    { id: 'AwsSolutions-L1', reason: `${why}: its runtime is chosen and upgraded by aws-cdk-lib, not by netrecon.` },
    { id: 'Serverless-LambdaLatestVersion', reason: `${why}: its runtime is chosen and upgraded by aws-cdk-lib, not by netrecon.` },
    { id: 'Serverless-LambdaDLQ', reason: `${why}: a CloudFormation custom resource; a failure fails the deployment, which is the report.` },
    { id: 'Serverless-LambdaTracing', reason: `${why}: runs only during deployments; CloudFormation events and its log cover it.` },
  );
}
