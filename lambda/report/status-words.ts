/** Each status in plain words, for readers who do not know netrecon's field names (the README's status table). */
import type { NodeStatus } from '../core/model';

export interface StatusWords {
  /** A few words, for a badge or a legend. */
  readonly label: string;
  /** One sentence: what it means. */
  readonly meaning: string;
}

export const STATUS_WORDS: Readonly<Record<NodeStatus, StatusWords>> = {
  ok: { label: 'agrees', meaning: 'The three views agree within the thresholds.' },
  ec2Mismatch: { label: 'EC2 disagrees', meaning: "EC2 in+out and the ENIs' own counters differ by more than the threshold (default 10 % and 1 MiB)." },
  unexplainedResidual: {
    label: 'unexplained bytes',
    meaning: 'Container Insights differs from the sum of the interfaces it counts by more than the threshold: usually an interface the agent does not publish.',
  },
  missingAgent: { label: 'no agent data', meaning: 'The CloudWatch agent published no per-interface counters for the node in this period, so nothing can be corrected.' },
  missingEc2: { label: 'no EC2 data', meaning: 'EC2 has no NetworkIn/NetworkOut datapoint for the node in this period.' },
  missingContainerInsights: { label: 'no Container Insights data', meaning: 'Container Insights has no node_network_total_bytes datapoint for the node in this period.' },
  partialPeriod: {
    label: 'part of the period',
    meaning: 'The node ran for only part of the period, or a source covers only part of it; the figures are reported as is, never scaled up.',
  },
};
