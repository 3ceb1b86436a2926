import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers.js';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.close();
});

describe('health', () => {
  it('/healthz answers 200', async () => {
    const res = await t.http('/healthz');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 while the store is ready', async () => {
    const res = await t.http('/readyz');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready' });
  });

  it('/readyz answers 503 once the store is closed; /healthz stays 200 (the process is alive)', async () => {
    // A service of its own: the shared one stays ready for the other tests, whatever their order.
    const closing = await startTestService();
    try {
      expect((await closing.http('/readyz')).status).toBe(200);
      await closing.service.store.close();
      const res = await closing.http('/readyz');
      expect(res.status).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready' });
      expect((await closing.http('/healthz')).status).toBe(200);
    } finally {
      await closing.close();
    }
  });

  it('health checks are not rate limited', async () => {
    // A budget of 3 requests a minute: the health checks go far past it, while a page is refused past it.
    const limited = await startTestService({ rateLimitPagesPerMinute: 3 });
    try {
      const checks = await Promise.all(
        Array.from({ length: 20 }, (_, i) => limited.http(i % 2 === 0 ? '/healthz' : '/readyz')),
      );
      expect(checks.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(checks[0]!.headers['x-ratelimit-limit']).toBeUndefined();
      const pages: number[] = [];
      for (let i = 0; i < 4; i++) pages.push((await limited.http('/')).status);
      expect(pages).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});
