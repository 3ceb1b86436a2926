import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRow } from '../../store/types.js';
import { existingBrowserOf } from '../browser.js';
import type { ServerDeps } from '../deps.js';
import { pageOfChange, settledPageOf } from '../pages/visible-page.js';
import { HSTS } from '../security-headers.js';
import { SseHub } from '../sse-hub.js';

type SessionParams = { id: string; sig: string };

const ignore = () => undefined;

/**
 * Fastify holds a request's objects (request, reply, child logger, parsed cookies, a cookie map: ~0.7 KB) until its
 * response finishes, to log it, through a listener on the response's 'finish' and 'error'. An event stream ends
 * with its connection, where 'finish' never fires, so they were kept for the stream's whole life. That listener
 * (the one on both events) is dropped; a shared no-op stays on 'error' so an error writing to a closing stream is
 * not thrown. A stream's end is then not logged by Fastify (only a shutdown ended streams with 'finish').
 */
function releaseRequestObjects(res: ServerResponse): void {
  const onFinish = res.listeners('finish');
  for (const listener of res.listeners('error')) {
    if (!onFinish.includes(listener)) continue;
    res.removeListener('finish', listener as () => void);
    res.removeListener('error', listener as () => void);
  }
  res.on('error', ignore);
}

/**
 * What a waiting page listens to: `/status` (its poll) and `/events` (Server-Sent Events), both naming the page the
 * session shows (see settledPageOf), so the page reloads once per page the person should see.
 */
export function registerSessionEvents(app: FastifyInstance, deps: ServerDeps): void {
  const { engine, store, signer } = deps;
  const pageOf = (session: SessionRow) => settledPageOf(session, engine.node(session));

  /** Only for the claiming browser (they never claim: the page load does). */
  async function claimant(req: FastifyRequest<{ Params: SessionParams }>, reply: FastifyReply) {
    const { id, sig } = req.params;
    const session = signer.verifySession(id, sig) ? await store.getSession(id) : undefined;
    if (!session) {
      reply.code(404).send({ error: 'not_found', message: 'no such session' });
      return undefined;
    }
    const browser = existingBrowserOf(req);
    if (!browser || !(await store.claimSession(id, browser))) {
      reply.code(403).send({ error: 'claimed_elsewhere', message: 'the session is open in another browser' });
      return undefined;
    }
    return session;
  }

  app.get('/s/:id/:sig/status', async (req: FastifyRequest<{ Params: SessionParams }>, reply) => {
    const session = await claimant(req, reply);
    if (!session) return reply;
    const { status, version, outcome } = session;
    return reply
      .header('cache-control', 'no-store')
      .send({ status, version, outcome, page: pageOf(session) ?? null });
  });

  // Past the caps a stream is answered 429 and the page's script polls /status instead, so one client (or a
  // flood) cannot hold every socket.
  const hub = new SseHub({
    changes: store.changes,
    read: async (id, change) => {
      const page = change && pageOfChange(change);
      if (change && page) return { version: change.version, status: change.status, page };
      const session = await store.getSession(id);
      return session && { version: session.version, status: session.status, page: pageOf(session) };
    },
    maxPerClient: deps.sseMaxPerClient ?? 20,
    maxStreams: deps.sseMaxStreams ?? 10_000,
    onReadError: (err, sessionId) => app.log.warn({ err, sessionId }, 'event stream: session not read'),
  });
  // Without this `app.close()` (and so `socure-connector start`'s shutdown) waits for every open page.
  app.addHook('preClose', async () => hub.closeAll());
  deps.metrics?.countSseStreamsWith(() => hub.size);

  // hijack() skips the onSend hook that sets these on every other answer.
  const headers = {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(deps.publicUrl.startsWith('https:') ? { 'strict-transport-security': HSTS } : {}),
  };
  // No HEAD twin: a HEAD answer cannot carry the stream, and would hold a stream slot unanswered.
  const noHead = { exposeHeadRoute: false };
  app.get('/s/:id/:sig/events', noHead, async (req: FastifyRequest<{ Params: SessionParams }>, reply) => {
    const session = await claimant(req, reply);
    if (!session) return reply;
    if (!hub.hasRoom(req.ip)) {
      return reply.code(429).header('retry-after', '30').send({
        error: 'too_many_streams',
        message: 'too many open event streams; poll the status URL instead',
      });
    }
    reply.hijack();
    reply.raw.writeHead(200, headers);
    releaseRequestObjects(reply.raw);
    hub.add(session.id, reply.raw, req.ip);
  });
}
