/**
 * A **simulated** DynamoDB table for the ledger store's unit tests (lambda/aws/ledger-store.ts), behind
 * aws-sdk-client-mock so the store runs its real SDK commands. It understands only the expressions the store
 * sends: `SET #a = :v, ...` followed by an optional `REMOVE #a, ...`; conditions made of `attribute_not_exists(#a)`,
 * `#a = :v`, `#a < :v` joined by `AND` / `OR` (no parentheses); `#pk = :pk AND #sk BETWEEN :a AND :b` queries.
 * Anything else throws, so a store change the simulation does not cover fails loudly; the e2e suite runs the same
 * store against moto's DynamoDB.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;
interface Expr {
  readonly ExpressionAttributeNames?: Record<string, string> | undefined;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue> | undefined;
}

const cmp = (a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined => {
  if (!a || !b) return undefined;
  if (a.N !== undefined && b.N !== undefined) return Number(a.N) - Number(b.N);
  if (a.S !== undefined && b.S !== undefined) return a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  return undefined;
};

export class FakeLedgerTable {
  readonly items = new Map<string, Item>();
  readonly calls: string[] = [];
  /** Called before each command; may throw to simulate a failure. */
  beforeCommand: (name: string) => void = () => undefined;

  private keyOf(key: Item): string {
    return `${key.ledger?.S}\u0000${key.item?.S}`;
  }

  private name(e: Expr, token: string): string {
    const n = e.ExpressionAttributeNames?.[token];
    if (!n) throw new Error(`fake table: unknown name ${token}`);
    return n;
  }

  private value(e: Expr, token: string): AttributeValue {
    const v = e.ExpressionAttributeValues?.[token];
    if (!v) throw new Error(`fake table: unknown value ${token}`);
    return v;
  }

  private holds(item: Item | undefined, condition: string | undefined, e: Expr): boolean {
    if (!condition) return true;
    return condition.split(' OR ').some((conj) =>
      conj.split(' AND ').every((term) => {
        const t = term.trim();
        const notExists = /^attribute_not_exists\((#\w+)\)$/.exec(t);
        if (notExists) return item?.[this.name(e, notExists[1]!)] === undefined;
        const rel = /^(#\w+) (=|<) (:\w+)$/.exec(t);
        if (!rel) throw new Error(`fake table: unsupported condition ${t}`);
        const c = cmp(item?.[this.name(e, rel[1]!)], this.value(e, rel[3]!));
        return c !== undefined && (rel[2] === '=' ? c === 0 : c < 0);
      }),
    );
  }

  private updated(item: Item | undefined, key: Item, update: string, e: Expr): Item {
    const out: Item = { ...(item ?? key) };
    const m = /^(?:SET (.+?))?\s*(?:REMOVE (.+))?$/.exec(update.trim());
    if (!m) throw new Error(`fake table: unsupported update ${update}`);
    for (const a of (m[1] ?? '').split(',').filter((x) => x.trim() !== '')) {
      const [lhs, rhs] = a.split('=').map((x) => x.trim());
      out[this.name(e, lhs!)] = this.value(e, rhs!);
    }
    for (const r of (m[2] ?? '').split(',').filter((x) => x.trim() !== '')) delete out[this.name(e, r.trim())];
    return out;
  }

  /** The mock, installed on DynamoDBClient; restore() when done. */
  install() {
    const mock = mockClient(DynamoDBClient);
    const fail = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    mock.on(UpdateItemCommand).callsFake((input) => {
      this.calls.push('UpdateItem');
      this.beforeCommand('UpdateItem');
      const k = this.keyOf(input.Key);
      const item = this.items.get(k);
      if (!this.holds(item, input.ConditionExpression, input)) throw fail();
      this.items.set(k, this.updated(item, input.Key, input.UpdateExpression, input));
      return {};
    });
    mock.on(GetItemCommand).callsFake((input) => {
      this.calls.push('GetItem');
      this.beforeCommand('GetItem');
      const item = this.items.get(this.keyOf(input.Key));
      return item ? { Item: item } : {};
    });
    mock.on(QueryCommand).callsFake((input) => {
      this.calls.push('Query');
      this.beforeCommand('Query');
      const m = /^(#\w+) = (:\w+) AND (#\w+) BETWEEN (:\w+) AND (:\w+)$/.exec(input.KeyConditionExpression ?? '');
      if (!m) throw new Error(`fake table: unsupported key condition ${input.KeyConditionExpression}`);
      const pk = this.value(input, m[2]!).S;
      const [from, to] = [this.value(input, m[4]!).S!, this.value(input, m[5]!).S!];
      const Items = [...this.items.values()].filter((i) => i.ledger?.S === pk && i.item!.S! >= from && i.item!.S! <= to).sort((a, b) => (a.item!.S! < b.item!.S! ? -1 : 1));
      return { Items };
    });
    mock.on(TransactWriteItemsCommand).callsFake((input) => {
      this.calls.push('TransactWriteItems');
      this.beforeCommand('TransactWriteItems');
      const actions = input.TransactItems ?? [];
      if (actions.length > 100) throw new Error('fake table: more than 100 actions');
      const codes: string[] = actions.map((a: TransactWriteItem) => {
        const u = a.Update;
        if (!u) throw new Error('fake table: only Update actions are simulated');
        return this.holds(this.items.get(this.keyOf(u.Key!)), u.ConditionExpression, u) ? 'None' : 'ConditionalCheckFailed';
      });
      if (codes.some((c: string) => c !== 'None')) {
        throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code: string) => ({ Code })) });
      }
      for (const a of actions) {
        const u = a.Update!;
        const k = this.keyOf(u.Key!);
        this.items.set(k, this.updated(this.items.get(k), u.Key!, u.UpdateExpression!, u));
      }
      return {};
    });
    return mock;
  }

  /** Simulated time passing for the records only: every lease expiry and intent hold moved `seconds` earlier. */
  age(seconds: number): void {
    for (const item of this.items.values()) {
      for (const attr of ['expiresAt', 'intentVisibleAt']) if (item[attr]?.N !== undefined) item[attr] = { N: String(Number(item[attr]!.N) - seconds) };
    }
  }
}
