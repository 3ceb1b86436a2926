import { describeRequest, type RawAnswer, type RawRequest } from './http.js';

/**
 * What every answer must look like. Throws (fast-check then shrinks the request) on a 5xx or on a 4xx
 * whose body is not the documented error shape of its route.
 */
export class ShapeViolation extends Error {
  constructor(req: RawRequest, res: RawAnswer, why: string) {
    super(
      `${why}\n  request: ${describeRequest(req)}\n  answer: ${res.status} ${res.type} ${res.text.slice(0, 400)}`,
    );
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const pathOf = (req: RawRequest) => req.path.split('?')[0] ?? req.path;

/** The service's JSON error shape (app.ts's error handler, the README's Sessions API): `{ error: string, message? }`. */
function isServiceJsonError(res: RawAnswer): boolean {
  if (!res.type.startsWith('application/json')) return false;
  const body = parseJson(res.text);
  return (
    isObject(body) &&
    typeof body.error === 'string' &&
    (body.message === undefined || typeof body.message === 'string')
  );
}

const isHtml = (res: RawAnswer) => res.type.startsWith('text/html') && /<html/i.test(res.text);

/** The service: JSON under /api/ and /webhooks/; HTML pages elsewhere (the status/events JSON endpoints may answer either). */
export function checkServiceAnswer(req: RawRequest, res: RawAnswer): void {
  if (res.status >= 500) throw new ShapeViolation(req, res, `server error ${res.status}`);
  if (res.status < 400 || req.method === 'HEAD') return;
  const path = req.path;
  if (path.startsWith('/api/') || path.startsWith('/webhooks/')) {
    if (!isServiceJsonError(res))
      throw new ShapeViolation(req, res, 'a JSON route answered a 4xx without {error: string}');
    return;
  }
  if (/^\/s\/[^/]*\/[^/]*\/(status|events)$/.test(pathOf(req)) && isServiceJsonError(res)) return;
  if (!isHtml(res)) throw new ShapeViolation(req, res, 'a page answered a 4xx that is not an HTML page');
}

/** Socure's error body (sandbox errors.ts): `{status: "Error", referenceId, msg, data?: {parameters: string[]}}`. */
function isSocureError(res: RawAnswer): boolean {
  if (!res.type.startsWith('application/json')) return false;
  const body = parseJson(res.text);
  if (!isObject(body)) return false;
  if (body.status !== 'Error' || typeof body.referenceId !== 'string' || typeof body.msg !== 'string')
    return false;
  if (body.data === undefined) return true;
  return (
    isObject(body.data) &&
    Array.isArray(body.data.parameters) &&
    body.data.parameters.every((p) => typeof p === 'string')
  );
}

/** Sandbox paths that are pages for people (capture app, admin pages, SMS outbox). */
const SANDBOX_PAGE = /^\/(capture\/|admin(\/(?!api\/)|$)|sandbox\/outbox$)/;

/** The sandbox: Socure's error shape on its API and JSON helpers; HTML (or Socure JSON for unknown routes) on pages. */
export function checkSandboxAnswer(req: RawRequest, res: RawAnswer): void {
  if (res.status >= 500) throw new ShapeViolation(req, res, `server error ${res.status}`);
  if (res.status < 400 || req.method === 'HEAD') return;
  if (isSocureError(res)) return;
  if (SANDBOX_PAGE.test(pathOf(req)) && isHtml(res)) return;
  throw new ShapeViolation(
    req,
    res,
    "a 4xx that is neither Socure's error body nor (on a page) an HTML page",
  );
}
