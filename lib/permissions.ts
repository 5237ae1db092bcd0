/**
 * The reconciler's whole IAM policy: what it reads, what it writes, and nothing else.
 *
 * `Resource: "*"` below is not laziness. In the Service Authorization Reference ("Actions, resources, and
 * condition keys for Amazon CloudWatch" and "... for Amazon EC2") the Resource types column is empty for
 * cloudwatch:GetMetricData, cloudwatch:ListMetrics, cloudwatch:PutMetricData and ec2:DescribeInstances, which
 * means they support no resource-level permissions and a policy must name "*" for them (the EC2 guide says the
 * same of every ec2:Describe* action). PutMetricData is narrowed instead by its condition key
 * cloudwatch:namespace, as the CloudWatch guide's "Using condition keys to limit access to CloudWatch
 * namespaces" shows. Logs, the failure queue and the ledger table do have ARNs, so those grants name exactly one
 * resource each.
 *
 * With `clusters=auto` only, the function lists the clusters itself: eks:ListClusters has no resource type either
 * ("Actions, resources, and condition keys for Amazon EKS"), so it takes "*"; eks:DescribeCluster, sent only to
 * read tags for `clusterTag`, has the `cluster` resource type and is scoped to this account and Region's clusters.
 *
 * With a PromQL source on an Amazon Managed Service for Prometheus workspace, aps:QueryMetrics is granted on that one
 * workspace (its `workspace` resource type); CloudWatch's PromQL API needs the cloudwatch:GetMetricData and
 * ListMetrics already granted.
 */
import * as iam from 'aws-cdk-lib/aws-iam';

export interface ReconcilerPolicyInputs {
  /** The only namespace the function may publish to. */
  readonly outputNamespace: string;
  /** `Fn::GetAtt LogGroup.Arn`, which ends in `:*` (the log group's streams). */
  readonly logGroupArn: string;
  readonly failureQueueArn: string;
  /** The ledger store's table: the lease and the put records (lambda/aws/ledger-store.ts). */
  readonly ledgerTableArn: string;
  /**
   * The source-account roles of the `ACCOUNT_ID/CLUSTER` targets (central reconciler, docs/central.md), one ARN
   * per listed account; none when every cluster is the function's own account's.
   */
  readonly sourceRoleArns?: readonly string[];
  /** `clusters=auto`: the function lists the account's clusters (eks:ListClusters). */
  readonly listClusters: boolean;
  /** `clusterTag` is set: the function reads each listed cluster's tags (eks:DescribeCluster). */
  readonly describeClusters: boolean;
  /** `arn:PARTITION:eks:REGION:ACCOUNT:cluster/*`: every cluster of the stack's account and Region. */
  readonly eksClustersArn: string;
  /** The Amazon Managed Service for Prometheus workspace the PromQL source reads (docs/sources.md); none otherwise. */
  readonly promqlWorkspaceArn?: string;
}

/** Statement ids, so a reader of the deployed policy can tell each grant apart. */
const SID = {
  readMetrics: 'ReadSourceMetrics',
  describeNodes: 'DescribeNodes',
  publish: 'PublishOnlyToOutputNamespace',
  logs: 'WriteOwnLogGroup',
  failures: 'SendFailedInvocationsToQueue',
  ledger: 'LeaseAndRecordPutsInLedgerTable',
  sourceRoles: 'AssumeSourceAccountRoles',
  listClusters: 'ListClustersForAuto',
  describeClusters: 'ReadClusterTagsForAuto',
  queryWorkspace: 'QueryPromqlWorkspace',
} as const;

export function reconcilerPolicyStatements(inputs: ReconcilerPolicyInputs): iam.PolicyStatement[] {
  const roles = inputs.sourceRoleArns ?? [];
  return [
    ...(roles.length === 0
      ? []
      : [
          new iam.PolicyStatement({
            sid: SID.sourceRoles,
            // Only the source role of each listed account: the role itself allows ec2:DescribeInstances only.
            actions: ['sts:AssumeRole'],
            resources: [...roles],
          }),
        ]),
    new iam.PolicyStatement({
      sid: SID.readMetrics,
      actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
      resources: ['*'], // no resource-level permissions exist for these actions (see the file comment)
    }),
    new iam.PolicyStatement({
      sid: SID.describeNodes,
      actions: ['ec2:DescribeInstances'],
      resources: ['*'], // ec2:Describe* support no resource-level permissions
    }),
    new iam.PolicyStatement({
      sid: SID.publish,
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'], // no resource types; the namespace condition is the scope
      conditions: { StringEquals: { 'cloudwatch:namespace': inputs.outputNamespace } },
    }),
    new iam.PolicyStatement({
      sid: SID.logs,
      // The log group exists (the stack creates it), so logs:CreateLogGroup is not needed.
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [inputs.logGroupArn],
    }),
    new iam.PolicyStatement({
      sid: SID.failures,
      // The on-failure destination needs SendMessage only (CDK's SqsDestination would also grant
      // GetQueueAttributes and GetQueueUrl, which Lambda does not use).
      actions: ['sqs:SendMessage'],
      resources: [inputs.failureQueueArn],
    }),
    new iam.PolicyStatement({
      sid: SID.ledger,
      // What lambda/aws/ledger-store.ts sends: UpdateItem (alone and inside TransactWriteItems, which is authorized
      // action by action), Query and GetItem with consistent reads; no Scan, no PutItem, no DeleteItem.
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      resources: [inputs.ledgerTableArn],
    }),
    ...(inputs.listClusters
      ? [
          new iam.PolicyStatement({
            sid: SID.listClusters,
            actions: ['eks:ListClusters'],
            resources: ['*'], // no resource type exists for eks:ListClusters (see the file comment)
          }),
        ]
      : []),
    ...(inputs.promqlWorkspaceArn === undefined
      ? []
      : [new iam.PolicyStatement({ sid: SID.queryWorkspace, actions: ['aps:QueryMetrics'], resources: [inputs.promqlWorkspaceArn] })]),
    ...(inputs.listClusters && inputs.describeClusters
      ? [new iam.PolicyStatement({ sid: SID.describeClusters, actions: ['eks:DescribeCluster'], resources: [inputs.eksClustersArn] })]
      : []),
  ];
}
