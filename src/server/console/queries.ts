/**
 * The console's search forms and actions as zod schemas: an empty field of a GET form means "any", so blank
 * strings become undefined before they are checked.
 */
import { z } from 'zod';
import { OUTCOMES } from '../../store/types.js';
import { decodeSessionCursor } from '../api-schemas.js';

const DAY_MS = 86_400_000;
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

/** A date (YYYY-MM-DD, UTC) or a date and time (YYYY-MM-DDTHH:MM, UTC) as ms since epoch. */
const when = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/, 'must be YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)')
  .transform((v, ctx) => {
    const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : `${v}:00Z`);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'is not a date' });
      return z.NEVER;
    }
    return { ms, dateOnly: v.length === 10 };
  });

export const sessionSearch = z.object({
  flow: optional(z.string().trim().max(100)),
  status: optional(z.enum(['running', 'input', 'waiting', 'completed'])),
  outcome: optional(z.enum(OUTCOMES)),
  customerUserId: optional(z.string().trim().max(200)),
  from: optional(when),
  /** Inclusive: a date means to the end of that day. */
  to: optional(when),
  cursor: optional(
    z.string().transform((v, ctx) => {
      const position = decodeSessionCursor(v);
      if (position) return position;
      ctx.addIssue({ code: 'custom', message: 'is not a cursor the console gave' });
      return z.NEVER;
    }),
  ),
});
export type SessionSearch = z.infer<typeof sessionSearch>;

/** The end of a range as the first moment after it. */
export const endOf = (to: { ms: number; dateOnly: boolean }) => to.ms + (to.dateOnly ? DAY_MS : 60_000);

export const inboxSearch = z.object({
  event: optional(z.string().trim().max(100)),
  state: optional(z.enum(['consumed', 'unmatched', 'pending'])),
  token: optional(z.string().trim().max(200)),
  before: optional(z.coerce.number().int().positive()),
});

/** The charts' period: whole UTC days, 30 days to today by default, at most a year. */
export const chartPeriod = z
  .object({ from: optional(when), to: optional(when) })
  .transform(({ from, to }, ctx) => {
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const end = to ? Math.floor(to.ms / DAY_MS) * DAY_MS + DAY_MS : today + DAY_MS;
    const start = from ? Math.floor(from.ms / DAY_MS) * DAY_MS : end - 30 * DAY_MS;
    if (start >= end) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    if (end - start > 366 * DAY_MS)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'the period is at most a year' });
    return { from: start, to: end };
  });

export const uuid = z.string().regex(/^[0-9a-f-]{36}$/);

/** What "reveal" may show: the customer user id, or one top-level input field. */
export const revealForm = z.object({
  csrf: z.string(),
  field: z.union([z.literal('customerUserId'), z.string().regex(/^input\.[A-Za-z0-9_-]{1,100}$/)]),
});

export const actionForm = z.object({ csrf: z.string() });

/** The first problem zod found, as a line for the page. */
export function problemOf(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.map(String).join('.') || 'form'}: ${issue.message}`;
}
