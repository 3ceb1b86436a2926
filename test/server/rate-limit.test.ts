import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestDelivery } from '../../src/webhooks/test-helpers.js';
import { startTestService, type TestService } from './helpers.js';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.close();
});

describe('rate limit of POST /flows/:id/start', () => {
  it('answers 429 with a friendly page after 30 starts a minute', async () => {
    const index = await t.http('/');
    const csrf =
      /action="\/flows\/idplus-score\/start"><input type="hidden" name="csrf" value="([^"]+)"/.exec(
        index.text,
      )![1]!;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++)
      statuses.push((await t.http('/flows/idplus-score/start', { form: { csrf } })).status);
    expect(statuses.every((s) => s === 303)).toBe(true);

    const limited = await t.http('/flows/idplus-score/start', { form: { csrf } });
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^text\/html/);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.headers['content-security-policy']).toContain("default-src 'none'");
    expect(limited.text).toContain('Too many requests');
    expect(limited.text).toContain('Please wait a minute');
    expect(limited.text).not.toMatch(/\.js:\d+|\.ts:\d+|node:internal/);
    // Other pages are not limited by the start endpoint's own budget.
    expect((await t.http('/')).status).toBe(200);
  });

  it('the API answers JSON when rate limited; a valid key has its own budget, apart from anonymous calls', async () => {
    const limited = await startTestService({ rateLimitApiPerMinute: 5, rateLimitPagesPerMinute: 3 });
    try {
      const anonymous: number[] = [];
      for (let i = 0; i < 4; i++) anonymous.push((await limited.http('/api/sessions/none')).status);
      expect(anonymous).toEqual([401, 401, 401, 429]);
      // The key's budget is untouched by the anonymous calls, and larger than the pages' 3.
      const keyed: number[] = [];
      for (let i = 0; i < 6; i++) keyed.push((await limited.api('/api/sessions/none')).status);
      expect(keyed).toEqual([404, 404, 404, 404, 404, 429]);
      const res = await limited.api('/api/sessions/none');
      expect(res.json()).toMatchObject({ error: 'rate_limited' });
      expect(res.headers['cache-control']).toBe('no-store');
    } finally {
      await limited.close();
    }
  });

  it('the 429 page is never cached', async () => {
    const limited = await startTestService({ rateLimitPagesPerMinute: 1 });
    try {
      expect((await limited.http('/')).status).toBe(200);
      const res = await limited.http('/');
      expect(res.status).toBe(429);
      expect(res.headers['cache-control']).toBe('no-store');
    } finally {
      await limited.close();
    }
  });
});

describe('rate limit of Socure deliveries', () => {
  it('never limits authenticated deliveries; limits the rest per IP at RATE_LIMIT_WEBHOOK_PER_MINUTE', async () => {
    const secret = 'rate-limit-webhook-secret-0123456789';
    const limited = await startTestService({ webhookSecrets: [secret], rateLimitWebhookPerMinute: 3 });
    try {
      const path = new URL(limited.service.webhookUrl).pathname;
      const deliver = (authorization?: string) =>
        limited.http(path, {
          method: 'POST',
          body: JSON.stringify(buildTestDelivery({ eventType: 'APP_OPENED' })),
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        });
      // Ten times the budget, all authenticated: all answered.
      const authenticated: number[] = [];
      for (let i = 0; i < 30; i++) authenticated.push((await deliver(secret)).status);
      expect(authenticated).toEqual(Array(30).fill(200));
      // Wrong or missing secrets are counted: 401 until the budget is spent, then 429.
      const refused: number[] = [];
      for (let i = 0; i < 4; i++) refused.push((await deliver(i % 2 ? 'wrong-secret' : undefined)).status);
      expect(refused).toEqual([401, 401, 401, 429]);
      // The authenticated sender is still not limited.
      expect((await deliver(`Bearer ${secret}`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
