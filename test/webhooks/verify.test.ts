import { describe, expect, it } from 'vitest';
import {
  buildTestDelivery,
  generateTestHeaders,
  verifyAndParse,
  WebhookAuthenticationError,
  WebhookError,
  WebhookPayloadError,
} from '../../src/webhooks/index.js';

const SECRET = 's3cr3t-0f-the-webhook';
const OTHER = 'previous-secret-value';

function request(secret?: string, scheme: 'bare' | 'bearer' = 'bare') {
  const payload = buildTestDelivery({ eventType: 'APP_OPENED', docvTransactionToken: 'tok-1' });
  return { payload, ...generateTestHeaders({ payload, secret, scheme }) };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('verifyAndParse: secrets', () => {
  it('accepts the bare secret', () => {
    const { headers, rawBody, payload } = request(SECRET, 'bare');
    expect(headers.authorization).toBe(SECRET);
    const delivery = verifyAndParse({ headers, rawBody, secrets: SECRET });
    expect(delivery.authenticated).toBe(true);
    expect(delivery.id).toBe(payload.id);
  });

  it('accepts Bearer <secret> and any other scheme word (last token counts)', () => {
    const { headers, rawBody } = request(SECRET, 'bearer');
    expect(headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(verifyAndParse({ headers, rawBody, secrets: SECRET }).authenticated).toBe(true);
    const spaced = { authorization: `  bearer \t ${SECRET}  ` };
    expect(verifyAndParse({ headers: spaced, rawBody, secrets: SECRET }).authenticated).toBe(true);
  });

  it('rejects a wrong secret with 401 and a message that leaks neither value', () => {
    const { headers, rawBody } = request('not-the-secret', 'bearer');
    const error = thrown(() => verifyAndParse({ headers, rawBody, secrets: SECRET }));
    expect(error).toBeInstanceOf(WebhookAuthenticationError);
    expect(error).toBeInstanceOf(WebhookError);
    const e = error as WebhookAuthenticationError;
    expect(e.statusCode).toBe(401);
    expect(e.reason).toBe('invalid_authorization');
    expect(e.message).not.toContain(SECRET);
    expect(e.message).not.toContain('not-the-secret');
    expect(JSON.stringify(e)).not.toContain(SECRET);
  });

  it('rejects a secret that is only a prefix or a longer variant', () => {
    const { rawBody } = request();
    for (const presented of [SECRET.slice(0, -1), `${SECRET}x`, `${SECRET} x`, 'Bearer', '']) {
      const e = thrown(() =>
        verifyAndParse({ headers: { authorization: presented }, rawBody, secrets: SECRET }),
      );
      expect(e).toBeInstanceOf(WebhookAuthenticationError);
    }
  });

  it('rejects a missing Authorization header', () => {
    const { headers, rawBody } = request();
    const e = thrown(() =>
      verifyAndParse({ headers, rawBody, secrets: SECRET }),
    ) as WebhookAuthenticationError;
    expect(e).toBeInstanceOf(WebhookAuthenticationError);
    expect(e.reason).toBe('missing_authorization');
    expect(e.statusCode).toBe(401);
  });

  it('accepts any of several secrets (rotation)', () => {
    const secrets = [SECRET, OTHER];
    for (const secret of secrets) {
      const { headers, rawBody } = request(secret, 'bearer');
      expect(verifyAndParse({ headers, rawBody, secrets }).authenticated).toBe(true);
    }
    const { headers, rawBody } = request('third', 'bearer');
    expect(() => verifyAndParse({ headers, rawBody, secrets })).toThrow(WebhookAuthenticationError);
  });

  it('without a secret accepts the delivery unauthenticated, with or without a header', () => {
    for (const secrets of [undefined, [], '', ['']]) {
      const { headers, rawBody } = request();
      expect(verifyAndParse({ headers, rawBody, secrets }).authenticated).toBe(false);
      const withHeader = request('anything');
      expect(verifyAndParse({ ...withHeader, secrets }).authenticated).toBe(false);
    }
  });

  it('finds the header in any casing, and in array form', () => {
    const { rawBody } = request();
    for (const name of ['Authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn']) {
      expect(verifyAndParse({ headers: { [name]: SECRET }, rawBody, secrets: SECRET }).authenticated).toBe(
        true,
      );
    }
    expect(
      verifyAndParse({ headers: { Authorization: [SECRET] }, rawBody, secrets: SECRET }).authenticated,
    ).toBe(true);
    // two Authorization values are ambiguous: treated as absent
    expect(() =>
      verifyAndParse({ headers: { authorization: SECRET, Authorization: SECRET }, rawBody, secrets: SECRET }),
    ).toThrow(WebhookAuthenticationError);
  });

  it('reads a WHATWG Headers object', () => {
    const { rawBody } = request();
    const headers = new Headers({ 'Content-Type': 'application/json', Authorization: `Bearer ${SECRET}` });
    expect(verifyAndParse({ headers, rawBody, secrets: SECRET }).authenticated).toBe(true);
    expect(() => verifyAndParse({ headers: new Headers(), rawBody, secrets: SECRET })).toThrow(
      WebhookAuthenticationError,
    );
  });

  it('accepts Buffer and Uint8Array bodies', () => {
    const { headers, rawBody } = request(SECRET);
    const buffer = Buffer.from(rawBody);
    expect(verifyAndParse({ headers, rawBody: buffer, secrets: SECRET }).eventType).toBe('APP_OPENED');
    const bytes = new Uint8Array(buffer);
    expect(verifyAndParse({ headers, rawBody: bytes, secrets: SECRET }).eventType).toBe('APP_OPENED');
  });

  it('authenticates before it parses: a bad body with a bad secret is a 401', () => {
    const e = thrown(() =>
      verifyAndParse({ headers: { authorization: 'nope' }, rawBody: 'not json', secrets: SECRET }),
    );
    expect(e).toBeInstanceOf(WebhookAuthenticationError);
  });

  it('refuses a configured secret containing whitespace (it could never match)', () => {
    const { headers, rawBody } = request();
    expect(() => verifyAndParse({ headers, rawBody, secrets: 'two words' })).toThrow(TypeError);
  });

  it('does not confuse payload and authentication errors', () => {
    const e = thrown(() => verifyAndParse({ headers: {}, rawBody: '[]' })) as WebhookPayloadError;
    expect(e).toBeInstanceOf(WebhookPayloadError);
    expect(e).not.toBeInstanceOf(WebhookAuthenticationError);
    expect(e.statusCode).toBe(400);
  });
});
