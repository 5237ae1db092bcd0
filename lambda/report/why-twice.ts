/**
 * The two sentences that explain why Container Insights reads about twice EC2 on VPC CNI nodes, shared by the
 * CloudWatch dashboard (lib/dashboard.ts) and the HTML report. Markdown: `code` spans only.
 */
export const WHY_TWICE_TITLE = 'Why Container Insights reads about twice EC2';

export const WHY_TWICE_SENTENCES: readonly string[] = [
  'On VPC CNI nodes a pod\'s traffic crosses the node\'s ENI (`eth0`, `ens5`) and then the pod\'s host-side veth (`eni…`), and Container Insights sums every interface except `lo`, `veth*` and `docker*`, so that traffic is counted twice (and same-node pod-to-pod traffic, which EC2 never sees, is counted on both veths).',
  'EC2 `NetworkIn`/`NetworkOut` count the ENIs only: netrecon\'s corrected physical traffic should match EC2, and Container Insights minus it is the double-counted bytes.',
];
