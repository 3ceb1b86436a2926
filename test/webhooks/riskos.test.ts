import { describe, expect, it } from 'vitest';
import {
  parseDelivery,
  RISKOS_EVENT_TYPES,
  verifyAndParse,
  verifyAndParseRiskOs,
  WebhookAuthenticationError,
  type WebhookPayloadError,
  WebhookPayloadTooLargeError,
} from '../../src/webhooks/index.js';

const TOKEN = 'b3f1c9d2-0000-4000-8000-000000000001';
const completed = {
  event_id: 'evt-1',
  event_at: '2025-01-01T00:00:00Z',
  event_type: 'evaluation_completed',
  data: {
    id: 'app-1',
    eval_id: 'eval-1',
    eval_status: 'evaluation_completed',
    decision: 'ACCEPT',
    data_enrichments: [
      {
        enrichment_provider: 'SocureDocRequest',
        status_code: 200,
        response: { referenceId: 'ref', data: { docvTransactionToken: TOKEN, url: 'https://x/capture' } },
      },
    ],
    brand_new_field: { kept: true },
  },
};
const body = (v: unknown) => JSON.stringify(v);
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('verifyAndParseRiskOs', () => {
  it('types a known evaluation event, keeps unknown fields, and reads its keys (eval_id, id, DocV token)', () => {
    const d = verifyAndParseRiskOs({ headers: {}, rawBody: body(completed) });
    expect(d.known).toBe(true);
    expect(d.authenticated).toBe(false);
    if (d.known && d.eventType === 'evaluation_completed') {
      expect(d.data.decision).toBe('ACCEPT');
      expect((d.data as Record<string, unknown>).brand_new_field).toEqual({ kept: true });
    } else throw new Error('not typed as evaluation_completed');
    expect(d.keys).toEqual({
      deliveryId: 'evt-1',
      evalId: 'eval-1',
      id: 'app-1',
      docvTransactionToken: TOKEN,
    });
    expect(d.eventAt).toBe('2025-01-01T00:00:00Z');
  });

  it('types case_notes_added (DocV progress) and keeps an event type it does not know', () => {
    const note = verifyAndParseRiskOs({
      headers: {},
      rawBody: body({
        event_id: 2,
        event_type: 'case_notes_added',
        data: { eval_id: 'e', reviewer_id: 'Webhook', notes: 'Document Front Uploaded' },
      }),
    });
    expect(note).toMatchObject({
      known: true,
      eventType: 'case_notes_added',
      id: '2',
      data: { notes: 'Document Front Uploaded' },
    });
    const other = verifyAndParseRiskOs({
      headers: {},
      rawBody: body({ event_id: 'x', event_type: 'watchlist_alert', data: [1] }),
    });
    expect(other).toMatchObject({ known: false, eventType: 'watchlist_alert', data: [1] });
    expect(RISKOS_EVENT_TYPES).toContain('decision_update');
  });

  it('authenticates Bearer (any of several tokens) and Basic; refuses a wrong or missing credential', () => {
    const auth = { bearer: ['old-token', 'new-token'], basic: { username: 'riskos', password: 'pw' } };
    const rawBody = body(completed);
    expect(
      verifyAndParseRiskOs({ headers: { Authorization: 'Bearer new-token' }, rawBody, auth }).authenticated,
    ).toBe(true);
    expect(
      verifyAndParseRiskOs({ headers: { authorization: basic('riskos', 'pw') }, rawBody, auth })
        .authenticated,
    ).toBe(true);
    for (const header of [
      'Bearer nope',
      basic('riskos', 'nope'),
      basic('other', 'pw'),
      'Token new-token',
      'new-token',
    ]) {
      expect(() => verifyAndParseRiskOs({ headers: { authorization: header }, rawBody, auth })).toThrow(
        WebhookAuthenticationError,
      );
    }
    expect(() => verifyAndParseRiskOs({ headers: {}, rawBody, auth })).toThrow(/no Authorization/);
    // Basic credentials are not taken for a Bearer token, nor the reverse.
    expect(() =>
      verifyAndParseRiskOs({ headers: { authorization: 'Bearer pw' }, rawBody, auth: { basic: auth.basic } }),
    ).toThrow(WebhookAuthenticationError);
  });

  it('refuses bodies that are not RiskOS deliveries with a 400 reason, and oversized ones with 413', () => {
    const reason = (raw: string) => {
      try {
        verifyAndParseRiskOs({ headers: {}, rawBody: raw });
      } catch (err) {
        return (err as WebhookPayloadError).reason;
      }
      return 'accepted';
    };
    expect(reason('')).toBe('empty_body');
    expect(reason('{')).toBe('invalid_json');
    expect(reason('[]')).toBe('body_not_object');
    expect(reason(body({ event_type: 'evaluation_completed' }))).toBe('missing_id');
    expect(reason(body({ event_id: 'x' }))).toBe('missing_event_type');
    expect(reason(body({ event_id: 'x', event_type: 'evaluation_completed', data: { decision: 5 } }))).toBe(
      'invalid_event',
    );
    // A value with a `length` property is refused, not measured (zod would throw a TypeError on it).
    expect(reason(body({ event_id: 'x', event_type: { length: { toString: 1 } } }))).toBe(
      'missing_event_type',
    );
    expect(
      reason(body({ event_id: 'x', event_type: 'evaluation_completed', data: { eval_id: { length: 1 } } })),
    ).toBe('invalid_event');
    expect(() => verifyAndParseRiskOs({ headers: {}, rawBody: body(completed), maxBytes: 10 })).toThrow(
      WebhookPayloadTooLargeError,
    );
  });
});

describe('the DocV receiver recognises the RiskOS envelope', () => {
  it('parseDelivery reads a RiskOS delivery as an open-typed one keyed by eval_id and the DocV token', () => {
    const d = parseDelivery(body(completed), true);
    expect(d).toMatchObject({
      id: 'evt-1',
      known: false,
      eventType: 'evaluation_completed',
      authenticated: true,
    });
    expect(d.keys).toEqual({ deliveryId: 'evt-1', referenceId: 'eval-1', docvTransactionToken: TOKEN });
    expect(d.riskOs?.eventType).toBe('evaluation_completed');
  });

  it('verifyAndParse takes the secret as Bearer, or as a Basic password', () => {
    const rawBody = body(completed);
    expect(
      verifyAndParse({ headers: { authorization: 'Bearer s3cret' }, rawBody, secrets: 's3cret' })
        .authenticated,
    ).toBe(true);
    expect(
      verifyAndParse({ headers: { authorization: basic('any', 's3cret') }, rawBody, secrets: 's3cret' })
        .authenticated,
    ).toBe(true);
    expect(() =>
      verifyAndParse({ headers: { authorization: basic('any', 'other') }, rawBody, secrets: 's3cret' }),
    ).toThrow(WebhookAuthenticationError);
  });

  it('a DocV delivery is read as before', () => {
    const d = parseDelivery(body({ id: 'x', event: { eventType: 'APP_OPENED', referenceId: 'r' } }));
    expect(d).toMatchObject({ known: true, eventType: 'APP_OPENED' });
    expect(d.riskOs).toBeUndefined();
  });
});
