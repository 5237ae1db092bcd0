/**
 * The node inventory: the cluster's EC2 instances that were running at any time in the window, from
 * DescribeInstances (paginated, filtered by the cluster tag). A node that joined or left inside the window keeps
 * its launch or end time, so the core marks those periods partial instead of blaming a missing agent.
 */
import { DescribeInstancesCommand, type Filter, type Instance } from '@aws-sdk/client-ec2';
import type { CaptureNode } from '../capture/capture';
import type { SkippedItem } from '../core/model';
import { epochSecondsOf } from '../core/units';
import { callAwsOrFail, sendOptions, type AwsRuntime } from './api';
import { DESCRIBE_INSTANCES_MAX_RESULTS } from '../plan/limits';
import { NetReconError } from '../core/errors';

/** How nodes are recognised: `tag:<key>` (tag value = cluster name) or `tag-key:<key with {cluster}>`. */
export type NodeFilter = { readonly kind: 'tag'; readonly key: string } | { readonly kind: 'tagKey'; readonly keyTemplate: string };

export class NodeFilterError extends NetReconError {
  constructor(value: string) {
    super(
      `node filter ${JSON.stringify(value)} is not understood. Use "tag:<key>" (instances whose tag <key> equals the ` +
        `cluster name, e.g. tag:eks:cluster-name) or "tag-key:<key>" (instances that have the tag key; {cluster} is ` +
        `replaced by the cluster name, e.g. tag-key:kubernetes.io/cluster/{cluster}).`,
      { value },
    );
    this.name = 'NodeFilterError';
  }
}

export function parseNodeFilter(spec: string): NodeFilter {
  const tagKey = /^tag-key:(.+)$/.exec(spec);
  if (tagKey) return { kind: 'tagKey', keyTemplate: tagKey[1]! };
  const tag = /^tag:(.+)$/.exec(spec);
  if (tag) return { kind: 'tag', key: tag[1]! };
  throw new NodeFilterError(spec);
}

export function ec2Filters(filter: NodeFilter, cluster: string): Filter[] {
  return filter.kind === 'tag'
    ? [{ Name: `tag:${filter.key}`, Values: [cluster] }]
    : [{ Name: 'tag-key', Values: [filter.keyTemplate.replaceAll('{cluster}', cluster)] }];
}

/** "User initiated (2024-05-01 10:20:30 GMT)" -> ISO 8601; EC2 states the stop time only in this text. */
export function endTimeFromTransitionReason(reason: string | undefined): string | undefined {
  const m = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(reason ?? '');
  return m ? `${m[1]}T${m[2]}.000Z` : undefined;
}

const STOPPED_STATES = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

export interface InventoryResult {
  readonly nodes: CaptureNode[];
  readonly skipped: SkippedItem[];
  /** Instances DescribeInstances matched with the filter, in any state and at any time (0: the filter found nothing). */
  readonly matched: number;
  /** The ids of those instances, skipped ones included: what the inventory knows of, whether or not it ran in the window. */
  readonly listed: ReadonlySet<string>;
}

/** The filter as a person reads it: `tag:eks:cluster-name=prod` or `tag-key kubernetes.io/cluster/prod`. */
export function filterText(filter: NodeFilter, cluster: string): string {
  return filter.kind === 'tag' ? `tag:${filter.key}=${cluster}` : `tag-key ${filter.keyTemplate.replaceAll('{cluster}', cluster)}`;
}

/**
 * No instance matches the cluster's node filter, and nothing says the cluster ever had nodes: most likely a typo
 * in the cluster name, the wrong Region, or the wrong tag convention. Publishing would seal periods of zero
 * nodes that could never be corrected (docs/aws.md, "An empty inventory").
 */
export class EmptyInventoryError extends NetReconError {
  constructor(
    readonly cluster: string,
    filter: NodeFilter,
    historyLookbackSeconds: number,
  ) {
    super(
      `no EC2 instance matches the node filter ${filterText(filter, cluster)} for cluster ${JSON.stringify(cluster)}, in any state, ` +
        `and netrecon published no node for it in the last ${Math.round(historyLookbackSeconds / 86_400)} days; nothing was published. Check: ` +
        `the cluster name (spelling) and the Region; and which tag the cluster's nodes carry: eks:cluster-name=NAME (EKS managed node ` +
        `groups; the default filter tag:eks:cluster-name) or kubernetes.io/cluster/NAME (self-managed nodes and other provisioners; ` +
        `filter tag-key:kubernetes.io/cluster/{cluster}), set with NETRECON_NODE_FILTER or --node-filter.`,
    );
    this.name = 'EmptyInventoryError';
  }
}

/** Maps one instance; returns a reason instead when it cannot be placed in time. */
export function nodeOf(instance: Instance): CaptureNode | { skip: string } {
  if (!instance.InstanceId) return { skip: 'the instance has no InstanceId' };
  if (!instance.LaunchTime) return { skip: 'the instance has no LaunchTime' };
  const state = instance.State?.Name;
  const endTime = state && STOPPED_STATES.has(state) ? endTimeFromTransitionReason(instance.StateTransitionReason) : undefined;
  if (state && STOPPED_STATES.has(state) && endTime === undefined) {
    return { skip: `it is ${state} and EC2 does not say since when (StateTransitionReason ${JSON.stringify(instance.StateTransitionReason ?? '')})` };
  }
  return {
    instanceId: instance.InstanceId,
    ...(instance.PrivateDnsName ? { nodeName: instance.PrivateDnsName } : {}),
    ...(instance.InstanceType ? { instanceType: instance.InstanceType } : {}),
    launchTime: new Date(instance.LaunchTime).toISOString(),
    ...(endTime ? { endTime } : {}),
    ...(state ? { state } : {}),
  };
}

/**
 * The nodes the cluster's Container Insights series name and DescribeInstances does not list at all (terminated
 * more than about an hour ago, or not carrying the node filter's tag), as capture nodes known from their series
 * (CaptureNode.knownFrom): the core reconciles each in the periods its series have values in. Sorted by id.
 */
export function nodesKnownFromSeries(namedBySeries: ReadonlyMap<string, string>, listed: ReadonlySet<string>, windowStartSeconds: number): CaptureNode[] {
  const out: CaptureNode[] = [];
  for (const [instanceId, nodeName] of namedBySeries) {
    if (listed.has(instanceId)) continue;
    // launchTime is required by the capture format; for such a node it only bounds the window read.
    out.push({ instanceId, nodeName, launchTime: new Date(windowStartSeconds * 1000).toISOString(), knownFrom: 'series' });
  }
  return out.sort(byInstanceId);
}

const byInstanceId = (a: CaptureNode, b: CaptureNode): number => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0);

export interface InventoryRequest {
  readonly cluster: string;
  readonly filter: NodeFilter;
  /** Epoch seconds, [start, end). */
  readonly windowStartSeconds: number;
  readonly windowEndSeconds: number;
}

export async function listClusterNodes(rt: AwsRuntime, request: InventoryRequest): Promise<InventoryResult> {
  const byId = new Map<string, CaptureNode>();
  const skipped: SkippedItem[] = [];
  const listed = new Set<string>();
  let pages = 0;
  let matched = 0;
  for await (const instances of instancePages(rt, ec2Filters(request.filter, request.cluster))) {
    pages++;
    for (const instance of instances) {
      matched++;
      if (instance.InstanceId) listed.add(instance.InstanceId);
      const node = nodeOf(instance);
      if ('skip' in node) {
        skipped.push({ kind: 'node', ref: instance.InstanceId ?? '(no id)', reason: node.skip });
        continue;
      }
      const launched = epochSecondsOf(node.launchTime);
      const ended = node.endTime ? epochSecondsOf(node.endTime) : Number.POSITIVE_INFINITY;
      if (launched < request.windowEndSeconds && ended > request.windowStartSeconds) byId.set(node.instanceId, node);
    }
    if (pages % 10 === 0) rt.progress(`inventory: ${byId.size} nodes after ${pages} pages`);
  }
  const nodes = [...byId.values()].sort(byInstanceId);
  return { nodes, skipped, matched, listed };
}

/** What `netrecon doctor` needs of one instance: identity, monitoring, its ENIs and the cluster tags it carries. */
export interface InstanceFacts {
  readonly instanceId: string;
  readonly nodeName?: string;
  readonly state?: string;
  /** EC2's Monitoring.State: `disabled` (basic, 5-minute) or `enabled` (detailed, 1-minute), or `pending` / `disabling`. */
  readonly monitoring?: string;
  /** Network interfaces attached (the ENIs the agent's `enis` profile would collect). */
  readonly eniCount: number;
  readonly tagKeys: readonly string[];
  /** The value of the tag `eks:cluster-name`, if any. */
  readonly eksClusterName?: string;
}

/**
 * The pending and running instances a node filter matches (doctor: the nodes as they are now, not a window).
 * Paginated like listClusterNodes; progress every 10 pages.
 */
export async function describeMatchingInstances(rt: AwsRuntime, filter: NodeFilter, cluster: string): Promise<InstanceFacts[]> {
  const out: InstanceFacts[] = [];
  let pages = 0;
  for await (const instances of instancePages(rt, [...ec2Filters(filter, cluster), { Name: 'instance-state-name', Values: ['pending', 'running'] }])) {
    pages++;
    for (const instance of instances) {
      if (!instance.InstanceId) continue;
      const tags = instance.Tags ?? [];
      const eks = tags.find((t) => t.Key === 'eks:cluster-name')?.Value;
      out.push({
        instanceId: instance.InstanceId,
        ...(instance.PrivateDnsName ? { nodeName: instance.PrivateDnsName } : {}),
        ...(instance.State?.Name ? { state: instance.State.Name } : {}),
        ...(instance.Monitoring?.State ? { monitoring: instance.Monitoring.State } : {}),
        eniCount: instance.NetworkInterfaces?.length ?? 0,
        tagKeys: tags.flatMap((t) => (t.Key === undefined ? [] : [t.Key])),
        ...(eks === undefined ? {} : { eksClusterName: eks }),
      });
    }
    if (pages % 10 === 0) rt.progress(`instances: ${out.length} matching ${filterText(filter, cluster)} after ${pages} pages`);
  }
  return out;
}

/** Every instance DescribeInstances returns for the filters, one page (one call, within the quota) at a time. */
async function* instancePages(rt: AwsRuntime, filters: Filter[]): AsyncGenerator<Instance[]> {
  let nextToken: string | undefined;
  do {
    const input = { Filters: filters, MaxResults: DESCRIBE_INSTANCES_MAX_RESULTS, ...(nextToken ? { NextToken: nextToken } : {}) };
    const page = await callAwsOrFail(
      rt,
      'DescribeInstances',
      () => `listing the instances (${filters.map((f) => `${f.Name}=${(f.Values ?? []).join('|')}`).join(', ')})`,
      () => rt.buckets.describeInstances.take(1, rt.signal),
      () => rt.ec2.send(new DescribeInstancesCommand(input), sendOptions(rt)),
    );
    yield (page.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    nextToken = page.NextToken;
  } while (nextToken);
}
