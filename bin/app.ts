/**
 * The CDK app: `npx cdk synth|deploy -c clusters=NAME[,NAME] [-c key=value ...]` (keys in docs/deploy.md, "Settings"),
 * or with `-c org=stackset|try|central` the organization forms (docs/organization.md).
 * User errors (a missing or bad setting) print one line and exit 1, without a stack trace.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AppContextError, readAppContext, unknownContextKeys } from '../lib/app-context';
import { NetReconPropsError } from '../lib/errors';
import { NetReconStack } from '../lib/netrecon-stack';
import { buildOrgApp } from '../lib/org/org-app';
import { build } from '../scripts/build';

// The function deploys the prebuilt bundle (dist/lambda/reconciler/, scripts/build.ts); this is the checkout's own
// app, so it rebuilds the bundle first when the sources changed since, and `cdk deploy` never ships a stale build.
await build({ targets: ['lambda'], ifStale: true });

const app = new App();
try {
  // Every key the app asks for, so that a key it never asked for (a misspelled setting) can be named.
  const read = new Set<string>();
  const get = (key: string): unknown => {
    read.add(key);
    return app.node.tryGetContext(key);
  };
  const config = readAppContext((key) => (key === 'clusters' && get('org') !== undefined ? 'auto' : get(key)));
  // `-c org=stackset|try|central`: the organization forms (docs/organization.md) instead of the one stack.
  if (get('org') !== undefined) buildOrgApp(app, get);
  else new NetReconStack(app, config.stackName, { ...(config.env ? { env: config.env } : {}), reconciler: config.reconciler, alarmTopicArn: config.alarmTopicArn });
  for (const { key, nearest } of unknownContextKeys(Object.keys(app.node.getAllContext() as object), read)) {
    console.error(`netrecon: warning: context "${key}" is not a setting of this app and is ignored${nearest === undefined ? '' : `; did you mean "${nearest}"?`} (settings: docs/deploy.md)`);
  }
  if (config.nag) {
    // Only loaded on request: cdk-nag is a development dependency.
    const { AwsSolutionsChecks, ServerlessChecks } = await import('cdk-nag');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }
  app.synth();
} catch (error) {
  if (!(error instanceof AppContextError || error instanceof NetReconPropsError)) throw error;
  console.error(`netrecon: ${error.message}`);
  process.exitCode = 1;
}
