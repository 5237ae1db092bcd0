/**
 * Does each resource of a deployed stack exist in the emulator, asked through the service's own API (not
 * through CloudFormation's word)? Used after `cdk deploy` (they must exist) and after `cdk destroy` (they must
 * be gone). Types moto's CloudFormation does not implement were deployed as placeholders (e2e/moto/server.py)
 * and are reported as such, never as created.
 */
import { CloudFormationClient, ListStackResourcesCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface ResourceClients {
  readonly cfn: CloudFormationClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly events: EventBridgeClient;
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

export type ResourceState = 'exists' | 'missing' | 'placeholder' | 'unchecked';

export interface ResourceRow {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly state: ResourceState;
}

const PLACEHOLDER_PREFIX = 'moto-placeholder';
const NOT_FOUND = /NotFound|NoSuch|does not exist|not found|NonExistent/i;

/** The deployed template's resources by logical id (some checks need a property, e.g. an inline policy's name). */
export type TemplateResources = Readonly<Record<string, { Type: string; Properties?: Record<string, unknown> }>>;

type Checker = (c: ResourceClients, physicalId: string, all: readonly StackResourceSummary[], properties: Record<string, unknown>) => Promise<unknown>;

const CHECKERS: Record<string, Checker> = {
  'AWS::Lambda::Function': (c, id) => c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: id })),
  'AWS::Events::Rule': (c, id) => c.events.send(new DescribeRuleCommand({ Name: id.split('|').pop()! })),
  'AWS::CloudWatch::Dashboard': (c, id) => c.cloudwatch.send(new GetDashboardCommand({ DashboardName: id })),
  'AWS::SNS::Topic': (c, id) => c.sns.send(new GetTopicAttributesCommand({ TopicArn: id })),
  // The physical id is the queue URL on the real SQS host; ask by name so no request goes there.
  'AWS::SQS::Queue': (c, id) => c.sqs.send(new GetQueueUrlCommand({ QueueName: id.split('/').pop()! })),
  'AWS::Logs::LogGroup': async (c, id) => {
    const groups = await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: id }));
    if (!groups.logGroups?.some((g) => g.logGroupName === id)) throw new Error(`log group ${id} not found`);
  },
  'AWS::IAM::Role': (c, id) => c.iam.send(new GetRoleCommand({ RoleName: id })),
  // An inline policy (its physical id is not its name): present when one of the stack's roles lists its PolicyName.
  'AWS::IAM::Policy': async (c, id, all, properties) => {
    const name = String(properties.PolicyName ?? id);
    for (const role of all.filter((r) => r.ResourceType === 'AWS::IAM::Role')) {
      try {
        const names = await c.iam.send(new ListRolePoliciesCommand({ RoleName: role.PhysicalResourceId! }));
        if (names.PolicyNames?.includes(name)) return;
      } catch (error) {
        if (!NOT_FOUND.test(String((error as Error).name) + (error as Error).message)) throw error;
      }
    }
    throw new Error(`inline policy ${name} not found on any role of the stack`);
  },
};

async function stateOf(c: ResourceClients, r: StackResourceSummary, all: readonly StackResourceSummary[], template: TemplateResources): Promise<ResourceState> {
  const physicalId = r.PhysicalResourceId ?? '';
  if (physicalId.startsWith(PLACEHOLDER_PREFIX)) return 'placeholder';
  const check = CHECKERS[r.ResourceType ?? ''];
  if (!check || !physicalId) return 'unchecked';
  try {
    await check(c, physicalId, all, template[r.LogicalResourceId ?? '']?.Properties ?? {});
    return 'exists';
  } catch (error) {
    if (NOT_FOUND.test(String((error as Error).name) + ' ' + (error as Error).message)) return 'missing';
    throw error;
  }
}

/**
 * Checks each resource through its own service: after `cdk deploy` the listed resources, after `cdk destroy` the
 * same list again (CloudFormation can no longer list a deleted stack's resources).
 */
export async function checkResources(c: ResourceClients, summaries: readonly StackResourceSummary[], template: TemplateResources): Promise<ResourceRow[]> {
  const rows: ResourceRow[] = [];
  for (const r of summaries) {
    rows.push({ logicalId: r.LogicalResourceId ?? '', type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId ?? '', state: await stateOf(c, r, summaries, template) });
  }
  return rows;
}

export async function listStackResources(c: ResourceClients, stackName: string): Promise<StackResourceSummary[]> {
  return (await c.cfn.send(new ListStackResourcesCommand({ StackName: stackName }))).StackResourceSummaries ?? [];
}

export function countBy(rows: readonly ResourceRow[]): Record<ResourceState, number> {
  const counts: Record<ResourceState, number> = { exists: 0, missing: 0, placeholder: 0, unchecked: 0 };
  for (const r of rows) counts[r.state] += 1;
  return counts;
}
