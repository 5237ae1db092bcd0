/**
 * The deployed ledger table (lambda/aws/ledger-store.ts) from the harness's side. moto's DynamoDB keeps its items
 * as written; the harness cannot make an hour pass for the product, so where a scenario needs the time after a
 * fault (a killed process's lease expired, an in-doubt put's hold over) it **simulates** it here: every lease expiry
 * and intent hold is moved back by the given seconds. The product's clock and code are untouched, and CloudWatch's
 * side (what the emulator shows) is whatever it is.
 */
import { ScanCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RUN_SETTINGS } from '../../lambda/settings';
import type { SuiteContext } from './suite-context';

/** The table the deployed function was given (its environment). */
export function deployedLedgerTable(context: SuiteContext): string {
  const table = context.deployed?.fn?.configuration.Environment?.Variables?.[RUN_SETTINGS.ledgerTable.env];
  if (!table) throw new Error(`the deployed function has no ${RUN_SETTINGS.ledgerTable.env}: the stack did not give it its ledger table`);
  return table;
}

/** Every item of the table, read consistently, page by page. */
async function scanItems(dynamodb: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Simulated time passing for the table's records only: lease expiries and intent holds `seconds` earlier. Returns the values moved. */
export async function ageLedgerTable(dynamodb: DynamoDBClient, table: string, seconds: number): Promise<number> {
  let moved = 0;
  for (const item of await scanItems(dynamodb, table)) {
    for (const attribute of ['expiresAt', 'intentVisibleAt']) {
      const n = item[attribute]?.N;
      if (n === undefined) continue;
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { ledger: item.ledger!, item: item.item! },
          UpdateExpression: 'SET #a = :v',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': { N: String(Number(n) - seconds) } },
        }),
      );
      moved++;
    }
  }
  return moved;
}
