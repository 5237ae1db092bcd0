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
}
