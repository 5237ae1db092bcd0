/**
 * How long each alarm looks back, derived from when netrecon's data can possibly be there. Pure arithmetic, so
 * the reasoning is testable without synthesizing anything.
 *
 * The reconciler's datapoints are late by design: a period is timestamped at its start, read only once it closed
 * `lagSeconds` ago, and (to cut GetMetricData cost, which counts metrics requested, not datapoints) only when
 * `periodsPerRead` periods are pending. Just before a read, the newest period in CloudWatch therefore started
 * up to lag + (periodsPerRead + 1) x period + one schedule interval (the run's start) + one more (the run
 * itself and ingestion) ago: 600 + 13 x 300 + 2 x 300 = 5,100 s = 17 periods with the defaults. A data alarm's
 * evaluation window is that many periods plus 2 x M, so at every evaluation at least 2 x M emitted periods are
 * in it and an M-period problem cannot slip between two reads.
 */
import { NetReconPropsError } from './errors';

/** CloudWatch refuses alarms whose EvaluationPeriods x Period exceeds one day. */
const MAX_ALARM_WINDOW_SECONDS = 86_400;

export interface AlarmWindowInputs {
  readonly periodSeconds: number;
  readonly lagSeconds: number;
  readonly periodsPerRead: number;
  readonly scheduleMinutes: number;
  readonly timeoutSeconds: number;
  /** M of the data alarms. */
  readonly alarmDatapoints: number;
}

export interface AlarmWindows {
  /** Worst-case age of the newest emitted period's start, in periods. */
  readonly latePeriods: number;
  /** N of the data alarms (discrepancy, coverage, residual); their period is the reconciliation period. */
  readonly dataEvaluationPeriods: number;
  /** Heartbeat alarm period: one schedule interval, so each period should hold one run's heartbeat. */
  readonly heartbeatPeriodSeconds: number;
  /** N = M of the heartbeat alarm: a run may legitimately take up to the timeout, so only timeout + 2 intervals of silence alarm. */
  readonly heartbeatEvaluationPeriods: number;
  /** Function errors: 2 of 3 intervals, so one failure that Lambda's retry then fixes does not page. */
  readonly errorsPeriodSeconds: number;
  readonly errorsEvaluationPeriods: number;
  readonly errorsDatapoints: number;
}

export function alarmWindows(input: AlarmWindowInputs): AlarmWindows {
  const { periodSeconds, lagSeconds, periodsPerRead, scheduleMinutes, timeoutSeconds, alarmDatapoints } = input;
  const scheduleIntervalSeconds = scheduleMinutes * 60;
  const heartbeatEvaluationPeriods = Math.ceil((timeoutSeconds + 2 * scheduleIntervalSeconds) / scheduleIntervalSeconds);
  if (heartbeatEvaluationPeriods * scheduleIntervalSeconds > MAX_ALARM_WINDOW_SECONDS) {
    throw new NetReconPropsError(
      'scheduleMinutes',
      scheduleMinutes,
      `The heartbeat alarm must wait ${heartbeatEvaluationPeriods} intervals (the timeout plus two runs) and CloudWatch allows at most one day: use at most 8 hours.`,
    );
  }
  const lateSeconds = lagSeconds + (periodsPerRead + 1) * periodSeconds + 2 * scheduleIntervalSeconds;
  const latePeriods = Math.ceil(lateSeconds / periodSeconds);
  const dataEvaluationPeriods = latePeriods + 2 * alarmDatapoints;
  if (dataEvaluationPeriods * periodSeconds > MAX_ALARM_WINDOW_SECONDS) {
    throw new NetReconPropsError(
      'periodsPerRead',
      periodsPerRead,
      `The data alarms must look back ${dataEvaluationPeriods} periods of ${periodSeconds} s (data up to ${latePeriods} periods late, plus 2 x alarmDatapoints) ` +
        'and CloudWatch allows at most one day: lower periodsPerRead, lagSeconds, scheduleMinutes, alarmDatapoints or periodSeconds.',
    );
  }
  return {
    latePeriods,
    dataEvaluationPeriods,
    heartbeatPeriodSeconds: scheduleIntervalSeconds,
    heartbeatEvaluationPeriods,
    errorsPeriodSeconds: scheduleIntervalSeconds,
    errorsEvaluationPeriods: 3,
    errorsDatapoints: 2,
  };
}
