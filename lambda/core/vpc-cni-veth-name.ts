/**
 * The host-side veth name the Amazon VPC CNI gives a pod (docs/domain.md, "Interface names per CNI"). Bench, e2e,
 * the lab and the tests build VPC CNI nodes with it, so they name pod veths exactly as real nodes do, and the
 * default interface rules are tested against names the CNI would really produce.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_VPC_CNI_VETH_PREFIX } from './interface-rules';

/** Linux IFNAMSIZ is 16 bytes including the terminating NUL. */
export const MAX_INTERFACE_NAME_LENGTH = 15;

/**
 * The prefix and the first 11 hex digits of sha1("<namespace>.<pod>") (amazon-vpc-cni-k8s, `GeneratePodHostVethName`,
 * for a pod's first interface).
 */
export function vpcCniHostVethName(k8sNamespace: string, podName: string, prefix: string = DEFAULT_VPC_CNI_VETH_PREFIX): string {
  const digest = createHash('sha1').update(`${k8sNamespace}.${podName}`).digest('hex');
  const name = `${prefix}${digest.slice(0, 11)}`;
  if (name.length > MAX_INTERFACE_NAME_LENGTH) {
    throw new Error(`interface name ${JSON.stringify(name)} is longer than ${MAX_INTERFACE_NAME_LENGTH} characters; use a prefix of at most 4`);
  }
  return name;
}
