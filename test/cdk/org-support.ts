/**
 * The organization forms of the app (lib/org/org-app.ts), each synthesized once per worker and shared by the
 * CDK test files (the cdk project does not isolate modules). The StackSet form bundles the function for real:
 * its code stacks copy the bundled directory, and a skipped bundle would stage the whole repository instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildOrgApp } from '../../lib/org/org-app';

export const ADMIN_ACCOUNT = '123456789012';
export const MONITORING_ACCOUNT = '999999999999';
export const ORG_ID = 'o-a1b2c3d4e5';
export const CENTRAL_ROLE_ARN = `arn:aws:iam::${MONITORING_ACCOUNT}:role/NetReconCentral-Reconciler`;
export const SINKS = {
  'eu-west-1': `arn:aws:oam:eu-west-1:${MONITORING_ACCOUNT}:sink/abcd-1234`,
  'us-east-1': `arn:aws:oam:us-east-1:${MONITORING_ACCOUNT}:sink/efgh-5678`,
};
export const STACKSET_CONTEXT: Record<string, string> = {
  org: 'stackset',
  account: ADMIN_ACCOUNT,
  region: 'eu-west-1',
  organizationId: ORG_ID,
  ouIds: 'ou-ab12-cdef3456,ou-ab12-ghij7890',
  regions: 'eu-west-1,us-east-1',
  callAs: 'DELEGATED_ADMIN',
  clusterTag: 'netrecon=on',
  centralRoleArn: CENTRAL_ROLE_ARN,
  oamSinks: JSON.stringify(SINKS),
};
export const TARGETS = ['111122223333/prod', '111122223333/dev', '444455556666/prod'];
export const CENTRAL_CONTEXT: Record<string, string> = {
  org: 'central',
  account: MONITORING_ACCOUNT,
  region: 'eu-west-1',
  organizationId: ORG_ID,
  targets: TARGETS.join(','),
  sourceProfile: 'enis',
  alarmTopicArn: `arn:aws:sns:eu-west-1:${MONITORING_ACCOUNT}:oncall`,
};

export interface OrgApp {
  readonly app: App;
  readonly outdir: string;
  stack(path: string): Stack;
  template(path: string): Template;
}

/** Builds the app of `-c org=...` from this context, as bin/app.ts does. */
export function orgApp(context: Record<string, string>): OrgApp {
  const outdir = mkdtempSync(join(tmpdir(), 'netrecon-org-'));
  const app = new App({ outdir });
  buildOrgApp(app, (key) => context[key]);
  const stack = (path: string): Stack => app.node.findAll().find((c) => c.node.path === path) as Stack;
  const templates = new Map<string, Template>();
  return {
    app,
    outdir,
    stack,
    template(path) {
      if (!templates.has(path)) templates.set(path, Template.fromStack(stack(path)));
      return templates.get(path)!;
    },
  };
}

let stackSet: OrgApp | undefined;
let central: OrgApp | undefined;

export const TEMPLATE_PATH = 'StackSetTemplate/NetReconOrgTemplate';

/** The StackSet form with every option (source role, OAM links, delegated admin). */
export function stackSetApp(): OrgApp {
  stackSet ??= orgApp(STACKSET_CONTEXT);
  return stackSet;
}

export function centralApp(): OrgApp {
  central ??= orgApp(CENTRAL_CONTEXT);
  return central;
}
