import { SocureInputError } from './errors.js';

/**
 * Keeps custom calls on the configured base URL: the key is attached to every request, so a path
 * that could resolve to another host (absolute URL, `//host`, backslashes) or climb out of the base
 * path (`..`, encoded dots or slashes) is refused before any request is made.
 */
export function guardPath(endpoint: string): { path: string; query: URLSearchParams } {
  if (typeof endpoint !== 'string' || endpoint.trim() === '') {
    throw new SocureInputError('endpoint', 'must be a path such as /api/3.0/EmailAuthScore');
  }
  const [rawPath = '', rawQuery = ''] = endpoint.trim().split(/\?(.*)/s, 2);
  const refuse = (why: string) => {
    throw new SocureInputError('endpoint', `${why}; give a path on the configured Socure API URL`);
  };
  if (/^[a-z][a-z0-9+.-]*:/i.test(rawPath)) refuse('absolute URLs are not allowed');
  if (!rawPath.startsWith('/')) refuse('must start with "/"');
  if (rawPath.startsWith('//')) refuse('"//" would change the host');
  if (rawPath.includes('\\')) refuse('backslashes are not allowed');
  if (rawPath.includes('#')) refuse('fragments are not allowed');
  if (/[\u0000-\u001f\u007f\s]/.test(rawPath)) refuse('control characters and spaces are not allowed');
  if (/%(2e|2f|5c|25|00)/i.test(rawPath))
    refuse('encoded dots, slashes, backslashes or percent signs are not allowed');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return refuse('malformed percent-encoding');
  }
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.'))
    refuse('"." and ".." segments are not allowed');
  if (decoded.includes('@')) refuse('"@" is not allowed in the path');
  return { path: rawPath, query: new URLSearchParams(rawQuery) };
}
