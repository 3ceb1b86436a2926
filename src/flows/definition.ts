import { z } from 'zod';
import { arrayThen, stringThen } from '../shared/length-checks.js';
import { OUTCOMES } from '../store/types.js';
import { WAIT_EVENT_TYPES } from '../webhooks/index.js';
import { deviceSessionNeedsField } from './front-end-options.js';

/**
 * A flow is data: nodes keyed by id, starting at `start`. Strings may hold `{{…}}` references to the
 * session (`{{session.customerUserId}}`), its input (`{{input.firstName}}`) and earlier nodes' outputs
 * (`{{getUrl.url}}`).
 */

const nodeId = z.string().regex(/^[A-Za-z][\w-]*$/, 'node ids are letters, digits, _ and -');
// Length checks behind stringThen/arrayThen: zod would measure a non-string's `length` (a TypeError on
// {"length":{…}}, a RangeError on deep arrays) instead of reporting the field.
const plainText = stringThen(z.string().max(2000));
/**
 * A text the person reads: one string, or one per language (`{"en": "Your details", "es": "Sus datos"}`). Pages
 * show the page's language, else English, else the first given (see localized.ts).
 */
const text = z.union(
  [
    plainText,
    z
      .record(
        z.string().regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i, 'expected a language tag such as en or es-MX'),
        plainText,
      )
      .refine((texts) => Object.keys(texts).length > 0, 'give the text in at least one language'),
  ],
  { error: 'expected a text, or an object of texts by language ({"en": "…", "es": "…"})' },
);

export const durationSchema = z
  .string()
  .regex(/^\d+(ms|s|m|h)$/, 'expected a duration such as 30s, 15m or 1h')
  .transform((v) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h)$/.exec(v)!;
    return Number(n) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  });

export const FIELD_TYPES = ['text', 'email', 'tel', 'date', 'number', 'select', 'hidden'] as const;

export const formFieldSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][\w]*$/, 'field names are letters, digits and _'),
  label: text,
  type: z.enum(FIELD_TYPES).default('text'),
  required: z.boolean().default(false),
  /**
   * The value the form starts with; may be a reference such as {{input.email}}. A list is tried in order: the
   * first that resolves to non-blank text wins (`["{{input.country}}", "US"]`).
   */
  default: z.union([z.string(), arrayThen(z.array(z.string()).min(1).max(10))]).optional(),
  /**
   * A demo value, used only on the embedded sandbox, for a session started without `input`, when `default`
   * gives nothing (the stock persona of the shipped flows). Never counts towards `skipIfComplete`.
   */
  demo: stringThen(z.string().max(1000)).optional(),
  help: text.optional(),
  autocomplete: z.string().optional(),
  options: z.array(z.strictObject({ value: z.string(), label: text })).optional(),
  maxLength: z.number().int().positive().max(1000).default(200),
});
export type FormField = z.infer<typeof formFieldSchema>;
/** A flow text: one string, or one per language tag. */
export type LocalizedText = z.infer<typeof text>;

const pageFields = {
  title: text,
  message: text.optional(),
  /** A PNG/SVG data URL reference to show as a QR code. */
  qrCode: z.string().optional(),
  /** A link to show (e.g. the capture URL). */
  link: z.string().optional(),
  linkLabel: text.optional(),
  /** A reference to an ID+ answer to show in full: decision, every score, every reason code explained. */
  scoreDetails: z.string().optional(),
};

const capabilityNode = z.strictObject({
  type: z.literal('capability'),
  capability: stringThen(z.string().min(1)),
  /** The capability's input; strings may hold references. */
  input: z.record(z.string(), z.unknown()).default({}),
  next: nodeId,
  /** Where to go when the capability fails; the node's output is then `{ error: { message, field?, kind } }`. */
  onError: nodeId.optional(),
  /** Store the output under this name instead of the node id, e.g. a retry that replaces an earlier result. */
  saveAs: nodeId.optional(),
  /**
   * How long a transient failure (429, 5xx, connection, timeout) is retried, with backoff, while the person's
   * page keeps waiting, before `onError`. Default 10m for a result fetch (a step a wait leads to), else 0s.
   */
  retryFor: durationSchema.optional(),
});

const screenNode = z
  .strictObject({
    type: z.literal('screen'),
    ...pageFields,
    fields: z.array(formFieldSchema).default([]),
    /** The submit button; default "Continue" in the page's language. */
    submitLabel: text.optional(),
    /** A node whose `error.message` is shown on this screen (after going back to it on error). */
    errorFrom: nodeId.optional(),
    /**
     * Skip the page when its fields' defaults (never `demo` values) pass the form's checks: the session moves on
     * as if they were submitted. Only on the first arrival: back here after an error, the page is shown.
     */
    skipIfComplete: z.boolean().default(false),
    /** Shown instead of `message` when the form holds `demo` values (the embedded sandbox's demo). */
    demoMessage: text.optional(),
    /**
     * Load Socure's device collector (Sigma Device) on this page; it fills the hidden field `deviceSessionId` for
     * the ID+ `devicerisk` module. See src/server/pages/device-session.ts.
     */
    deviceSession: z.boolean().optional(),
    next: nodeId,
  })
  .superRefine(deviceSessionNeedsField);

const waitNode = z.strictObject({
  type: z.literal('wait'),
  ...pageFields,
  /** The status line under the page while it waits; default "Waiting…" in the page's language. */
  statusText: text.optional(),
  /**
   * DocV inside this page with Socure's Web SDK (the SDK key and the challenge's docvTransactionToken); the QR
   * code and link stay as the fallback. See src/server/pages/docv-sdk.ts.
   */
  docvSdk: z.boolean().optional(),
  /** Correlation keys of the challenge; at least one must resolve to a value. */
  challenge: z
    .strictObject({
      docvTransactionToken: z.string().optional(),
      referenceId: z.string().optional(),
      customerUserId: z.string().optional(),
    })
    .refine((c) => Object.values(c).some(Boolean), 'name at least one correlation key'),
  /** Socure events that resolve the wait (→ branches.resolved): DocV's, or RiskOS's such as evaluation_completed. */
  events: arrayThen(z.array(z.enum(WAIT_EVENT_TYPES)).min(1)),
  timeout: durationSchema,
  branches: z.strictObject({
    resolved: nodeId,
    timeout: nodeId,
    /** SESSION_EXPIRED */
    expired: nodeId.optional(),
    /** CONSENT_DECLINED */
    declined: nodeId.optional(),
    /** DOCUMENTS_UPLOAD_FAILED */
    failed: nodeId.optional(),
  }),
  /**
   * "Resend the text message" (and "Change number" with `phone`) on the waiting page: re-runs the capability
   * node `node` (a new transaction) and waits on its keys instead. See src/flows/resend.ts and docs/flows.md.
   */
  resend: z
    .strictObject({
      node: nodeId,
      /** The least time between two sends (the first counts from when the wait began). */
      interval: durationSchema.prefault('30s'),
      /** How many times the message may be sent again in one session, changes of number included. */
      max: z.number().int().min(1).max(20).default(5),
      /** The screen and its `tel` field holding the number: offers "Change number". */
      phone: z.strictObject({ screen: nodeId, field: z.string().min(1) }).optional(),
    })
    .optional(),
});

/** A list of reason codes (or other text values) for `hasAnyOf` / `hasNoneOf`. */
const codeList = arrayThen(
  z
    .array(stringThen(z.string().trim().min(1).max(100)))
    .min(1)
    .max(500),
);

const VALUE_OPERATORS = ['equals', 'in', 'exists', 'gte', 'lte'] as const;
const LIST_OPERATORS = ['hasAnyOf', 'hasNoneOf'] as const;

const conditionSchema = z
  .strictObject({
    /**
     * What the condition looks at: one string, usually a reference (`{{score.rawResponse.decision.value}}`).
     * With `hasAnyOf` / `hasNoneOf` it may be a list of strings: the lists they resolve to are pooled, e.g.
     * the reason codes of several ID+ modules.
     */
    value: z.union([z.string(), arrayThen(z.array(z.string()).min(1).max(50))], {
      error: 'expected a text (usually a {{reference}}), or with hasAnyOf / hasNoneOf a list of them',
    }),
    equals: z.unknown().optional(),
    in: z.array(z.unknown()).optional(),
    exists: z.boolean().optional(),
    gte: z.number().optional(),
    lte: z.number().optional(),
    /** Holds when the value (a list, or several pooled) holds at least one of these, e.g. reason codes. */
    hasAnyOf: codeList.optional(),
    /** Holds when the value (a list, or several pooled) holds none of these; false when no list resolves. */
    hasNoneOf: codeList.optional(),
  })
  .superRefine((c, ctx) => {
    const has = (k: string) => k in c && (c as Record<string, unknown>)[k] !== undefined;
    const valueOps = VALUE_OPERATORS.filter((k) => k in c);
    const listOps = LIST_OPERATORS.filter(has);
    if (valueOps.length === 0 && listOps.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'a condition needs one of equals, in, exists, gte, lte, hasAnyOf, hasNoneOf',
      });
    } else if (listOps.length > 0 && valueOps.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [valueOps[0]!],
        message: `${listOps.join(' and ')} cannot be combined with ${valueOps.join(', ')}: use another rule`,
      });
    } else if (Array.isArray(c.value) && listOps.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message:
          'a list of values is only for hasAnyOf / hasNoneOf; equals, in, exists, gte and lte take one',
      });
    }
  });
export type Condition = z.infer<typeof conditionSchema>;

const branchNode = z.strictObject({
  type: z.literal('branch'),
  /** Switch on one value: `cases` maps its string form to a node. */
  value: z.string().optional(),
  cases: z.record(z.string(), nodeId).optional(),
  /** Checked in order before `cases`. */
  rules: z.array(z.strictObject({ if: conditionSchema, next: nodeId })).optional(),
  default: nodeId,
});

const endNode = z.strictObject({
  type: z.literal('end'),
  outcome: z.enum(OUTCOMES),
  ...pageFields,
  /** The button back to the app's returnUrl; default "Continue" in the page's language. */
  continueLabel: text.optional(),
  /** The button that starts the flow again (failed or expired outcomes without a returnUrl); default "Start again". */
  retryLabel: text.optional(),
  /** What the embedding app receives; values may be references. */
  result: z.record(z.string(), z.unknown()).default({}),
});

export const nodeSchema = z.discriminatedUnion('type', [
  capabilityNode,
  screenNode,
  waitNode,
  branchNode,
  endNode,
]);
export type FlowNode = z.infer<typeof nodeSchema>;
export type NodeOf<T extends FlowNode['type']> = Extract<FlowNode, { type: T }>;

export const flowSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'flow ids are lower-case letters, digits and -'),
  title: text,
  description: text.optional(),
  start: nodeId,
  /** How long a session of this flow may live. */
  ttl: durationSchema.prefault('1h'),
  /**
   * Whether result pages show an end node's `scoreDetails` (Socure's scores and reason codes, which tip off a
   * fraudster): true for a demo, false never. Unset: only while the service runs on the embedded sandbox.
   */
  showScoreDetails: z.boolean().optional(),
  nodes: z.record(nodeId, nodeSchema),
});
export type Flow = z.infer<typeof flowSchema>;
