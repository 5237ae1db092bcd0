/**
 * The account options of the live commands and their help, apart from live.ts so that `netrecon reconcile --from`
 * (a capture file) never loads the AWS SDK that live.ts needs (reconcile.ts imports the live path when it runs).
 */
export const LIVE_OPTIONS = {
  cluster: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  'node-filter': { type: 'string' },
  'source-profile': { type: 'string' },
} as const;

export const LIVE_HELP = `  --cluster NAME        the EKS cluster to read from the account (instances tagged eks:cluster-name=NAME)
  --region R            AWS region (default: the SDK's, e.g. AWS_REGION or the profile's)
  --profile P           named profile from the shared AWS config files
  --start T --end T     ISO 8601 times (e.g. 2026-03-01T10:00:00Z); whole periods inside [start, end) are used
                        (default: the last hour of closed periods, 10 minutes of lag for late data)
  --node-filter F       how nodes are found: tag:<key> (default tag:eks:cluster-name) or
                        tag-key:<key with {cluster}>, e.g. tag-key:kubernetes.io/cluster/{cluster}
  --source-profile S    which sources to reconcile with: agentless, enis, full or mixed (default mixed:
                        per node, the agent if it publishes, else EC2); see docs/profiles.md`;
