/**
 * The scheduled reconciler's Lambda entry point. Wiring only: configuration (read once, checked by a middy
 * `before`), SDK clients created once per container, the Powertools logger, and the run loop (runner.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createClients } from './aws/clients';
import { configFromEnvironment } from './handler-config';
import { LedgerMemory } from './plan/ledger-memory';
import { makeRunner } from './runner';
import { partitionOf } from './aws/source-accounts';
import { LedgerStore } from './aws/ledger-store';

const logger = new Logger({ serviceName: 'netrecon' });

const clients = createClients();

const at = (level: 'info' | 'warn' | 'error' | 'debug') => (message: string, data?: Record<string, unknown>) =>
  data ? logger[level](message, data) : logger[level](message);

// Read once, on the first invocation; a bad environment fails every invocation from middy's `before`.
const settings = configFromEnvironment(process.env, { error: at('error'), warn: at('warn') });
let runner: ReturnType<typeof makeRunner> | undefined;

export const handler = middy({ timeoutEarlyInMillis: 10_000 })
  .use(injectLambdaContext(logger))
  .use(settings.middleware)
  .handler(async (event: unknown, context: Context, options: { signal: AbortSignal }) => {
    const config = settings.config();
    runner ??= makeRunner({
      config,
      ...(config.ledgerTable ? { ledgerStore: new LedgerStore(clients.dynamo, config.ledgerTable) } : {}),
      cloudWatch: clients.cloudWatch,
      cloudWatchPut: clients.cloudWatchPut,
      ec2: clients.ec2,
      sts: clients.sts,
      ec2With: clients.ec2With,
      partition: partitionOf(process.env.AWS_REGION),
      eks: clients.eks,
      logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') },
      ledgerMemory: new LedgerMemory(),
    });
    return runner(event, context, options);
  });
