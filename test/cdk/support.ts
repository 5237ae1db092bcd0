/** Shared helpers for the CDK tests: synthesize the real stack once per file and read what it produced. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NetReconStack, type NetReconStackProps } from '../../lib/netrecon-stack';
import type { NetworkReconcilerProps } from '../../lib/props';

export interface Synthesized {
  readonly app: App;
  readonly stack: NetReconStack;
  readonly template: Template;
}

export interface SynthOptions {
  readonly stackName?: string;
  readonly alarmTopicArn?: string;
  readonly outdir?: string;
}

export function synthStack(reconciler: Partial<NetworkReconcilerProps> = {}, options: SynthOptions = {}): Synthesized {
  // The function's code is the prebuilt bundle (dist/lambda/reconciler/): synthesis stages it, nothing is bundled.
  const app = new App(options.outdir === undefined ? {} : { outdir: options.outdir });
  const props: NetReconStackProps = {
    reconciler: { clusters: ['demo'], ...reconciler },
    alarmTopicArn: options.alarmTopicArn,
  };
  const stack = new NetReconStack(app, options.stackName ?? 'NetRecon', props);
  return { app, stack, template: Template.fromStack(stack) };
}

/** Resources of one type, keyed by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

/** The one resource of a type, failing loudly when there are none or several. */
export function onlyResource(template: Template, type: string): { id: string; props: Record<string, any> } {
  const entries = Object.entries(resourcesOfType(template, type));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  const [id, resource] = entries[0]!;
  return { id, props: resource.Properties };
}

/**
 * A CloudFormation value with intrinsics flattened to readable placeholders (`{Ref:X}`, `{GetAtt:X.Arn}`), so a
 * Fn::Join'ed JSON document such as a dashboard body can be parsed.
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, any>;
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
    if ('Ref' in v) return `{Ref:${v.Ref}}`;
    if ('Fn::GetAtt' in v) return `{GetAtt:${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  }
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

/** Hex runs this long are content hashes (CDK asset hashes are 64 hex characters), not identifiers. */
const HASH = /[0-9a-f]{32,}/gi;
/** An AWS account id: exactly 12 digits, not part of a longer number. */
const ACCOUNT_ID = /(?<![0-9])[0-9]{12}(?![0-9])/g;

/**
 * Account ids written into a template (an environment-agnostic stack has none). Asset hashes are left out first:
 * a 64-character hash holds a run of 12 digits now and then, which made a plain /\d{12}/ check fail by chance.
 */
export function accountIdsIn(template: unknown): string[] {
  return JSON.stringify(template).replace(HASH, '').match(ACCOUNT_ID) ?? [];
}
