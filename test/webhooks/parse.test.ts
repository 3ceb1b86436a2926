import { describe, expect, it } from 'vitest';
import {
  buildTestDelivery,
  DOCV_EVENT_MESSAGES,
  DOCV_EVENT_TYPES,
  type DocvEventType,
  generateTestHeaders,
  type SocureWebhookDelivery,
  verifyAndParse,
  type WebhookPayloadError,
  type WebhookPayloadReason,
} from '../../src/webhooks/index.js';
import { SEED_WEBHOOK_OUTPUT_EXAMPLE } from '../fixtures/seed-examples.js';

const parse = (body: unknown, secrets?: string) =>
  verifyAndParse({ headers: {}, rawBody: typeof body === 'string' ? body : JSON.stringify(body), secrets });

function reasonOf(body: unknown): WebhookPayloadReason {
  try {
    parse(body);
  } catch (error) {
    expect((error as Error).name).toBe('WebhookPayloadError');
    expect((error as WebhookPayloadError).statusCode).toBe(400);
    return (error as WebhookPayloadError).reason;
  }
  throw new Error('expected a WebhookPayloadError');
}

/** The `rawResponse` of the seed's "Wait for the Documentation Verification Result" output example. */
const SEED_RAW_RESPONSE = SEED_WEBHOOK_OUTPUT_EXAMPLE.rawResponse;

describe('event catalogue', () => {
  it('has a message for every event type', () => {
    expect(DOCV_EVENT_TYPES).toHaveLength(11);
    expect(Object.keys(DOCV_EVENT_MESSAGES).sort()).toEqual([...DOCV_EVENT_TYPES].sort());
    expect(DOCV_EVENT_MESSAGES.WAITING_FOR_USER_TO_REDIRECT).toBe('Process Initiated');
    expect(DOCV_EVENT_MESSAGES.DOCUMENTS_UPLOADED).toBe('Documents Upload Successful');
  });

  it.each(DOCV_EVENT_TYPES)(
    '%s round-trips buildTestDelivery → generateTestHeaders → verifyAndParse',
    (type) => {
      const payload = buildTestDelivery({
        eventType: type,
        docvTransactionToken: 'c2f1b6b0-token',
        customerUserId: 'user-7',
        environmentName: 'Sandbox',
      });
      expect(payload.event.message).toBe(DOCV_EVENT_MESSAGES[type]);
      expect(payload.reason).toBe(type);
      expect(payload.eventGroup).toBe('DocvNotification');
      const { headers, rawBody } = generateTestHeaders({ payload, secret: 'k', scheme: 'bearer' });
      const delivery = verifyAndParse({ headers, rawBody, secrets: 'k' });
      expect(delivery).toMatchObject({
        id: payload.id,
        authenticated: true,
        known: true,
        eventType: type,
        environmentName: 'Sandbox',
        keys: {
          deliveryId: payload.id,
          docvTransactionToken: 'c2f1b6b0-token',
          referenceId: payload.event.referenceId,
          customerUserId: 'user-7',
        },
      });
      expect(delivery.event.eventType).toBe(type);
      expect(delivery.raw).toEqual(JSON.parse(rawBody));
    },
  );

  it('types event data per event type', () => {
    const uploaded = parse(buildTestDelivery({ eventType: 'DOCUMENTS_UPLOADED', referenceId: 'ref-1' }));
    const completed = parse(buildTestDelivery({ eventType: 'VERIFICATION_COMPLETED', referenceId: 'ref-1' }));
    const summary = (d: SocureWebhookDelivery): string => {
      if (!d.known) return `unknown ${d.eventType}`;
      switch (d.event.eventType) {
        case 'DOCUMENTS_UPLOADED':
          return `uuid ${typeof d.event.data?.uuid}`;
        case 'VERIFICATION_COMPLETED':
          return `decision ${d.event.data?.documentVerification?.decision?.value}`;
        default:
          return d.event.eventType;
      }
    };
    expect(summary(uploaded)).toBe('uuid string');
    expect(summary(completed)).toBe('decision accept');
    if (completed.known && completed.event.eventType === 'VERIFICATION_COMPLETED') {
      expect(completed.event.data?.referenceId).toBe('ref-1');
      expect(completed.event.data?.documentVerification?.documentData?.documentNumber).toBe('SOC86753099');
    }
  });
});

describe('seed output example', () => {
  it('parses the DaVinci rawResponse, customerUserId 121212 → "121212"', () => {
    const delivery = parse(SEED_RAW_RESPONSE);
    expect(delivery).toMatchObject({
      id: 'efgh2345-6fg7-89h0-12ij-3k4567l890n',
      authenticated: false,
      known: true,
      eventType: 'DOCUMENTS_UPLOADED',
      environmentName: 'production',
      keys: {
        deliveryId: 'efgh2345-6fg7-89h0-12ij-3k4567l890n',
        referenceId: 'abcd1234-5ef6-78g9-01hi-2j3456k7890m',
        customerUserId: '121212',
      },
    });
    expect(delivery.keys.docvTransactionToken).toBeUndefined();
    expect((delivery.raw.event as { customerUserId: unknown }).customerUserId).toBe(121212);
    expect(delivery.raw).toEqual(SEED_RAW_RESPONSE);
    expect((delivery.event as { data?: { documentNumber?: unknown } }).data?.documentNumber).toBe(
      'SOC86753099',
    );
  });
});

describe('tolerance', () => {
  it('reads both token casings, at event level or in data', () => {
    const base = buildTestDelivery({ eventType: 'SESSION_COMPLETE' });
    const variants = [
      { ...base, event: { ...base.event, docvTransactionToken: 'T' } },
      { ...base, event: { ...base.event, docVTransactionToken: 'T' } },
      { ...base, event: { ...base.event, data: { docvTransactionToken: 'T' } } },
      { ...base, event: { ...base.event, data: { docVTransactionToken: 'T' } } },
    ];
    for (const v of variants) expect(parse(v).keys.docvTransactionToken).toBe('T');
    const legacy = parse(variants[1]);
    expect((legacy.raw.event as Record<string, unknown>).docVTransactionToken).toBe('T');
  });

  it('normalises a numeric customerUserId in keys and keeps the number in raw and event', () => {
    const d = parse(buildTestDelivery({ eventType: 'APP_OPENED', customerUserId: 42 }));
    expect(d.keys.customerUserId).toBe('42');
    expect((d.raw.event as Record<string, unknown>).customerUserId).toBe(42);
    expect((d.event as { customerUserId?: unknown }).customerUserId).toBe(42);
  });

  it('keeps unknown fields, in raw and in the typed event', () => {
    const p = buildTestDelivery({ eventType: 'VERIFICATION_COMPLETED' });
    const body = {
      ...p,
      brandNew: { nested: [1, 2] },
      event: { ...p.event, extra: 'x', data: { ...p.event.data, more: true } },
    };
    const d = parse(body);
    expect(d.raw).toEqual(body);
    expect(d.event).toMatchObject({ extra: 'x', data: { more: true } });
  });

  it('accepts an unknown event type as an unknown variant', () => {
    const p = buildTestDelivery({ eventType: 'DOCUMENT_HOLOGRAM_SCANNED', customerUserId: 'u1' });
    expect(p.event.message).toBe('DOCUMENT_HOLOGRAM_SCANNED');
    const d = parse(p);
    expect(d.known).toBe(false);
    expect(d.eventType).toBe('DOCUMENT_HOLOGRAM_SCANNED');
    expect(d.event).toMatchObject({ eventType: 'DOCUMENT_HOLOGRAM_SCANNED', customerUserId: 'u1' });
    expect(d.keys.customerUserId).toBe('u1');
    // an event type named like an Object.prototype member is not a known type either
    expect(parse({ id: '1', event: { eventType: 'constructor' } }).known).toBe(false);
  });

  it('accepts the minimum: id and event.eventType (no data, created, message, token, environment)', () => {
    const d = parse({ id: 'd-1', event: { eventType: 'VERIFICATION_COMPLETED' } });
    expect(d).toMatchObject({
      id: 'd-1',
      known: true,
      eventType: 'VERIFICATION_COMPLETED',
      keys: { deliveryId: 'd-1' },
    });
    expect(d.environmentName).toBeUndefined();
    expect(parse({ id: 'd-2', event: { eventType: 'DOCUMENTS_UPLOADED', data: null } }).known).toBe(true);
    expect(parse({ id: 'd-3', event: { eventType: 'VERIFICATION_COMPLETED', data: {} } }).known).toBe(true);
  });

  it('falls back to data.referenceId, then origId, for the reference id; numeric id becomes a string', () => {
    expect(
      parse({ id: 7, event: { eventType: 'APP_OPENED', data: { referenceId: 'r-data' } } }).keys,
    ).toEqual({
      deliveryId: '7',
      referenceId: 'r-data',
    });
    expect(parse({ id: 'x', origId: 'r-orig', event: { eventType: 'APP_OPENED' } }).keys.referenceId).toBe(
      'r-orig',
    );
    expect(
      parse({ id: 'x', event: { eventType: 'APP_OPENED', data: { eventId: 'e-1' } } }).keys.eventId,
    ).toBe('e-1');
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(parse(`\uFEFF${JSON.stringify({ id: 'b', event: { eventType: 'APP_OPENED' } })}`).id).toBe('b');
  });
});

describe('payload errors name the reason', () => {
  const cases: [string, unknown, WebhookPayloadReason][] = [
    ['empty body', '', 'empty_body'],
    ['whitespace body', '  \n', 'empty_body'],
    ['not JSON', '{"id":', 'invalid_json'],
    ['form body', 'id=1&event=x', 'invalid_json'],
    ['null', 'null', 'body_not_object'],
    ['array', '[{"id":"1"}]', 'body_not_object'],
    ['number', '42', 'body_not_object'],
    ['string', '"hello"', 'body_not_object'],
    ['no id', { event: { eventType: 'APP_OPENED' } }, 'missing_id'],
    ['empty id', { id: '', event: { eventType: 'APP_OPENED' } }, 'missing_id'],
    ['object id', { id: {}, event: { eventType: 'APP_OPENED' } }, 'missing_id'],
    ['no event', { id: '1' }, 'missing_event'],
    ['null event', { id: '1', event: null }, 'missing_event'],
    ['string event', { id: '1', event: 'APP_OPENED' }, 'event_not_object'],
    ['array event', { id: '1', event: [] }, 'event_not_object'],
    ['no eventType', { id: '1', event: { message: 'x' } }, 'missing_event_type'],
    ['numeric eventType', { id: '1', event: { eventType: 3 } }, 'missing_event_type'],
    ['empty eventType', { id: '1', event: { eventType: '' } }, 'missing_event_type'],
    ['data not an object', { id: '1', event: { eventType: 'APP_OPENED', data: 'x' } }, 'invalid_event'],
    ['numeric referenceId', { id: '1', event: { eventType: 'APP_OPENED', referenceId: 5 } }, 'invalid_event'],
  ];
  it.each(cases)('%s', (_name, body, reason) => {
    expect(reasonOf(body)).toBe(reason);
  });

  it('invalid_event names the JSON path and not the value', () => {
    const body = {
      id: '1',
      event: {
        eventType: 'VERIFICATION_COMPLETED',
        data: { documentVerification: { documentData: { documentNumber: ['123-45-6789'] } } },
      },
    };
    try {
      parse(body);
      expect.unreachable();
    } catch (error) {
      const e = error as WebhookPayloadError;
      expect(e.reason).toBe('invalid_event');
      expect(e.issues.map((i) => i.path)).toEqual([
        'event.data.documentVerification.documentData.documentNumber',
      ]);
      expect(e.message).toContain('event.data.documentVerification.documentData.documentNumber');
      expect(e.message).not.toContain('123-45-6789');
    }
  });

  it('keeps a decision value it does not know rather than refusing the delivery', () => {
    const body = {
      id: '1',
      event: {
        eventType: 'VERIFICATION_COMPLETED',
        data: { documentVerification: { decision: { value: 'escalate' } } },
      },
    };
    const delivery = parse(body);
    expect(delivery.known && delivery.event.eventType === 'VERIFICATION_COMPLETED').toBe(true);
    expect((delivery.raw as typeof body).event.data.documentVerification.decision.value).toBe('escalate');
  });

  it('invalid UTF-8 in a Buffer body', () => {
    expect(() => verifyAndParse({ headers: {}, rawBody: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })).toThrow(
      expect.objectContaining({ reason: 'invalid_encoding' }),
    );
  });
});

// --- fuzzing -------------------------------------------------------------------------------------

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  'id',
  'event',
  'eventType',
  'data',
  'referenceId',
  'docvTransactionToken',
  'docVTransactionToken',
  'customerUserId',
  'eventId',
  'documentVerification',
  'decision',
  'value',
  'uuid',
  'environmentName',
  'origId',
  'created',
  'message',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
];
const STRINGS = [
  ...DOCV_EVENT_TYPES,
  'accept',
  'maybe',
  '',
  ' ',
  '__proto__',
  'constructor',
  'toString',
  '\u0000',
  'é☃',
];

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth <= 0 || r < 0.3) {
    const s = rand();
    if (s < 0.15) return null;
    if (s < 0.25) return rand() < 0.5;
    if (s < 0.45) return [0, -1, 1.5, 1e308, -0, 121212, Number.MAX_SAFE_INTEGER + 2][Math.floor(rand() * 7)];
    if (s < 0.85) return STRINGS[Math.floor(rand() * STRINGS.length)];
    return 'x'.repeat(Math.floor(rand() * 5000));
  }
  if (r < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth - 1));
  const obj: Record<string, unknown> = {};
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) {
    Object.defineProperty(obj, KEYS[Math.floor(rand() * KEYS.length)] ?? 'k', {
      value: randomValue(rand, depth - 1),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return obj;
}

/** A valid delivery with one value somewhere replaced by a random one. */
function mutatedDelivery(rand: () => number): unknown {
  const type = DOCV_EVENT_TYPES[Math.floor(rand() * DOCV_EVENT_TYPES.length)] as DocvEventType;
  const body = JSON.parse(
    JSON.stringify(buildTestDelivery({ eventType: type, customerUserId: 5, docvTransactionToken: 't' })),
  );
  let node = body;
  for (let depth = 0; depth < 6; depth++) {
    const keys = Object.keys(node);
    const key = keys[Math.floor(rand() * keys.length)];
    if (key === undefined) break;
    const child = node[key];
    if (rand() < 0.4 || child === null || typeof child !== 'object') {
      node[key] = randomValue(rand, 3);
      break;
    }
    node = child;
  }
  return body;
}

function rawFrom(rand: () => number): string | Uint8Array {
  const r = rand();
  if (r < 0.45) return JSON.stringify(mutatedDelivery(rand));
  if (r < 0.8) return JSON.stringify(randomValue(rand, 6)) ?? 'undefined';
  if (r < 0.9) {
    const text = JSON.stringify(mutatedDelivery(rand));
    return text.slice(0, Math.floor(rand() * text.length)); // truncated JSON
  }
  return Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
}

describe('fuzz', () => {
  it('2000 seeded random bodies: a delivery or a WebhookPayloadError, nothing else', () => {
    const rand = mulberry32(0x50c0be);
    const reasons = new Map<string, number>();
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const rawBody = rawFrom(rand);
      try {
        const d = verifyAndParse({ headers: {}, rawBody });
        expect(typeof d.id).toBe('string');
        expect(typeof d.eventType).toBe('string');
        expect(d.keys.deliveryId).toBe(d.id);
        for (const v of Object.values(d.keys)) expect(typeof v).toBe('string');
        accepted++;
      } catch (error) {
        if ((error as Error)?.name !== 'WebhookPayloadError') {
          throw new Error(`case ${i} threw ${String(error)} for ${String(rawBody).slice(0, 200)}`);
        }
        const reason = (error as WebhookPayloadError).reason;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    // the generator reaches both outcomes and most refusal reasons
    expect(accepted).toBeGreaterThan(100);
    expect(reasons.size).toBeGreaterThanOrEqual(7);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives huge strings, deep nesting and prototype keys', () => {
    const deepArray = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(reasonOf(deepArray)).toBe('body_not_object');
    const deepData = `{"id":"1","event":{"eventType":"APP_OPENED","data":{"x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}}}`;
    expect(parse(deepData).known).toBe(true);
    const huge = JSON.stringify({
      id: '1',
      event: { eventType: 'APP_OPENED', message: 'm'.repeat(5_000_000) },
    });
    // 5 MB: over the default 1 MiB cap, so the cap is raised to reach the parser
    expect(verifyAndParse({ headers: {}, rawBody: huge, maxBytes: 8 * 1024 * 1024 }).eventType).toBe(
      'APP_OPENED',
    );
    expect(reasonOf('"'.repeat(1_000_000))).toBe('invalid_json');
    const proto = parse(
      '{"id":"1","__proto__":{"polluted":1},"event":{"eventType":"APP_OPENED","__proto__":{"x":1}}}',
    );
    expect(proto.known).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((proto.event as Record<string, unknown>).x).toBeUndefined();
  });

  it('survives non-string, non-bytes rawBody at runtime', () => {
    for (const rawBody of [null, undefined, 42, {}, []]) {
      expect(() => verifyAndParse({ headers: {}, rawBody: rawBody as unknown as string })).toThrow(
        expect.objectContaining({ name: 'WebhookPayloadError' }),
      );
    }
  });
});
