import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { synthStack } from './support';

// The real stack with every optional resource present (email topic, per-node widgets).
const withEverything = { alarmEmail: 'oncall@example.com', perNodeMetrics: true };

type Synth = Pick<ReturnType<typeof synthStack>, 'app' | 'stack'>;

function findings({ app, stack }: Synth = synthStack(withEverything)): { rule: string; severity: string | undefined; path: string | undefined }[] {
  return [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
    pack.validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, severity: v.severity, path: r.constructPath }))),
  );
}

/** Every acknowledgment recorded in the construct tree: rule id, reason, and the construct it is on. */
function acknowledgments(root: IConstruct): { rule: string; reason: string; path: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ rule: id.replace(/^annotation::/i, ''), reason, path: c.node.path }))),
  );
}

describe('cdk-nag on the real stack', () => {
  // The stack as deployed, acknowledgments in place: synthesized once for the tests that only read it.
  let synth: Synth;
  beforeAll(() => {
    synth = synthStack(withEverything);
  });
  afterEach(() => vi.restoreAllMocks());

  it('leaves no unacknowledged AwsSolutions or Serverless finding, error or warning', () => {
    expect(findings(synth)).toEqual([]);
  });

  it('gives every acknowledgment a one-line reason', () => {
    const acks = acknowledgments(synth.stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason, ack.rule).toMatch(/^[^\n]{20,250}$/);
    }
  });

  it('acknowledges only findings that exist, on the construct that has them', () => {
    const acks = acknowledgments(synth.stack);
    // A second synthesis with acknowledge() made a no-op: the findings the acknowledgments silence.
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    const raw = findings();
    // Each acknowledgment must silence at least one real finding at or below its construct...
    for (const ack of acks) {
      expect(raw.some((f) => f.rule === ack.rule && (f.path === ack.path || (f.path ?? "").startsWith(`${ack.path}/`))), `${ack.rule} on ${ack.path}`).toBe(true);
    }
    // ...and every raw finding is one of the acknowledged ones.
    for (const f of raw) {
      expect(acks.some((a) => a.rule === f.rule && (f.path ?? "").startsWith(a.path)), `${f.rule} on ${f.path}`).toBe(true);
    }
  });
});
