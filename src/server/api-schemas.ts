import { z } from 'zod';
import { stringThen } from '../shared/length-checks.js';
import { OUTCOMES } from '../store/types.js';
import { LANGUAGES, languageOf } from './i18n/languages.js';

export const createSessionBody = z.strictObject({
  // Length checks behind stringThen: zod would measure a non-string's `length` (a 500 on {"length":{…}}).
  flow: stringThen(z.string().min(1)).describe('A flow id, e.g. docv-qr'),
  input: z
    .record(z.string().max(64), z.union([stringThen(z.string().max(1000)), z.number(), z.boolean()]))
    .refine((r) => Object.keys(r).length <= 50, 'at most 50 input values')
    .optional()
    .describe('Values the flow reads as {{input.<name>}} (e.g. to pre-fill a form)'),
  customerUserId: stringThen(z.string().min(1).max(100))
    .optional()
    .describe('Your id for the person; sent to Socure'),
  returnUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .optional()
    .describe('Where the person goes at the end, with ?session_id=<id>'),
  language: z
    .string()
    .trim()
    .toLowerCase()
    .refine((tag) => /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(tag) && languageOf(tag) !== undefined, {
      error: `must be one of ${LANGUAGES.join(', ')}, optionally with a region (e.g. es-MX)`,
    })
    .optional()
    .describe(
      "The pages' language and DocV's (config.language). Default: the language of the browser that opens the session",
    ),
});

export const SESSION_STATUSES = ['running', 'input', 'waiting', 'completed'] as const;

export const createSessionResponse = z.object({
  id: z.string(),
  url: z.url().describe('The signed page to send the person to'),
  status: z.enum(SESSION_STATUSES),
  expiresAt: z.iso.datetime(),
});

/** What `GET /api/sessions/{id}?include=` may add to the answer. */
export const SESSION_INCLUDES = ['input'] as const;

const PERSONAL_DATA_NOTE =
  "By default the answer leaves out the person's data: no `input`, and no value in `result` or `timeline` that " +
  'holds it — what they typed (name, date of birth, SSN, address, phone, e-mail) or Socure read off their ' +
  "document or echoed back (DocV `documentData`, a watchlist match's name); `omitted` says where. Ask with " +
  '`?include=input` to have `input` and the whole result and timeline.';

export const sessionQuery = z.object({
  include: z
    .enum(SESSION_INCLUDES, { error: 'the only value it takes is "input", once' })
    .optional()
    .describe(
      "`input`: add the session's `input` and give `result` and `timeline` whole, with the person's data",
    ),
});

export const sessionResponse = z
  .object({
    id: z.string(),
    flow: z.string(),
    status: z.enum(SESSION_STATUSES),
    outcome: z.enum(OUTCOMES).nullable(),
    language: z
      .string()
      .nullable()
      .describe("The session's language: as given on creation, else the first browser's; null until either"),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("What the flow's end node gives your app; without the person's data unless ?include=input"),
    customerUserId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    timeline: z.array(
      z.object({ at: z.iso.datetime(), type: z.string(), detail: z.record(z.string(), z.unknown()) }),
    ),
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('The input the session was started with; only with ?include=input'),
    omitted: z
      .array(z.string())
      .optional()
      .describe(
        "Without ?include=input: JSON pointers (e.g. /result/documentData) to the values left out as the person's data",
      ),
  })
  .describe(PERSONAL_DATA_NOTE);

export const errorResponse = z.object({ error: z.string(), message: z.string().optional() });

export const customerUserIdParam = z.string().min(1).max(100);

/** `GET /api/sessions` pages: at most this many sessions each, 50 unless `limit` says otherwise. */
export const SESSION_LIST_MAX = 200;
export const SESSION_LIST_DEFAULT = 50;

/**
 * The `cursor` of the session list: where the previous page stopped (its last session's creation time and id),
 * opaque to the app (base64url), so the position can change form without breaking clients.
 */
export function encodeSessionCursor(position: { createdAt: number; id: string }): string {
  return Buffer.from(`${position.createdAt}:${position.id}`, 'utf8').toString('base64url');
}

export function decodeSessionCursor(cursor: string): { createdAt: number; id: string } | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  const m = /^(\d{1,16}):([^\s:]{1,200})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const createdAt = Number(m?.[1]);
  if (!m || !Number.isSafeInteger(createdAt)) return undefined;
  // Only the cursor we would have given: another spelling of the same bytes is not one.
  return encodeSessionCursor({ createdAt, id: m[2]! }) === cursor ? { createdAt, id: m[2]! } : undefined;
}

const LIMIT_MESSAGE = `must be a whole number from 1 to ${SESSION_LIST_MAX}`;

export const sessionListQuery = z.strictObject(
  {
    status: z
      .enum(SESSION_STATUSES, { error: `must be one of ${SESSION_STATUSES.join(', ')}, once` })
      .optional()
      .describe('Only sessions in this status'),
    flow: stringThen(z.string().min(1).max(100)).optional().describe('Only sessions of this flow id'),
    customerUserId: stringThen(customerUserIdParam)
      .optional()
      .describe('Only sessions started with this customerUserId (found by its keyed hash)'),
    cursor: z
      .string({ error: 'give it once' })
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return undefined;
        const position = decodeSessionCursor(v);
        if (position) return position;
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this API gave (pass nextCursor as it is)' });
        return z.NEVER;
      })
      .describe("The previous page's nextCursor"),
    limit: z.coerce
      .number({ error: LIMIT_MESSAGE })
      .int({ error: LIMIT_MESSAGE })
      .min(1, { error: LIMIT_MESSAGE })
      .max(SESSION_LIST_MAX, { error: LIMIT_MESSAGE })
      .default(SESSION_LIST_DEFAULT)
      .describe(`Sessions per page, 1 to ${SESSION_LIST_MAX}`),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? 'takes status, flow, customerUserId, cursor, limit' : undefined,
  },
);

export const sessionSummary = z.object({
  id: z.string(),
  flow: z.string(),
  status: z.enum(SESSION_STATUSES),
  outcome: z.enum(OUTCOMES).nullable(),
  customerUserId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

export const sessionListResponse = z.object({
  sessions: z
    .array(sessionSummary)
    .describe('Newest first; no input, result or timeline (see GET /api/sessions/{id})'),
  nextCursor: z.string().nullable().describe('The `cursor` of the next page, or null on the last page'),
});

export const alreadyEndedResponse = z.object({
  error: z.literal('already_ended'),
  message: z.string().optional(),
  status: z.enum(SESSION_STATUSES),
  outcome: z.enum(OUTCOMES).nullable(),
});

const AUDIT_PAGE_MAX = 1000;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** `since`: a chain position (entries after it) or an ISO 8601 time (entries at or after it). */
export const auditQuery = z
  .object({
    since: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === '') return {};
        if (/^\d+$/.test(v)) {
          if (Number.isSafeInteger(Number(v))) return { afterSeq: Number(v) };
          ctx.addIssue({ code: 'custom', message: 'is past the last possible entry number' });
          return z.NEVER;
        }
        // ISO 8601 only: Date.parse also takes "March 7" or "-5", which a SIEM cursor never means.
        const at = ISO_TIME.test(v) ? Date.parse(v) : Number.NaN;
        if (Number.isNaN(at)) {
          ctx.addIssue({ code: 'custom', message: 'must be an entry number (seq) or an ISO 8601 time' });
          return z.NEVER;
        }
        return { since: at };
      }),
    limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(100),
  })
  .strict();

export const erasureResponse = z.object({
  erased: z
    .object({ sessions: z.number(), deliveries: z.number(), callbacks: z.number() })
    .describe(
      'What was removed: sessions whose personal data was removed, Socure deliveries deleted, callbacks emptied',
    ),
});

export const auditResponse = z.object({
  entries: z.array(
    z.object({
      seq: z.number().describe('Position in the hash chain, from 1'),
      at: z.iso.datetime(),
      type: z
        .string()
        .describe('session.started, socure.call, session.decided, callback.delivered, customer.erased, …'),
      actor: z.string().describe('api-key:<key id>, public-page, engine, retention, cli'),
      detail: z
        .record(z.string(), z.unknown())
        .describe('Ids, outcomes, reason codes, counts: no personal data'),
      prevHash: z.string(),
      hash: z.string().describe('SHA-256 over the previous hash and this entry as stored'),
    }),
  ),
  next: z.number().nullable().describe('The `since` of the next page, or null at the end'),
});

/** The OpenAPI 3.1 document of the sessions API, generated from the zod schemas above. */
export function buildOpenApi(serverUrl: string) {
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12' });
  const json = (s: z.ZodType, description: string) => ({
    description,
    content: { 'application/json': { schema: schema(s) } },
  });
  return {
    openapi: '3.1.0',
    info: { title: 'socure-connector sessions API', version: '1' },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'CONNECTOR_API_KEY' } },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/api/sessions': {
        post: {
          summary: 'Start a verification session',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schema(createSessionBody) } },
          },
          responses: {
            '201': json(createSessionResponse, 'Created'),
            '400': json(errorResponse, 'Invalid body'),
            '401': json(errorResponse, 'Missing or wrong API key'),
            '404': json(errorResponse, 'Unknown flow'),
          },
        },
        get: {
          summary: 'List sessions, newest first, a page at a time (without input, result or timeline)',
          description:
            'Pages follow `nextCursor` (keyset pagination: a session started meanwhile does not shift the pages). ' +
            'Filters combine. The answer has what `GET /api/sessions/{id}` gives by default, less the result ' +
            'and the timeline: no personal data beyond the customerUserId you gave.',
          parameters: [
            {
              name: 'status',
              in: 'query',
              required: false,
              description: sessionListQuery.shape.status.description,
              schema: schema(z.enum(SESSION_STATUSES)),
            },
            {
              name: 'flow',
              in: 'query',
              required: false,
              description: sessionListQuery.shape.flow.description,
              schema: { type: 'string', minLength: 1, maxLength: 100 },
            },
            {
              name: 'customerUserId',
              in: 'query',
              required: false,
              description: sessionListQuery.shape.customerUserId.description,
              schema: schema(customerUserIdParam),
            },
            {
              name: 'cursor',
              in: 'query',
              required: false,
              description: sessionListQuery.shape.cursor.description,
              schema: { type: 'string' },
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: {
                type: 'integer',
                minimum: 1,
                maximum: SESSION_LIST_MAX,
                default: SESSION_LIST_DEFAULT,
              },
            },
          ],
          responses: {
            '200': json(sessionListResponse, 'A page of sessions'),
            '400': json(errorResponse, 'Invalid query (the message names the parameter)'),
            '401': json(errorResponse, 'Missing or wrong API key'),
          },
        },
      },
      '/api/sessions/{id}/cancel': {
        post: {
          summary: 'Cancel a session that has not ended: it ends with outcome "cancelled"',
          description:
            'Ends the session as any end does: the timeline gets a `cancelled` entry, the audit trail a ' +
            '`session.cancelled` entry naming the API key, the app gets its `session.completed` callback and the ' +
            "person's page shows that the verification was cancelled. A Socure webhook or a timeout arriving " +
            'later changes nothing. A step in flight (a Socure call) is waited for a few seconds.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': json(sessionResponse, 'The cancelled session (as GET /api/sessions/{id} gives it)'),
            '401': json(errorResponse, 'Missing or wrong API key'),
            '404': json(errorResponse, 'Unknown session'),
            '409': json(
              z.union([alreadyEndedResponse, errorResponse]),
              'The session had already ended (`already_ended`, with its status and outcome; nothing changed), ' +
                'or a step held it longer than the cancel waits (`session_busy`: try again after Retry-After)',
            ),
          },
        },
      },
      '/api/customers/{customerUserId}': {
        delete: {
          summary: 'Erase a person: every personal field held for this customerUserId, in one transaction',
          description:
            'Sessions keep their non-personal record (flow, outcome, timestamps, reference ids, reason codes, ' +
            'decision); unfinished ones end as failed; Socure deliveries are deleted; callbacks are emptied (a ' +
            'pending one is not sent). The audit trail records the erasure with a keyed hash, not the id.',
          parameters: [
            { name: 'customerUserId', in: 'path', required: true, schema: schema(customerUserIdParam) },
          ],
          responses: {
            '200': json(erasureResponse, 'Erased (counts may be 0)'),
            '400': json(errorResponse, 'Invalid customerUserId'),
            '401': json(errorResponse, 'Missing or wrong API key'),
          },
        },
      },
      '/api/audit': {
        get: {
          summary: 'The audit trail, in chain order (for a SIEM)',
          parameters: [
            {
              name: 'since',
              in: 'query',
              required: false,
              description: 'An entry number (entries after it) or an ISO 8601 time (entries at or after it)',
              schema: { type: 'string' },
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
          ],
          responses: {
            '200': json(auditResponse, 'A page of entries'),
            '400': json(errorResponse, 'Invalid since or limit'),
            '401': json(errorResponse, 'Missing or wrong API key'),
          },
        },
      },
      '/api/sessions/{id}': {
        get: {
          summary: "Read a session: status, outcome, result and timeline (the person's data only if asked)",
          description: PERSONAL_DATA_NOTE,
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'include',
              in: 'query',
              required: false,
              description: sessionQuery.shape.include.description,
              schema: schema(sessionQuery.shape.include.unwrap()),
            },
          ],
          responses: {
            '200': json(sessionResponse, 'The session'),
            '400': json(errorResponse, 'Invalid query: include takes only "input"'),
            '401': json(errorResponse, 'Missing or wrong API key'),
            '404': json(errorResponse, 'Unknown session'),
          },
        },
      },
    },
    webhooks: {
      'session.completed': {
        post: {
          summary: 'Sent to APP_WEBHOOK_URL when a session ends (Standard Webhooks signature)',
          responses: { '2XX': { description: 'Received' } },
        },
      },
    },
  };
}
