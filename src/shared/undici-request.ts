/**
 * undici's `request`, loaded with the first call rather than at start: it lives in undici's index, which also
 * loads fetch, cookies, WebSocket and the mock agent (see undici-agent.ts; bench/cold-start.ts).
 */
let loading: Promise<typeof import('undici').request> | undefined;

export function undiciRequest(): Promise<typeof import('undici').request> {
  loading ??= import('undici').then((undici) => undici.request);
  return loading;
}
