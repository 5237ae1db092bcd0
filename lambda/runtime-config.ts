/**
 * The Lambda's configuration contract: environment variable names and defaults. The CDK construct (lib/) sets
 * exactly these; the handler parses and validates them once, at cold start.
 * (Parsing and validation live with the handler; this file only names the contract.)
 */
export const ENV = {
  /** Required. Comma-separated EKS cluster names; one run reconciles them all, one after the other. */
  clusters: 'NETRECON_CLUSTERS',
  /** Reconciliation period in seconds, a multiple of 60. Default 300. */
  periodSeconds: 'NETRECON_PERIOD_SECONDS',
  /** Only periods that closed at least this long ago are read (late data). Default 600. */
  lagSeconds: 'NETRECON_LAG_SECONDS',
  /** How far back a run looks for missed periods. Default 86400 (24 h). */
  backfillSeconds: 'NETRECON_BACKFILL_SECONDS',
  /** At most this many periods per cluster and run (the rest wait for the next run). Default 288. */
  maxPeriodsPerRun: 'NETRECON_MAX_PERIODS_PER_RUN',
  /**
   * Periods per read: a scheduled run reads metrics only once at least this many closed periods are pending
   * (or the oldest pending one is about to leave the backfill window); the runs in between only check the
   * ledger and beat the heartbeat. GetMetricData bills per metric requested whatever the time range, so the
   * read cost falls by this factor while freshness worsens by (this - 1) periods. Default 12 (hourly reads of
   * 5-minute periods). 1 reads every closed period as soon as it is past the lag.
   */
  minPendingPeriods: 'NETRECON_MIN_PENDING_PERIODS',
  /** Output namespace. Default NetRecon. */
  outputNamespace: 'NETRECON_OUTPUT_NAMESPACE',
  /** "true" to also publish per-node metrics (each is a paid custom metric). Default false. */
  perNodeMetrics: 'NETRECON_PER_NODE_METRICS',
  /**
   * How nodes are found. `tag:eks:cluster-name` (default): instances whose tag eks:cluster-name equals the
   * cluster name. `tag-key:kubernetes.io/cluster/{cluster}`: instances that have that tag key, {cluster}
   * replaced by the cluster name.
   */
  nodeFilter: 'NETRECON_NODE_FILTER',
  ec2Namespace: 'NETRECON_EC2_NAMESPACE',
  ec2InMetric: 'NETRECON_EC2_IN_METRIC',
  ec2OutMetric: 'NETRECON_EC2_OUT_METRIC',
  containerInsightsNamespace: 'NETRECON_CI_NAMESPACE',
  containerInsightsMetric: 'NETRECON_CI_METRIC',
  agentNamespace: 'NETRECON_AGENT_NAMESPACE',
  agentRxMetric: 'NETRECON_AGENT_RX_METRIC',
  agentTxMetric: 'NETRECON_AGENT_TX_METRIC',
  agentInterfaceDimension: 'NETRECON_AGENT_INTERFACE_DIMENSION',
  agentInstanceDimension: 'NETRECON_AGENT_INSTANCE_DIMENSION',
  /** JSON object with any of the Thresholds fields of lambda/core/config.ts. */
  thresholds: 'NETRECON_THRESHOLDS',
  /** JSON InterfaceRuleOverrides (lambda/core/interface-rules.ts): { "prepend": [...], "vpcCniVethPrefix": "eni" }. */
  interfaceRules: 'NETRECON_INTERFACE_RULES',
} as const;

export const SOURCE_DEFAULTS = {
  ec2Namespace: 'AWS/EC2',
  ec2InMetric: 'NetworkIn',
  ec2OutMetric: 'NetworkOut',
  containerInsightsNamespace: 'ContainerInsights',
  containerInsightsMetric: 'node_network_total_bytes',
  agentNamespace: 'CWAgent',
  agentRxMetric: 'net_bytes_recv',
  agentTxMetric: 'net_bytes_sent',
  agentInterfaceDimension: 'interface',
  agentInstanceDimension: 'InstanceId',
} as const;

export const RUN_DEFAULTS = {
  lagSeconds: 600,
  backfillSeconds: 86_400,
  maxPeriodsPerRun: 288,
  minPendingPeriods: 12,
  nodeFilter: 'tag:eks:cluster-name',
} as const;
