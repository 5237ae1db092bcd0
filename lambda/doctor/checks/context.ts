/** What every doctor check receives, and the small helpers they share. Pure. */
import { clusterCapabilities, type SourceProfile } from '../../core/source-profile';
import type { AgentView } from '../agent-view';
import type { AgentTarget } from '../fixes';
import type { Check, CheckCode, CheckFix, DoctorObservations, Severity } from '../model';

export interface CheckContext {
  readonly obs: DoctorObservations;
  readonly agent: AgentView;
  /** The profile the checks judge against: `--source-profile` if given, else the recommended one. */
  readonly judged: SourceProfile;
  /** Where an agent fix is applied: the add-on when Container Insights runs (it comes with the add-on), else the instance. */
  readonly agentTarget: AgentTarget;
}

/** A datapoint older than this is stale: the contract's "no datapoint in the last 15 minutes". */
export const FRESH_SECONDS = 15 * 60;

export function check(code: CheckCode, severity: Severity, summary: string, instanceIds: Iterable<string> = [], fix?: CheckFix): Check {
  return { code, severity, summary, instanceIds: [...instanceIds].sort(), ...(fix ? { fix } : {}) };
}

/**
 * A broken agent fails where the judged profile reads the agent (its figures would be wrong, and the last hour's
 * reconcile shows it); under agentless nothing reads it: a warning, it is paid for.
 */
export function agentDefectSeverity(ctx: Pick<CheckContext, 'judged'>): Severity {
  return clusterCapabilities(ctx.judged).readsAgent ? 'fail' : 'warn';
}

/** `n node(s)` in words. */
export const nodesText = (n: number): string => `${n.toLocaleString('en-US')} node${n === 1 ? '' : 's'}`;

const SINGULAR: Readonly<Record<string, string>> = { match: 'matches', have: 'has', carry: 'carries', publish: 'publishes', do: 'does' };

/** `1 node has`, `3 nodes have`: a count of nodes with its verb agreeing. */
export const nodesVerb = (n: number, verb: 'match' | 'have' | 'carry' | 'publish' | 'do'): string => `${nodesText(n)} ${n === 1 ? SINGULAR[verb] : verb}`;
