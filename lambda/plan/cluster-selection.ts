/**
 * Which clusters a run covers when the `clusters` setting is `auto`: every EKS cluster eks:ListClusters returns in
 * the function's account and Region, narrowed by the optional `clusterTag` setting (`KEY=VALUE`: the tag has that
 * value; `KEY`: the tag is present, any value). Pure: lambda/aws/cluster-list.ts sends the requests and hands the
 * tags here. Why `auto` exists: one stack-set template fits every account and Region (docs/aws.md, "Clusters from
 * discovery").
 */
import { InvalidValueError } from '../core/errors';

/** The `clusters` value that asks for discovery instead of a list. */
export const AUTO_CLUSTERS = 'auto';

export interface ClusterTag {
  readonly key: string;
  /** Absent: any value, the key only has to be there. */
  readonly value?: string;
}

/** EKS tag limits (TagResource API reference): keys 1-128 characters, values at most 256. */
const MAX_TAG_KEY_CHARS = 128;
const MAX_TAG_VALUE_CHARS = 256;

const TAG_HINT = 'Write KEY=VALUE (clusters whose tag KEY has that value) or KEY (clusters that have the tag), e.g. netrecon=enabled; keys are 1-128 characters, values at most 256.';

/** `KEY=VALUE` or `KEY`; the empty text means no filter (null). Splits at the first `=`: keys hold no `=`, values may. */
export function parseClusterTag(text: string): ClusterTag | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const eq = trimmed.indexOf('=');
  const key = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim();
  if (key === '' || key.length > MAX_TAG_KEY_CHARS) throw new InvalidValueError('cluster tag filter', text, TAG_HINT);
  if (eq < 0) return { key };
  const value = trimmed.slice(eq + 1).trim();
  if (value.length > MAX_TAG_VALUE_CHARS) throw new InvalidValueError('cluster tag filter', text, TAG_HINT);
  return { key, value };
}

/** The filter as a person reads it in a log line or a summary. */
export function clusterTagText(tag: ClusterTag): string {
  return tag.value === undefined ? `tag key ${tag.key}` : `tag ${tag.key}=${tag.value}`;
}

/** Whether a cluster's tags (DescribeCluster's `tags`, absent when it has none) pass the filter. Tag keys are case-sensitive in AWS. */
export function clusterMatchesTag(tags: Readonly<Record<string, string>> | undefined, tag: ClusterTag): boolean {
  if (tags === undefined || !Object.prototype.hasOwnProperty.call(tags, tag.key)) return false;
  return tag.value === undefined || tags[tag.key] === tag.value;
}
