/**
 * The reconciler Lambda: the prebuilt, self-contained arm64 bundle (AWS SDK included, so the SDK version is the one
 * the tests ran against), one execution at a time, failures kept in an encrypted queue, logs with a retention.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { reconcilerEnvironment } from './environment';
import { MissingBuildError } from './errors';
import { reconcilerPolicyStatements } from './permissions';
import { kindOfUrl, workspaceOfUrl } from '../lambda/sources/promql/settings';
import { parseClusterTarget } from '../lambda/core/cluster-target';
import type { ReconcilerSettings } from './props';
import { AUTO_CLUSTERS } from '../lambda/plan/cluster-selection';
import { RUN_SETTINGS } from '../lambda/settings';

/** Where the build puts the function's bundle (scripts/build.ts LAMBDA_DIR; test/cdk/function.test.ts checks they agree). */
const PREBUILT_CODE_DIR = 'dist/lambda/reconciler';
const BUNDLE_FILE = 'index.mjs';

/**
 * The prebuilt function's directory: dist/lambda/reconciler/ of the package this file belongs to, found by walking
 * up to its package.json, since this code runs from lib/ in a checkout and from a bundle in dist/lib/ when
 * installed. `cdk synth` zips it as it is: no esbuild, no sources, no Docker.
 */
export function prebuiltCodeDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new MissingBuildError(fileURLToPath(import.meta.url), 'no package.json above the netrecon code');
    dir = parent;
  }
  const codeDir = join(dir, PREBUILT_CODE_DIR);
  if (!existsSync(join(codeDir, BUNDLE_FILE))) throw new MissingBuildError(join(codeDir, BUNDLE_FILE), 'the prebuilt function bundle is missing');
  return codeDir;
}

export interface ReconcilerFunctionProps {
  readonly settings: ReconcilerSettings;
  /**
   * The cluster tag filter is given at deploy time (the StackSet's `ClusterTag` parameter), not in the settings:
   * grant eks:DescribeCluster whatever `settings.clusterTag` says. @default false
   */
  readonly clusterTagAtDeploy?: boolean;
}

/** An on-failure destination whose send permission is granted by the role's own policy (SendMessage only). */
class FailureQueueDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}
  bind(): lambda.DestinationConfig {
    return { destination: this.queue.queueArn };
  }
}

export class ReconcilerFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Invocations that failed after Lambda's retries (or expired in its queue), with the error and the event. */
  readonly failureQueue: sqs.Queue;
  /** The exactly-once ledger's store: the publishers' lease and a record of every put (docs/aws.md, "Exactly once"). */
  readonly ledgerTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ReconcilerFunctionProps) {
    super(scope, id);
    const { settings } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetentionDays,
      // `cdk destroy` should leave nothing behind that keeps costing; the retention bounds what is lost.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.failureQueue = new sqs.Queue(this, 'FailedInvocations', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.ledgerTable = new dynamodb.Table(this, 'Ledger', {
      partitionKey: { name: 'ledger', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'item', type: dynamodb.AttributeType.STRING },
      // A few items a cluster and period, written a few times an hour: on demand costs cents.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // A period's record is useless once PutMetricData no longer accepts the period; a lease once it expired.
      timeToLiveAttribute: 'deleteAfter',
      // Kilobytes of data, so recovery costs next to nothing; a lost table falls back on CloudWatch's EmitLedger.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // `cdk destroy` leaves nothing behind: CloudWatch's EmitLedger still says what was published.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The policy lives inside the role resource, so it exists before Lambda validates the destination.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'netrecon reconciler: reads EC2/Container Insights/agent metrics, publishes to its own namespace',
      inlinePolicies: {
        NetRecon: new iam.PolicyDocument({
          statements: reconcilerPolicyStatements({
            outputNamespace: settings.outputNamespace,
            logGroupArn: this.logGroup.logGroupArn,
            failureQueueArn: this.failureQueue.queueArn,
            ledgerTableArn: this.ledgerTable.tableArn,
            sourceRoleArns: sourceRoleArns(settings.clusters, settings.sourceRoleName),
            listClusters: settings.clusters === AUTO_CLUSTERS,
            describeClusters: settings.clusterTag !== '' || props.clusterTagAtDeploy === true,
            eksClustersArn: Stack.of(this).formatArn({ service: 'eks', resource: 'cluster', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
            ...promqlWorkspaceArn(this, settings),
          }),
        }),
      },
    });

    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(prebuiltCodeDir()),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      description: 'netrecon: reconciles EKS node network metrics (EC2, Container Insights, agent) and publishes corrected ones',
      memorySize: settings.memorySize,
      timeout: Duration.seconds(settings.timeoutSeconds),
      role: this.role,
      environment: reconcilerEnvironment(settings),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      // One run at a time: scheduled runs, Lambda's own retries and manual backfills queue up instead of
      // overlapping. The ledger lease (ledgerTable) is what excludes every other publisher, the CLI included.
      reservedConcurrentExecutions: 1,
      // A failed run is retried twice (1 and 2 minutes later); a run that still fails lands in the queue. An event
      // throttled behind a long run waits in Lambda's queue for up to 6 hours, so a manual backfill is not dropped.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new FailureQueueDestination(this.failureQueue),
    });
    this.function.addEnvironment(RUN_SETTINGS.ledgerTable.env, this.ledgerTable.tableName);

    Validations.of(this.failureQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter destination of the reconciler.' },
      { id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself the dead-letter destination of the reconciler.' },
    );
    const noResourceScoping = `GetMetricData, ListMetrics, PutMetricData and DescribeInstances${settings.clusters === AUTO_CLUSTERS ? ' (and eks:ListClusters, clusters=auto)' : ''} have no resource-level permissions; PutMetricData is limited by cloudwatch:namespace.`;
    Validations.of(this.role).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: noResourceScoping },
      { id: 'Serverless-LambdaStarPermissions', reason: noResourceScoping },
    );
    if (settings.clusters === AUTO_CLUSTERS && (settings.clusterTag !== '' || props.clusterTagAtDeploy === true)) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:${nagText(Stack.of(this).region, '<AWS::Region>')}:${nagText(Stack.of(this).account, '<AWS::AccountId>')}:cluster/*]`,
        reason: 'clusters=auto with clusterTag reads the tags of every cluster ListClusters returns, whose names are known only at run time.',
      });
    }
    Validations.of(this.function).acknowledge(
      { id: 'AwsSolutions-L1', reason: 'The project pins nodejs22.x, the runtime its bundle and tests target; moving to a newer runtime is a deliberate upgrade.' },
      { id: 'Serverless-LambdaLatestVersion', reason: 'The project pins nodejs22.x, the runtime its bundle and tests target; moving to a newer runtime is a deliberate upgrade.' },
      { id: 'Serverless-LambdaDLQ', reason: 'Failed asynchronous invocations go to an on-failure destination (the SQS queue), which records the error as well as the event.' },
      { id: 'Serverless-LambdaTracing', reason: 'X-Ray would add xray:Put* to a deliberately minimal role; the run summary log and the heartbeat metric cover tracing needs.' },
    );
  }
}

/** The source role of every account named by an `ACCOUNT_ID/CLUSTER` target, once each, in the stack's partition. */
export function sourceRoleArns(clusters: readonly string[] | typeof AUTO_CLUSTERS, roleName: string): string[] {
  // `auto` lists the function's own account only: no source account to assume a role in.
  if (clusters === AUTO_CLUSTERS) return [];
  const accounts = [...new Set(clusters.flatMap((c) => parseClusterTarget(c)?.accountId ?? []))].sort();
  return accounts.map((account) => `arn:${Aws.PARTITION}:iam::${account}:role/${roleName}`);
}

/** How cdk-nag writes a stack's region or account in a finding id: the value, or the pseudo parameter's name. */
function nagText(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? pseudo : value;
}

/** The workspace a PromQL source of kind `amp` reads, as an ARN in the stack's account. */
function promqlWorkspaceArn(scope: Construct, settings: { promqlUrl?: string | undefined; promqlKind?: string | undefined }): { promqlWorkspaceArn?: string } {
  if (settings.promqlUrl === undefined || (settings.promqlKind ?? kindOfUrl(settings.promqlUrl)) !== 'amp') return {};
  const ws = workspaceOfUrl(settings.promqlUrl);
  if (ws === null) throw new Error(`promqlUrl ${settings.promqlUrl} is not a workspace URL (https://aps-workspaces.REGION.amazonaws.com/workspaces/ws-…), so its IAM grant cannot be scoped`);
  return { promqlWorkspaceArn: Stack.of(scope).formatArn({ service: 'aps', region: ws.region, resource: 'workspace', resourceName: ws.workspaceId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }) };
}
