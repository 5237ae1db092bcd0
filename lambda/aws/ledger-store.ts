/**
 * The ledger store: a publisher's lease on a cluster's ledger and the record of every put, in a DynamoDB table
 * (conditional writes, consistent reads), next to CloudWatch's `EmitLedger` (docs/aws.md, "Exactly once"). One
 * partition per ledger (output namespace, account, cluster): a `lease` item and one item per period. What the
 * records mean and how a later run settles an intent is plan/ledger-intents.ts; the pipeline drives the calls.
 *
 * Every write that decides anything is conditioned on the lease: a publisher that lost it (it paused past its
 * expiry and another took over) can write no intent, so it sends no put. Attribute names always go through
 * ExpressionAttributeNames (`owner` and `total` are among DynamoDB's reserved words).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { NetReconError } from '../core/errors';
import { isoOf } from '../core/units';
import { MAX_BACKFILL_SECONDS } from '../plan/limits';
import type { LedgerEntry } from '../plan/pending-periods';
import type { PutIntent, Settlement, StoredPeriod } from '../plan/ledger-intents';
import { callAws, type AwsRuntime } from './api';

export type DynamoSender = Pick<DynamoDBClient, 'send'>;

/** TransactWriteItems takes at most 100 actions. */
export const TRANSACT_MAX_ITEMS = 100;
/** A record outlives its period by the backfill bound and a day: no run can publish the period after that. */
const RECORD_KEEP_SECONDS = MAX_BACKFILL_SECONDS + 86_400;

/** Which ledger: the output namespace, the source account (central reconciler) and the cluster. */
export interface LedgerKey {
  readonly namespace: string;
  readonly accountId?: string | undefined;
  readonly cluster: string;
}

/** The partition key: namespaces and cluster names cannot hold `|` (lambda/settings.ts). */
export const partitionOf = (k: LedgerKey): string => `${k.namespace}|${k.accountId ?? ''}|${k.cluster}`;
const LEASE_SK = 'lease';
const periodSk = (start: number): string => `period#${String(start).padStart(12, '0')}`;

/** Another publisher holds the cluster's lease: nothing was read from the sources nor published. */
export class LeaseHeldError extends NetReconError {
  constructor(
    readonly cluster: string,
    readonly holder: string,
    readonly expiresAtSeconds: number,
    table: string,
  ) {
    super(
      `another publisher holds the ledger lease of cluster ${cluster} (${holder}, until ${isoOf(expiresAtSeconds)}, table ${table}); ` +
        'nothing was published, so nothing can be published twice. Its periods are published by whichever run holds the lease next; ' +
        'a lease of a process that died expires by itself (docs/aws.md, "Exactly once").',
      { value: holder },
    );
    this.name = 'LeaseHeldError';
  }
}

/** The ledger store failed or refused a write (the lease was lost): the emission stopped, nothing more was sent. */
export class LedgerStoreError extends NetReconError {
  constructor(
    readonly cluster: string,
    readonly step: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`ledger store (${step}) for cluster ${cluster}: ${reason}`, { cause: options?.cause });
    this.name = 'LedgerStoreError';
  }
}

export interface LeaseHandle {
  readonly key: LedgerKey;
  readonly owner: string;
}

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const num = (v: AttributeValue | undefined): number | undefined => (v?.N === undefined ? undefined : Number(v.N));

const NAMES = {
  '#pk': 'ledger',
  '#sk': 'item',
  '#owner': 'owner',
  '#holder': 'holder',
  '#expiresAt': 'expiresAt',
  '#deleteAfter': 'deleteAfter',
  '#landed': 'landed',
  '#total': 'total',
  '#iChunks': 'intentChunks',
  '#iBefore': 'intentLandedBefore',
  '#iTotal': 'intentTotal',
  '#iAt': 'intentAt',
  '#iVisibleAt': 'intentVisibleAt',
  '#iOwner': 'intentOwner',
} as const;
type Name = keyof typeof NAMES;
/** Only the names an expression uses: DynamoDB refuses unused ExpressionAttributeNames. */
const names = (...used: Name[]): Record<string, string> => Object.fromEntries(used.map((n) => [n, NAMES[n]]));
const INTENT_NAMES: Name[] = ['#iChunks', '#iBefore', '#iTotal', '#iAt', '#iVisibleAt', '#iOwner'];
const REMOVE_INTENT = `REMOVE ${INTENT_NAMES.join(', ')}`;

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
}

/** The reasons of a cancelled transaction, by action index ('ConditionalCheckFailed', 'None', ...). */
function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionCanceledException) && !(error instanceof Error && error.name === 'TransactionCanceledException')) return undefined;
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** The DynamoDB ledger store of one table. Calls are counted in the run's counters like every other call. */
export class LedgerStore {
  constructor(
    private readonly client: DynamoSender,
    readonly tableName: string,
  ) {}

  private send<T>(rt: AwsRuntime, operation: 'UpdateItem' | 'GetItem' | 'Query' | 'TransactWriteItems', command: { input: unknown }, retryable?: (e: unknown) => boolean): Promise<T> {
    return callAws(
      rt,
      operation,
      async () => undefined,
      // The command's type is one of the four above; its output is the caller's T.
      () => this.client.send(command as never, rt.signal ? { abortSignal: rt.signal } : {}) as Promise<T>,
      // A condition that failed is an answer, not a fault: never retried.
      (e) => !isConditionFailure(e) && cancellationCodes(e) === undefined && (retryable?.(e) ?? true),
    );
  }

  private key(k: LedgerKey, sk: string): Record<string, AttributeValue> {
    return { ledger: S(partitionOf(k)), item: S(sk) };
  }

  /**
   * Takes the lease, or throws LeaseHeldError. A lease counts as expired only when its expiry is older than the
   * clock-skew allowance by this process's clock, so a publisher whose clock runs ahead cannot take a live one.
   */
  async acquire(rt: AwsRuntime, key: LedgerKey, lease: { owner: string; holder: string; nowSeconds: number; leaseSeconds: number; skewSeconds: number }): Promise<LeaseHandle> {
    try {
      await this.send(
        rt,
        'UpdateItem',
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(key, LEASE_SK),
          UpdateExpression: 'SET #owner = :owner, #holder = :holder, #expiresAt = :expiresAt, #deleteAfter = :deleteAfter',
          // The same owner again: a retry of this very call that had succeeded (a timeout after it was written).
          ConditionExpression: 'attribute_not_exists(#owner) OR #expiresAt < :stale OR #owner = :owner',
          ExpressionAttributeNames: names('#owner', '#holder', '#expiresAt', '#deleteAfter'),
          ExpressionAttributeValues: {
            ':owner': S(lease.owner),
            ':holder': S(lease.holder),
            ':expiresAt': N(lease.nowSeconds + lease.leaseSeconds),
            ':deleteAfter': N(lease.nowSeconds + lease.leaseSeconds + 86_400),
            ':stale': N(lease.nowSeconds - lease.skewSeconds),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw new LedgerStoreError(key.cluster, 'taking the lease', `${describe(error)}. Nothing was published.`, { cause: error });
      const held = await this.send<{ Item?: Record<string, AttributeValue> }>(
        rt,
        'GetItem',
        new GetItemCommand({ TableName: this.tableName, Key: this.key(key, LEASE_SK), ConsistentRead: true }),
      ).catch(() => ({ Item: undefined }));
      throw new LeaseHeldError(key.cluster, held.Item?.holder?.S ?? 'unknown holder', num(held.Item?.expiresAt) ?? 0, this.tableName);
    }
    return { key, owner: lease.owner };
  }

  /** Extends the lease; throws LedgerStoreError when this run no longer holds it. */
  async renew(rt: AwsRuntime, lease: LeaseHandle, nowSeconds: number, leaseSeconds: number): Promise<void> {
    try {
      await this.send(rt, 'UpdateItem', new UpdateItemCommand(this.renewal(lease, nowSeconds, leaseSeconds)));
    } catch (error) {
      throw new LedgerStoreError(lease.key.cluster, 'renewing the lease', isConditionFailure(error) ? 'another publisher took the lease over; nothing more was sent' : describe(error), { cause: error });
    }
  }

  private renewal(lease: LeaseHandle, nowSeconds: number, leaseSeconds: number) {
    return {
      TableName: this.tableName,
      Key: this.key(lease.key, LEASE_SK),
      UpdateExpression: 'SET #expiresAt = :expiresAt, #deleteAfter = :deleteAfter',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: names('#owner', '#expiresAt', '#deleteAfter'),
      ExpressionAttributeValues: { ':owner': S(lease.owner), ':expiresAt': N(nowSeconds + leaseSeconds), ':deleteAfter': N(nowSeconds + leaseSeconds + 86_400) },
    };
  }

  /** Gives the lease up (best effort: an unreleased lease expires by itself). */
  async release(rt: AwsRuntime, lease: LeaseHandle): Promise<void> {
    await this.send(
      rt,
      'UpdateItem',
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(lease.key, LEASE_SK),
        UpdateExpression: 'SET #expiresAt = :zero',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: names('#owner', '#expiresAt'),
        ExpressionAttributeValues: { ':owner': S(lease.owner), ':zero': N(0) },
      }),
    ).catch(() => undefined);
  }

  /** Every period record of [startSeconds, endSeconds), read consistently. */
  async read(rt: AwsRuntime, key: LedgerKey, startSeconds: number, endSeconds: number): Promise<Map<number, StoredPeriod>> {
    const out = new Map<number, StoredPeriod>();
    if (endSeconds <= startSeconds) return out;
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      let page: { Items?: Record<string, AttributeValue>[]; LastEvaluatedKey?: Record<string, AttributeValue> };
      try {
        page = await this.send(
          rt,
          'Query',
          new QueryCommand({
            TableName: this.tableName,
            ConsistentRead: true,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: names('#pk', '#sk'),
            ExpressionAttributeValues: { ':pk': S(partitionOf(key)), ':from': S(periodSk(startSeconds)), ':to': S(periodSk(endSeconds - 1)) },
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }),
        );
      } catch (error) {
        throw new LedgerStoreError(key.cluster, 'reading the ledger', `${describe(error)}. Nothing was published: without it a run cannot tell published periods from pending ones.`, { cause: error });
      }
      for (const item of page.Items ?? []) {
        const start = Number(item.item?.S?.slice('period#'.length));
        if (!Number.isFinite(start)) continue;
        const at = num(item.intentAt);
        const intent: PutIntent | undefined =
          at === undefined
            ? undefined
            : {
                chunks: num(item.intentChunks) ?? 1,
                landedBefore: num(item.intentLandedBefore) ?? 0,
                total: num(item.intentTotal) ?? 1,
                atSeconds: at,
                visibleAtSeconds: num(item.intentVisibleAt) ?? Number.MAX_SAFE_INTEGER,
                owner: item.intentOwner?.S ?? '',
              };
        out.set(start, { landed: num(item.landed) ?? 0, total: num(item.total) ?? 0, ...(intent ? { intent } : {}) });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }

  /**
   * Records, before a put, that its periods' request may land from now on; fenced by the lease (renewed in the
   * same transaction). Throws LedgerStoreError when the lease is lost or a period already has an intent.
   */
  async writeIntents(rt: AwsRuntime, lease: LeaseHandle, nowSeconds: number, leaseSeconds: number, intents: readonly { periodStartSeconds: number; intent: PutIntent }[]): Promise<void> {
    const actions = intents.map(({ periodStartSeconds, intent }): TransactWriteItem => ({
      Update: {
        TableName: this.tableName,
        Key: this.key(lease.key, periodSk(periodStartSeconds)),
        UpdateExpression:
          'SET #iChunks = :chunks, #iBefore = :before, #iTotal = :total, #iAt = :at, #iVisibleAt = :visibleAt, #iOwner = :owner, #deleteAfter = :deleteAfter',
        // One request of a period is in flight at a time: an intent not settled yet is never overwritten (but a
        // retry of this very write, which may have succeeded, finds its own intent).
        ConditionExpression: 'attribute_not_exists(#iAt) OR #iOwner = :owner AND #iAt = :at',
        ExpressionAttributeNames: names(...INTENT_NAMES, '#deleteAfter'),
        ExpressionAttributeValues: {
          ':chunks': N(intent.chunks),
          ':before': N(intent.landedBefore),
          ':total': N(intent.total),
          ':at': N(intent.atSeconds),
          ':visibleAt': N(intent.visibleAtSeconds),
          ':owner': S(intent.owner),
          ':deleteAfter': N(periodStartSeconds + RECORD_KEEP_SECONDS),
        },
      },
    }));
    await this.transact(rt, lease.key.cluster, 'recording an intent before a put', actions, { Update: this.renewal(lease, nowSeconds, leaseSeconds) });
  }

  /** After a put that landed: its periods' confirmed counts, the intent removed. */
  async recordLanded(rt: AwsRuntime, lease: LeaseHandle, periods: readonly { periodStartSeconds: number; entry: LedgerEntry }[]): Promise<void> {
    const actions = periods.map(({ periodStartSeconds, entry }): TransactWriteItem => ({
      Update: {
        TableName: this.tableName,
        Key: this.key(lease.key, periodSk(periodStartSeconds)),
        UpdateExpression: `SET #landed = :landed, #total = :total ${REMOVE_INTENT}`,
        // Or already recorded: a retry of this very write that had succeeded.
        ConditionExpression: '#iOwner = :owner OR #landed = :landed',
        ExpressionAttributeNames: names('#landed', '#total', ...INTENT_NAMES),
        ExpressionAttributeValues: { ':landed': N(entry.landed), ':total': N(entry.total), ':owner': S(lease.owner) },
      },
    }));
    await this.transact(rt, lease.key.cluster, 'recording a put that landed', actions);
  }

  /** A put that definitely did not land (throttled to the end, or past its send deadline): its intents removed. */
  async clearIntents(rt: AwsRuntime, lease: LeaseHandle, starts: readonly number[]): Promise<void> {
    const actions = starts.map((start): TransactWriteItem => ({
      Update: {
        TableName: this.tableName,
        Key: this.key(lease.key, periodSk(start)),
        UpdateExpression: REMOVE_INTENT,
        ConditionExpression: '#iOwner = :owner',
        ExpressionAttributeNames: names(...INTENT_NAMES),
        ExpressionAttributeValues: { ':owner': S(lease.owner) },
      },
    }));
    await this.transact(rt, lease.key.cluster, 'clearing the intent of a put that was not sent', actions);
  }

  /** Intents of earlier runs settled from CloudWatch's ledger, each conditioned on being the intent that was read. */
  async settle(rt: AwsRuntime, lease: LeaseHandle, nowSeconds: number, leaseSeconds: number, settlements: readonly Settlement[]): Promise<void> {
    const actions = settlements.map((s): TransactWriteItem => ({
      Update: {
        TableName: this.tableName,
        Key: this.key(lease.key, periodSk(s.periodStartSeconds)),
        UpdateExpression: `SET #landed = :landed, #total = :total ${REMOVE_INTENT}`,
        ConditionExpression: '#iAt = :at AND #iOwner = :intentOwner',
        ExpressionAttributeNames: names('#landed', '#total', ...INTENT_NAMES),
        ExpressionAttributeValues: { ':landed': N(s.entry.landed), ':total': N(s.entry.total), ':at': N(s.intent.atSeconds), ':intentOwner': S(s.intent.owner) },
      },
    }));
    await this.transact(rt, lease.key.cluster, 'settling an earlier intent', actions, { Update: this.renewal(lease, nowSeconds, leaseSeconds) });
  }

  /** Sends the actions in transactions of at most 100 (with `fence` first in each); a refused condition is a LedgerStoreError. */
  private async transact(rt: AwsRuntime, cluster: string, step: string, actions: readonly TransactWriteItem[], fence?: TransactWriteItem): Promise<void> {
    const per = TRANSACT_MAX_ITEMS - (fence ? 1 : 0);
    for (let i = 0; i < actions.length; i += per) {
      const items = [...(fence ? [fence] : []), ...actions.slice(i, i + per)];
      try {
        await this.send(rt, 'TransactWriteItems', new TransactWriteItemsCommand({ TransactItems: items }));
      } catch (error) {
        const codes = cancellationCodes(error);
        const reason =
          codes === undefined
            ? describe(error)
            : fence && codes[0] === 'ConditionalCheckFailed'
              ? 'this run no longer holds the lease (another publisher took it over)'
              : `a record changed under it (${codes.join(', ')})`;
        throw new LedgerStoreError(cluster, step, `${reason}; nothing more was sent`, { cause: error });
      }
    }
  }
}
