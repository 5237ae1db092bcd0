/** cdk-nag (AwsSolutions and Serverless, as for the per-account stack in nag.test.ts) on every organization stack. */
import type { Stack } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { centralApp, orgApp, stackSetApp, STACKSET_CONTEXT, TEMPLATE_PATH, type OrgApp } from './org-support';

function findings(org: OrgApp, path: string): { rule: string; path: string | undefined }[] {
  const stack: Stack = org.stack(path);
  return [new AwsSolutionsChecks(org.app), new ServerlessChecks(org.app)].flatMap((pack) =>
    pack.validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath }))),
  );
}

/** Acknowledgments with their reasons, below a stack. */
function reasons(stack: Stack): string[] {
  return stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.values(m.data as Record<string, string>)));
}

describe('cdk-nag on the organization stacks', () => {
  it.each(['NetReconOrgStackSet', 'NetReconOrgCode-eu-west-1', 'NetReconOrgCode-us-east-1', TEMPLATE_PATH])('leaves no unacknowledged finding in %s', (path) => {
    expect(findings(stackSetApp(), path)).toEqual([]);
  });

  it('leaves no unacknowledged finding in the central view', () => {
    expect(findings(centralApp(), 'NetReconCentral')).toEqual([]);
  });

  it('leaves no unacknowledged finding in the stack tried in one account', () => {
    expect(findings(orgApp({ ...STACKSET_CONTEXT, org: 'try' }), 'NetReconOrgTry')).toEqual([]);
  });

  it('gives every acknowledgment a one-line reason', () => {
    const all = ['NetReconOrgCode-eu-west-1', TEMPLATE_PATH].flatMap((p) => reasons(stackSetApp().stack(p)));
    expect(all.length).toBeGreaterThan(0);
    for (const reason of all) expect(reason).toMatch(/^[^\n]{20,250}$/);
  });
});
