import type { FastifyRequest } from 'fastify';

/**
 * The app parses nothing itself (see app.ts): routes take the raw bytes and decide here, so that a
 * wrong content type or broken JSON gets Socure's 400 body instead of Fastify's default error shape.
 */
export type JsonBody = { ok: true; value: unknown } | { ok: false; msg: string };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function readJsonBody(request: FastifyRequest): JsonBody {
  const type = request.headers['content-type'];
  if (typeof type !== 'string' || !JSON_TYPE.test(type.trim())) {
    return { ok: false, msg: 'Content-Type must be application/json' };
  }
  const raw = request.body;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
  if (text.trim() === '') return { ok: false, msg: 'The request body is empty; expected a JSON object' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, msg: 'The request body is not valid JSON' };
  }
}
