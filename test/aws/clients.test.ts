import { describe, expect, it } from 'vitest';
import { createClients } from '../../lambda/aws/clients';

describe('SDK clients', () => {
  it('gives PutMetricData a client without SDK retries, and the reads the SDK retries in adaptive mode', async () => {
    // The exactly-once ledger depends on it: a put that timed out may have landed, and only the sink may decide
    // to send it again (it retries throttling only, a definite rejection).
    const c = createClients({ region: 'eu-west-1' });
    expect(await c.cloudWatchPut.config.maxAttempts()).toBe(1);
    expect(await c.cloudWatch.config.maxAttempts()).toBe(3);
    expect(await c.ec2.config.maxAttempts()).toBe(3);
    expect(c.cloudWatch.config.retryMode).toBe('adaptive');
    expect(await c.cloudWatchPut.config.region()).toBe('eu-west-1');
  });

  it('keeps PutMetricData at one attempt whatever the reads are given', async () => {
    const c = createClients({ region: 'eu-west-1', maxAttempts: 5 });
    expect(await c.cloudWatch.config.maxAttempts()).toBe(5);
    expect(await c.cloudWatchPut.config.maxAttempts()).toBe(1);
  });
});
