/**
 * The deployed artifact: the code zip `cdk deploy` uploaded (its bucket and key read from the deployed
 * template), checked against the function's CodeSha256, unzipped into a directory outside the repository,
 * and invoked under Node with the function's own handler and environment (GetFunctionConfiguration) plus the
 * emulator's endpoint and dummy credentials, as the Lambda runtime would.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import type { StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { run, runProcess } from './proc';
import type { TemplateResources } from './resources';
import { E2E_DIR, REPO_DIR, ACCOUNT, type Sandbox } from './sandbox';

export interface DeployedFunction {
  readonly stackName: string;
  readonly logicalId: string;
  readonly configuration: FunctionConfiguration;
  readonly codeBucket: string;
  readonly codeKey: string;
  readonly zipPath: string;
  readonly zipBytes: number;
  /** Where the zip was unzipped: LAMBDA_TASK_ROOT. */
  readonly taskRoot: string;
  readonly files: readonly string[];
}

/** Resolves the few intrinsic shapes CDK's default synthesizer uses for an asset bucket name. */
function resolveBucket(value: unknown, region: string): string {
  if (typeof value === 'string') return value;
  const sub = (value as { 'Fn::Sub'?: unknown })?.['Fn::Sub'];
  if (typeof sub === 'string') {
    return sub.replaceAll('${AWS::AccountId}', ACCOUNT).replaceAll('${AWS::Region}', region).replaceAll('${AWS::Partition}', 'aws');
  }
  throw new Error(`Cannot resolve the code bucket ${JSON.stringify(value)} of the deployed template`);
}

export interface FindOptions {
  readonly stackName: string;
  /** The stack's resources and its deployed template, as the deploy steps already fetched them. */
  readonly resources: readonly StackResourceSummary[];
  readonly template: TemplateResources;
  /** Picks netrecon's function among the stack's functions (e.g. the one whose environment names the clusters). */
  readonly isTarget: (configuration: FunctionConfiguration) => boolean;
  readonly workDir: string;
}

export async function fetchDeployedFunction(sandbox: Sandbox, clients: { lambda: LambdaClient; s3: S3Client }, options: FindOptions): Promise<DeployedFunction> {
  const functions = options.resources.filter((r) => r.ResourceType === 'AWS::Lambda::Function');
  const configurations = await Promise.all(
    functions.map(async (f) => ({
      logicalId: f.LogicalResourceId!,
      configuration: await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: f.PhysicalResourceId! })),
    })),
  );
  const targets = configurations.filter((c) => options.isTarget(c.configuration));
  if (targets.length !== 1) {
    throw new Error(
      `Expected exactly one target function in stack ${options.stackName}, found ${targets.length} among ${configurations.map((c) => c.logicalId).join(', ') || 'none'}`,
    );
  }
  const { logicalId, configuration } = targets[0]!;

  const code = options.template[logicalId]?.Properties?.Code as { S3Bucket?: unknown; S3Key?: unknown } | undefined;
  if (!code?.S3Key) throw new Error(`The deployed template's ${logicalId} has no Code.S3Key: ${JSON.stringify(code)}`);
  const codeBucket = resolveBucket(code.S3Bucket, sandbox.region);
  const codeKey = String(code.S3Key);

  const object = await clients.s3.send(new GetObjectCommand({ Bucket: codeBucket, Key: codeKey }));
  const zip = Buffer.from(await object.Body!.transformToByteArray());
  const sha = createHash('sha256').update(zip).digest('base64');
  if (configuration.CodeSha256 && sha !== configuration.CodeSha256) {
    throw new Error(`s3://${codeBucket}/${codeKey} (sha256 ${sha}) is not the function's code (CodeSha256 ${configuration.CodeSha256})`);
  }

  // Outside the repository, so the bundle cannot resolve the repository's node_modules by walking up.
  const runtimeDir = join(options.workDir, 'lambda-runtime');
  const taskRoot = join(runtimeDir, 'task');
  mkdirSync(taskRoot, { recursive: true });
  const zipPath = join(options.workDir, `${logicalId}.zip`);
  writeFileSync(zipPath, zip);
  await run('python3', ['-m', 'zipfile', '-e', zipPath, taskRoot]);
  provideRuntimeSdk(runtimeDir);
  return {
    stackName: options.stackName,
    logicalId,
    configuration,
    codeBucket,
    codeKey,
    zipPath,
    zipBytes: zip.length,
    taskRoot,
    files: readdirSync(taskRoot).sort(),
  };
}

/**
 * The nodejs22.x runtime provides the AWS SDK v3 (`@aws-sdk/*`), which NodejsFunction leaves out of the bundle
 * by default. This provides the repository's copy at the same place relative to the task, and nothing else: a
 * bundle that forgot any other dependency fails here as it would in Lambda.
 */
function provideRuntimeSdk(runtimeDir: string): void {
  for (let dir = dirname(runtimeDir); dir !== parse(dir).root; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      throw new Error(`${join(dir, 'node_modules')} exists above the unzipped bundle: it would hide missing dependencies. Use a work dir elsewhere.`);
    }
  }
  const modules = join(runtimeDir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  if (!existsSync(join(modules, '@aws-sdk'))) symlinkSync(join(REPO_DIR, 'node_modules', '@aws-sdk'), join(modules, '@aws-sdk'), 'dir');
}

export interface Invocation {
  readonly ok: boolean;
  readonly ms: number;
  readonly result?: unknown;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

export interface InvokeResult {
  readonly initMs: number;
  readonly invocations: readonly Invocation[];
  readonly logPath: string;
  /** The process was killed (only with `allowKill`); `invocations` holds those that finished before. */
  readonly killed?: boolean;
}

export interface InvokeOptions {
  readonly workDir: string;
  readonly label: string;
  readonly invocations?: number;
  /** Another endpoint than the emulator's (the fault proxy); the sandbox's network guard still applies. */
  readonly endpoint?: string;
  /** Variables that win over the function's own (another output namespace, a shorter wait). */
  readonly env?: Readonly<Record<string, string>>;
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Runs before each warm invocation after the first (lambda-runner.mjs's gate). */
  readonly beforeWarm?: (invocation: number) => Promise<void>;
  /** A process killed by a signal is an outcome, not an error. */
  readonly allowKill?: boolean;
}

/** Runs the handler in a fresh Node process (a cold start); `invocations` > 1 reuses it (warm). */
export async function invokeDeployed(sandbox: Sandbox, fn: DeployedFunction, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
  const c = fn.configuration;
  const eventFile = join(options.workDir, `${options.label}.event.json`);
  const resultFile = join(options.workDir, `${options.label}.result.json`);
  const logPath = join(options.workDir, `${options.label}.log`);
  writeFileSync(eventFile, JSON.stringify(event));
  const functionEnv = c.Environment?.Variables ?? {};
  const env: Record<string, string> = {
    ...sandbox.env,
    ...functionEnv,
    // The runtime's reserved variables (Lambda developer guide, "Defined runtime environment variables").
    AWS_LAMBDA_FUNCTION_NAME: c.FunctionName!,
    AWS_LAMBDA_FUNCTION_VERSION: c.Version ?? '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.MemorySize ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${c.FunctionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `e2e/${options.label}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${c.Runtime ?? 'nodejs'}`,
    LAMBDA_TASK_ROOT: fn.taskRoot,
    _HANDLER: c.Handler!,
    TZ: ':UTC',
    NETRECON_E2E_TIMEOUT_SECONDS: String(c.Timeout ?? 3),
    NETRECON_E2E_FUNCTION_ARN: c.FunctionArn ?? '',
    // The emulator, not AWS: these win over anything of the same name in the function's environment.
    AWS_ENDPOINT_URL: sandbox.endpoint,
    AWS_REGION: sandbox.region,
    AWS_DEFAULT_REGION: sandbox.region,
    AWS_ACCESS_KEY_ID: sandbox.env.AWS_ACCESS_KEY_ID!,
    AWS_SECRET_ACCESS_KEY: sandbox.env.AWS_SECRET_ACCESS_KEY!,
    NODE_OPTIONS: [sandbox.env.NODE_OPTIONS, functionEnv.NODE_OPTIONS].filter(Boolean).join(' '),
    ...(options.endpoint ? { AWS_ENDPOINT_URL: options.endpoint } : {}),
    ...options.env,
  };
  const gate = options.beforeWarm ? join(options.workDir, `${options.label}.gate`) : undefined;
  if (gate) env.NETRECON_E2E_GATE = gate;
  const args = [join(E2E_DIR, 'lambda-runner.mjs'), eventFile, resultFile, String(options.invocations ?? 1)];
  let exited = false;
  const process_ = runProcess(process.execPath, args, {
    env,
    cwd: fn.taskRoot,
    logPath,
    allowFailure: options.allowKill ?? false,
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  }).finally(() => (exited = true));
  if (gate) await openGates(gate, options.invocations ?? 1, options.beforeWarm!, () => exited);
  const ran = await process_;
  const killed = ran.code !== 0;
  if (killed && !existsSync(resultFile)) return { initMs: NaN, invocations: [], logPath, killed };
  const entries = JSON.parse(readFileSync(resultFile, 'utf8')) as (Invocation & { phase: string })[];
  const init = entries.find((e) => e.phase === 'init')!;
  if ((init as { ok?: boolean }).ok === false) throw new Error(`The bundle did not load: ${init.errorMessage}`);
  return { initMs: init.ms, invocations: entries.filter((e) => e.phase === 'invoke'), logPath, ...(killed ? { killed } : {}) };
}

/** Waits for the runner at each gate, runs `beforeWarm`, then lets it go on; stops early if the process ended. */
async function openGates(gate: string, invocations: number, beforeWarm: (i: number) => Promise<void>, exited: () => boolean): Promise<void> {
  for (let i = 1; i < invocations; i += 1) {
    while (!existsSync(`${gate}.${i}.ready`)) {
      if (exited()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    try {
      await beforeWarm(i);
    } finally {
      // Even when the harness's own step failed: a runner left waiting would hang the suite.
      writeFileSync(`${gate}.${i}.go`, '');
    }
  }
}
