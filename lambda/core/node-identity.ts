/**
 * Which node a period belongs to and when it lived. Its own file because both node-period.ts (which builds the
 * period) and status.ts (which assesses it) need it, and neither should import the other for it.
 */
export interface NodeIdentity {
  readonly instanceId: string;
  readonly nodeName: string | null;
  /** Epoch seconds. */
  readonly launchSeconds: number;
  /** Epoch seconds; +Infinity while running. */
  readonly endSeconds: number;
  readonly launchTime: string;
  readonly endTime: string | null;
  /**
   * `inventory`: launch and end come from DescribeInstances. `series`: the inventory no longer lists the node;
   * launch and end are unknown (-Infinity, +Infinity) and its series say in which periods it ran (CaptureNode.knownFrom).
   */
  readonly knownFrom: 'inventory' | 'series';
}
