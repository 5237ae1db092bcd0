/** The harness's own SDK clients, all pointed at the emulator with dummy credentials (sandbox.ts). */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, type Sandbox } from './sandbox';

export interface Clients {
  readonly cfn: CloudFormationClient;
  readonly cloudwatch: CloudWatchClient;
  /** The ledger store's table (lambda/aws/ledger-store.ts). */
  readonly dynamodb: DynamoDBClient;
  readonly ec2: EC2Client;
  readonly events: EventBridgeClient;
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly logs: CloudWatchLogsClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

export function makeClients(sandbox: Sandbox): Clients {
  const config = clientConfig(sandbox);
  return {
    cfn: new CloudFormationClient(config),
    cloudwatch: new CloudWatchClient(config),
    dynamodb: new DynamoDBClient(config),
    ec2: new EC2Client(config),
    events: new EventBridgeClient(config),
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    logs: new CloudWatchLogsClient(config),
    s3: new S3Client(config),
    sns: new SNSClient(config),
    // A queue URL names the real SQS host; never let the SDK route a request to it.
    sqs: new SQSClient({ ...config, useQueueUrlAsEndpoint: false }),
  };
}

export function destroyClients(clients: Clients): void {
  for (const client of Object.values(clients)) client.destroy();
}
