/**
 * For a live command run in-process (main()): vitest's fake Date pinned at `nowSeconds` and moving on with real
 * time (the quota pacing measures elapsed time with it, docs/testing.md), and dummy credentials for the mocked
 * clients. `setUp` runs after both, `tearDown` before they are undone.
 */
import { afterEach, beforeEach, vi } from 'vitest';

export function liveClock(nowSeconds: number, setUp: () => void, tearDown: () => void): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(nowSeconds * 1000);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    setUp();
  });
  afterEach(() => {
    tearDown();
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });
}
