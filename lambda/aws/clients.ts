/**
 * SDK client construction, in one place: adaptive retry mode (client-side rate limiting on throttling), an
 * optional region and profile for the CLI. The handler creates its clients once per container, at module load;
 * the CLI once per command.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import type { CredentialProvider } from './source-accounts';
import { EKSClient } from '@aws-sdk/client-eks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface ClientOptions {
  readonly region?: string;
  /** A named profile from the shared config files (CLI only; Lambda uses its role). */
  readonly profile?: string;
  /** Tries per call inside the SDK, first included. Default 3 (the SDK's). */
  readonly maxAttempts?: number;
  /** Give up on a try that has not connected, or not been answered, in this long (the CLI's; the function has none). */
  readonly timeouts?: RequestTimeouts;
}

export interface RequestTimeouts {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * The CLI's timeouts (docs/aws.md, "Timeouts"): without them a call that is never answered leaves the command
 * waiting for minutes without a word, since the SDK's Node.js handler waits for ever by default. 30 s is several
 * times the slowest GetMetricData answer of 500 queries; a try that times out is retried like any timeout.
 */
export const CLI_TIMEOUTS: RequestTimeouts = { connectionTimeoutMs: 5_000, requestTimeoutMs: 30_000 };

export interface AwsClients {
  readonly cloudWatch: CloudWatchClient;
  /** For PutMetricData only: no SDK retries (a timed-out put may have landed; see AwsRuntime.cloudWatchPut). */
  readonly cloudWatchPut: CloudWatchClient;
  readonly ec2: EC2Client;
  /** AssumeRole into source accounts (central reconciler, docs/central.md). */
  readonly sts: STSClient;
  /** An EC2 client of a source account, signing with its assumed role's credentials. */
  readonly ec2With: (credentials: CredentialProvider) => EC2Client;
  /** Lists the clusters when `clusters` is `auto`; built always, it sends nothing unless asked. */
  readonly eks: EKSClient;
  /** The ledger store's table (aws/ledger-store.ts); built always, it sends nothing unless a table is set. */
  readonly dynamo: DynamoDBClient;
}

export function createClients(options: ClientOptions = {}): AwsClients {
  const base = {
    retryMode: 'adaptive' as const,
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.region ? { region: options.region } : {}),
    ...(options.timeouts
      ? {
          // Without throwOnRequestTimeout, @smithy/node-http-handler only logs a warning when requestTimeout passes.
          requestHandler: { connectionTimeout: options.timeouts.connectionTimeoutMs, requestTimeout: options.timeouts.requestTimeoutMs, throwOnRequestTimeout: true },
        }
      : {}),
  };
  const common = { ...base, ...(options.profile ? { profile: options.profile } : {}) };
  return {
    cloudWatch: new CloudWatchClient(common),
    cloudWatchPut: new CloudWatchClient({ ...common, maxAttempts: 1 }),
    ec2: new EC2Client(common),
    sts: new STSClient(common),
    // The profile (CLI) is the monitoring account's; a source account's client signs with the assumed role only.
    ec2With: (credentials) => new EC2Client({ ...base, credentials }),
    eks: new EKSClient(common),
    dynamo: new DynamoDBClient(common),
  };
}
