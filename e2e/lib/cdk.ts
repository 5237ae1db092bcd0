/**
 * The CDK CLI against the emulator: `cdk bootstrap`, `cdk deploy` and `cdk destroy` with the sandbox's
 * environment (AWS_ENDPOINT_URL, dummy credentials, no notices, no telemetry, no version check), each run's
 * output kept in a log file. The function's asset is the prebuilt bundle (dist/lambda/reconciler/, scripts/build.ts):
 * synthesis stages it, nothing is bundled (never Docker).
 */
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { runProcess, type RunResult } from './proc';
import { ACCOUNT, REPO_DIR, type Sandbox } from './sandbox';

export const CDK_CLI = join(REPO_DIR, 'node_modules', 'aws-cdk', 'bin', 'cdk');
export const TOOLKIT_STACK = 'CDKToolkit';
/** The default synthesizer's qualifier; the app and the bootstrap stack must agree on it. */
export const QUALIFIER = 'hnb659fds';

export function assetsBucket(region: string): string {
  return `cdk-${QUALIFIER}-assets-${ACCOUNT}-${region}`;
}

const COMMON_FLAGS = ['--no-notices', '--ci', '--no-color'];

async function cdk(sandbox: Sandbox, args: readonly string[], options: { cwd: string; logPath: string }): Promise<RunResult> {
  return runProcess(process.execPath, [CDK_CLI, ...args, ...COMMON_FLAGS], {
    env: { ...sandbox.env, FORCE_COLOR: '0' },
    cwd: options.cwd,
    logPath: options.logPath,
  });
}

/**
 * `cdk bootstrap aws://ACCOUNT/REGION` from a directory without cdk.json (nothing to synthesize), then checks
 * what moto made of it: the CLI reports success even when moto failed part of the stack.
 */
export async function bootstrap(sandbox: Sandbox, clients: { cfn: CloudFormationClient; s3: S3Client }, workDir: string): Promise<RunResult> {
  const result = await cdk(sandbox, ['bootstrap', `aws://${ACCOUNT}/${sandbox.region}`], { cwd: workDir, logPath: join(workDir, 'cdk-bootstrap.log') });
  const stack = await describeStack(clients.cfn, TOOLKIT_STACK);
  if (stack?.StackStatus !== 'CREATE_COMPLETE' && stack?.StackStatus !== 'UPDATE_COMPLETE') {
    throw new Error(`cdk bootstrap finished but ${TOOLKIT_STACK} is ${stack?.StackStatus ?? 'missing'}`);
  }
  await clients.s3.send(new HeadBucketCommand({ Bucket: assetsBucket(sandbox.region) }));
  return result;
}

export interface DeployOptions {
  /** Where cdk.json names the app (bin/app.ts). */
  readonly appDir: string;
  readonly context: Readonly<Record<string, string>>;
  readonly workDir: string;
}

function contextFlags(context: Readonly<Record<string, string>>): string[] {
  return Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

export async function deploy(sandbox: Sandbox, options: DeployOptions): Promise<RunResult> {
  return cdk(
    sandbox,
    [
      'deploy',
      '--all',
      '--require-approval',
      'never',
      '--output',
      join(options.workDir, 'cdk.out'),
      '--outputs-file',
      join(options.workDir, 'cdk-outputs.json'),
      ...contextFlags(options.context),
    ],
    { cwd: options.appDir, logPath: join(options.workDir, 'cdk-deploy.log') },
  );
}

export async function destroy(sandbox: Sandbox, options: DeployOptions): Promise<RunResult> {
  return cdk(
    sandbox,
    ['destroy', '--all', '--force', '--output', join(options.workDir, 'cdk.out'), ...contextFlags(options.context)],
    { cwd: options.appDir, logPath: join(options.workDir, 'cdk-destroy.log') },
  );
}

export async function describeStack(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** The stacks `cdk deploy` created: every stack but the bootstrap stack. */
export async function appStacks(cfn: CloudFormationClient): Promise<Stack[]> {
  const all = (await cfn.send(new DescribeStacksCommand({}))).Stacks ?? [];
  return all.filter((s) => s.StackName !== TOOLKIT_STACK && s.StackStatus !== 'DELETE_COMPLETE');
}
