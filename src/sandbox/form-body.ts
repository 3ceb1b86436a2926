import type { FastifyRequest } from 'fastify';
import { readJsonBody } from './json-body.js';

/**
 * Reads an HTML form (application/x-www-form-urlencoded) or a JSON object into plain string/other
 * values. The app hands every body over as raw bytes (see app.ts), so this is all the parsing pages need.
 */
export type FormBody = { ok: true; value: Record<string, unknown> } | { ok: false; msg: string };

export function readFormOrJson(request: FastifyRequest): FormBody {
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
    return { ok: true, value: Object.fromEntries(new URLSearchParams(raw)) };
  }
  if (request.body === undefined || (Buffer.isBuffer(request.body) && request.body.length === 0)) {
    return { ok: true, value: {} };
  }
  const json = readJsonBody(request);
  if (!json.ok) return json;
  if (json.value === null || typeof json.value !== 'object' || Array.isArray(json.value)) {
    return { ok: false, msg: 'The request body must be a JSON object' };
  }
  return { ok: true, value: json.value as Record<string, unknown> };
}
