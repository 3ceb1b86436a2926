import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** What the sandbox keeps of an image: its size and digest. The bytes are dropped when this returns. */
export type UploadResult = { ok: true; bytes: number; sha256: string } | { ok: false; msg: string };

export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const isImageType = (t: string) => /^image\/[\w.+-]+$/i.test(t) || /^application\/octet-stream$/i.test(t);

/**
 * One image from a capture-app step: the single file field of an HTML form (multipart/form-data, parsed
 * here because @fastify/multipart is not a dependency) or a bare `image/*` / octet-stream body.
 */
export function readUpload(request: FastifyRequest): UploadResult {
  const type = String(request.headers['content-type'] ?? '');
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  let content: Buffer;
  if (/^multipart\/form-data/i.test(type)) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
    const part = boundary ? fileOf(body, boundary[1] ?? boundary[2]!) : undefined;
    if (!part) return { ok: false, msg: 'No photo was attached. Choose or take a photo, then upload it.' };
    if (!isImageType(part.type)) return { ok: false, msg: 'That file is not an image. Choose a photo.' };
    content = part.content;
  } else if (isImageType(type.split(';')[0]!.trim())) {
    content = body;
  } else {
    return { ok: false, msg: 'Send the photo as a form upload (multipart/form-data) or as an image/* body.' };
  }
  if (content.length === 0) return { ok: false, msg: 'The photo is empty. Choose or take a photo first.' };
  return { ok: true, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

/** The first part with a filename; parts are separated by CRLF--boundary (RFC 7578). */
function fileOf(body: Buffer, boundary: string): { type: string; content: Buffer } | undefined {
  const opening = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(opening);
  if (pos === -1) return undefined;
  pos += opening.length;
  for (let guard = 0; guard < 100; guard++) {
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') return undefined; // closing delimiter
    const headerStart = pos + 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) return undefined;
    const end = body.indexOf(separator, headerEnd + 4);
    if (end === -1) return undefined;
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const disposition = /^content-disposition:.*$/im.exec(headers)?.[0] ?? '';
    if (/filename\*?=/i.test(disposition)) {
      const partType = /^content-type:\s*([^\s;]+)/im.exec(headers)?.[1] ?? 'application/octet-stream';
      return { type: partType, content: body.subarray(headerEnd + 4, end) };
    }
    pos = end + separator.length;
  }
  return undefined;
}
