import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResendOutcome } from '../../flows/engine-options.js';
import { existingBrowserOf } from '../browser.js';
import { type ServerDeps, sessionPath } from '../deps.js';
import type { SmsNotice } from '../pages/sms-controls.js';

type Params = { id: string; sig: string };
type Body = Record<string, unknown> | undefined;

/** The page's notice for what the engine did. */
function noticeOf(outcome: ResendOutcome): SmsNotice | undefined {
  if ('sent' in outcome) return outcome.sent;
  if ('fieldError' in outcome) return `number-${outcome.fieldError.code}` as SmsNotice;
  if ('failed' in outcome) return 'failed';
  if (outcome.refused === 'not-waiting') return undefined; // the page shows where the session is now
  return outcome.refused;
}

/**
 * The waiting page's "Resend the text message" and "Change number" forms (a wait node with `resend`): both go
 * through the engine (rate limit, lease, new transaction), then back to the session page with `?sms=<notice>`.
 */
export function registerSmsResend(app: FastifyInstance, deps: ServerDeps): void {
  const { engine, store, signer } = deps;
  const back = (reply: FastifyReply, id: string, notice?: SmsNotice) =>
    reply.redirect(`${sessionPath(deps, id)}${notice ? `?sms=${notice}` : ''}`, 303);

  const handle =
    (phoneFrom: ((body: Record<string, unknown>) => unknown) | undefined) =>
    async (req: FastifyRequest<{ Params: Params; Body: Body }>, reply: FastifyReply) => {
      const { id, sig } = req.params;
      if (!signer.verifySession(id, sig) || !(await store.getSession(id))) return reply.callNotFound();
      const body = req.body ?? {};
      const browser = existingBrowserOf(req);
      // Only the browser that holds the session, with the page's form token; the page explains anything else
      // (another browser gets "continue on your first device").
      if (!browser || !signer.verifyCsrf(`session:${id}:${browser}`, body.csrf, Date.now()))
        return back(reply, id, 'expired');
      if (!(await store.claimSession(id, browser))) return back(reply, id);
      const outcome = await engine.resend(id, phoneFrom ? { phone: phoneFrom(body) } : {});
      return back(reply, id, noticeOf(outcome));
    };

  // The engine's own limits are per session; this one stops a client hammering the endpoint.
  const limited = { config: { rateLimit: { max: 20, timeWindow: '1 minute' } } };
  app.post('/s/:id/:sig/sms/resend', limited, handle(undefined));
  app.post(
    '/s/:id/:sig/sms/number',
    limited,
    // Absent counts as empty (refused as required); validateForm refuses anything that is not text.
    handle((body) => body.phoneNumber ?? ''),
  );
}
