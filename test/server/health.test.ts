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
    await t.service.store.close();
    const res = await t.http('/readyz');
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ status: 'not_ready' });
    expect((await t.http('/healthz')).status).toBe(200);
  });

  it('health checks are not rate limited', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => t.http('/healthz')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results[0]!.headers['x-ratelimit-limit']).toBeUndefined();
  });
});
