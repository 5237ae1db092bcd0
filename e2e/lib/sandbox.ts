/**
 * The environment every AWS caller of the suite runs in: the harness's own SDK clients, the CDK CLI, the
 * deployed bundle and the netrecon CLI. Dummy credentials, the emulator as the only endpoint, no profile,
 * no config file, no instance metadata, and the loopback-only network guard preloaded into every Node process.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REGION = 'us-east-1';
/** moto's default account: STS GetCallerIdentity answers it for any credentials. */
export const ACCOUNT = '123456789012';
export const DUMMY_CREDENTIALS = { accessKeyId: 'e2e-dummy-access-key', secretAccessKey: 'e2e-dummy-secret-key' } as const;

export const E2E_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const REPO_DIR = resolve(E2E_DIR, '..');
export const NET_GUARD = join(E2E_DIR, 'net-guard.cjs');

/** Variables that could point an SDK or the CDK CLI at a real account or endpoint. */
const CREDENTIAL_SOURCES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_USE_FIPS_ENDPOINT',
  'AWS_USE_DUALSTACK_ENDPOINT',
];

export interface Sandbox {
  readonly endpoint: string;
  readonly region: string;
  /** Complete environment for child processes (not merged with the harness's). */
  readonly env: Readonly<Record<string, string>>;
  /** Where net-guard.cjs records refused connections. */
  readonly netLogPath: string;
}

/**
 * Builds the child-process environment from the harness's own, minus every AWS/CDK variable, plus the
 * emulator settings. `workDir` holds the empty config files and the guard's log.
 */
export function makeSandbox(endpoint: string, workDir: string): Sandbox {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    // Service-specific endpoints (AWS_ENDPOINT_URL_S3, ...) would override ours; CDK_* could select a real account.
    if (name.startsWith('AWS_') || name.startsWith('CDK_') || name === 'NODE_OPTIONS') continue;
    env[name] = value;
  }
  const emptyConfig = join(workDir, 'aws-config-empty');
  writeFileSync(emptyConfig, '');
  const netLogPath = join(workDir, 'refused-connections.log');
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: emptyConfig,
    AWS_SHARED_CREDENTIALS_FILE: emptyConfig,
    AWS_EC2_METADATA_DISABLED: 'true',
    // The CDK CLI: no telemetry, no version check, no notices download (also passed as --no-notices).
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: '1',
    // The SDK warns once per process that its 2027 releases will need Node 22; this machine runs Node 20 on
    // purpose (the guide's toolchain), and the warning would bury the suite's own output.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NETRECON_E2E_NET_LOG: netLogPath,
    NODE_OPTIONS: `--require ${NET_GUARD}`,
  });
  assertSandboxed(env, endpoint);
  return { endpoint, region: REGION, env, netLogPath };
}

/** Refuses to go on if the environment could still reach a real account. */
export function assertSandboxed(env: Readonly<Record<string, string | undefined>>, endpoint: string): void {
  const leaks = CREDENTIAL_SOURCES.filter((name) => env[name] !== undefined);
  const endpointVars = Object.keys(env).filter((name) => name.startsWith('AWS_ENDPOINT_URL_'));
  const problems = [
    ...leaks.map((name) => `${name} is set`),
    ...endpointVars.map((name) => `${name} overrides AWS_ENDPOINT_URL`),
    ...(env.AWS_ENDPOINT_URL === endpoint ? [] : [`AWS_ENDPOINT_URL is ${env.AWS_ENDPOINT_URL}, not ${endpoint}`]),
    ...(/^http:\/\/localhost:\d+$/.test(endpoint) ? [] : [`the endpoint ${endpoint} is not http://localhost:PORT`]),
    ...(env.AWS_EC2_METADATA_DISABLED === 'true' ? [] : ['AWS_EC2_METADATA_DISABLED is not true']),
    ...(existsSync(NET_GUARD) ? [] : [`the network guard ${NET_GUARD} is missing`]),
  ];
  if (problems.length > 0) {
    throw new Error(`The e2e environment is not sandboxed: ${problems.join('; ')}. Nothing was run against AWS.`);
  }
}

/** The settings the harness's own SDK clients use (explicit, so they never read the harness's environment). */
export function clientConfig(sandbox: Sandbox) {
  return {
    region: sandbox.region,
    endpoint: sandbox.endpoint,
    credentials: DUMMY_CREDENTIALS,
    // moto answers path-style S3 on localhost; virtual-hosted names would need DNS for bucket.localhost.
    forcePathStyle: true,
    maxAttempts: 2,
  };
}
