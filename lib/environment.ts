/**
 * The function's environment, built from the resolved settings with the names of lambda/runtime-config.ts.
 * Every variable is set, defaults included, so what runs is what the template says.
 */
import { ENV } from '../lambda/runtime-config';
import { NetReconPropsError } from './errors';
import type { ReconcilerSettings } from './props';

/** Lambda refuses a function whose environment variables exceed 4 KB in total. */
const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

/** Node applies the bundle's source maps to stack traces only with this flag (the bundle is minified). */
export const NODE_OPTIONS = '--enable-source-maps';

export function reconcilerEnvironment(settings: ReconcilerSettings): Record<string, string> {
  const { sources } = settings;
  const environment: Record<string, string> = {
    [ENV.clusters]: settings.clusters.join(','),
    [ENV.periodSeconds]: String(settings.periodSeconds),
    [ENV.lagSeconds]: String(settings.lagSeconds),
    [ENV.backfillSeconds]: String(settings.backfillSeconds),
    [ENV.maxPeriodsPerRun]: String(settings.maxPeriodsPerRun),
    [ENV.minPendingPeriods]: String(settings.periodsPerRead),
    [ENV.outputNamespace]: settings.outputNamespace,
    [ENV.perNodeMetrics]: String(settings.perNodeMetrics),
    [ENV.nodeFilter]: settings.nodeFilter,
    [ENV.ec2Namespace]: sources.ec2Namespace,
    [ENV.ec2InMetric]: sources.ec2InMetric,
    [ENV.ec2OutMetric]: sources.ec2OutMetric,
    [ENV.containerInsightsNamespace]: sources.containerInsightsNamespace,
    [ENV.containerInsightsMetric]: sources.containerInsightsMetric,
    [ENV.agentNamespace]: sources.agentNamespace,
    [ENV.agentRxMetric]: sources.agentRxMetric,
    [ENV.agentTxMetric]: sources.agentTxMetric,
    [ENV.agentInterfaceDimension]: sources.agentInterfaceDimension,
    [ENV.agentInstanceDimension]: sources.agentInstanceDimension,
    [ENV.thresholds]: JSON.stringify(settings.thresholds),
    [ENV.interfaceRules]: JSON.stringify(settings.interfaceRules),
    NODE_OPTIONS,
  };
  const bytes = Object.entries(environment).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes > LAMBDA_ENVIRONMENT_MAX_BYTES) {
    throw new NetReconPropsError(
      'interfaceRules',
      `${bytes} bytes of environment`,
      `Lambda allows ${LAMBDA_ENVIRONMENT_MAX_BYTES} bytes of environment variables in total; shorten the prepended rules' notes and patterns, or the cluster list.`,
    );
  }
  return environment;
}
