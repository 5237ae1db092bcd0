/**
 * The read budget: how many GetMetricData datapoints one cluster's read may take in this invocation, and the cut
 * of the pending periods to it. A large cluster catching up after an outage then spreads the catch-up over several
 * runs instead of running into the function's timeout.
 */
import type { Context } from 'aws-lambda';
import { DEFAULT_QUOTAS, type Quotas } from './aws/api';
import type { PendingDecision } from './plan/pending-periods';

/**
 * The share of the time left that one cluster's metric read may plan for; the rest is discovery, reconciling and
 * publishing. The read is paced by the GetMetricData datapoints-per-second quota, so time becomes datapoints.
 */
export const READ_SHARE_OF_REMAINING_TIME = 0.5;

/**
 * The quotas a run paces to: the account's, with the GetMetricData datapoints-per-second quota cut to netrecon's
 * share of it (the `readQuotaShare` setting), so people's dashboards and alarms keep the rest. The read budget
 * below is computed from the same cut quota, so a run plans only what it can read at its share.
 */
export function readQuotas(quotas: Partial<Quotas> | undefined, readQuotaShare: number): Partial<Quotas> {
  const dps = quotas?.getMetricDataDps ?? DEFAULT_QUOTAS.getMetricDataDps;
  return { ...quotas, getMetricDataDps: dps * readQuotaShare };
}

/** Datapoints this cluster's read may take, from the invocation's time left; undefined outside Lambda. */
export function readBudgetDatapoints(context: Partial<Context> | undefined, quotas: Partial<Quotas> | undefined, clustersLeft: number): number | undefined {
  const remainingMs = context?.getRemainingTimeInMillis?.();
  if (remainingMs === undefined) return undefined;
  const dps = quotas?.getMetricDataDps ?? DEFAULT_QUOTAS.getMetricDataDps;
  return Math.floor((dps * (remainingMs / 1000) * READ_SHARE_OF_REMAINING_TIME) / Math.max(1, clustersLeft));
}

/** Cuts the decision's periods to what the read budget covers (at least one, so a run always progresses). */
export function withinBudget(decision: PendingDecision, pointsPerPeriod: number, budget: number): PendingDecision {
  const fits = Math.max(1, Math.floor(budget / Math.max(1, pointsPerPeriod)));
  if (decision.periods.length <= fits) return decision;
  return { ...decision, periods: decision.periods.slice(0, fits), deferred: decision.deferred + decision.periods.length - fits };
}
