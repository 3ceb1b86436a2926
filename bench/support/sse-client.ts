/**
 * The browser side of the SSE benches, over node:http from chosen loopback addresses (127.10.x.y: Linux routes
 * all of 127/8 to the loopback interface), so the service sees many clients and its per-client limits (20 open
 * streams, 600 page requests a minute) hold as shipped.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';

/** The i-th client address (62,500 of them). */
export function loopbackAddress(i: number): string {
  return `127.10.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

export interface CallResult {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

/** One HTTP exchange on its own connection from `localAddress`. */
export function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; localAddress: string },
): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      localAddress: init.localAddress,
      agent: false,
      timeout: 15_000,
    });
    req.on('timeout', () => req.destroy(new Error(`${init.method ?? 'GET'} ${url}: no answer in 15 s`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.end(init.body);
  });
}

export interface OwnedSession {
  id: string;
  /** The signed page path, /s/<id>/<sig>. */
  path: string;
  /** The `sc_browser` cookie of the browser that opened the page first (and so owns the session). */
  cookie: string;
  localAddress: string;
}

/** Creates a session through the API, then opens its page as a browser at `localAddress` would (claiming it). */
export async function createOwnedSession(
  baseUrl: string,
  apiKey: string,
  localAddress: string,
  body: Record<string, unknown>,
): Promise<OwnedSession & { status: string }> {
  const created = await call(`${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    localAddress,
  });
  if (created.status !== 201) throw new Error(`create session: ${created.status} ${created.text}`);
  const { id, url, status } = JSON.parse(created.text) as { id: string; url: string; status: string };
  const path = /\/s\/[^/]+\/[^/?#]+/.exec(url)?.[0];
  if (!path) throw new Error(`no session path in ${url}`);
  const page = await call(`${baseUrl}${path}`, { localAddress });
  const setCookie = page.headers['set-cookie']?.[0]?.split(';')[0];
  if (page.status !== 200 || !setCookie)
    throw new Error(`opening ${path}: ${page.status}, no browser cookie`);
  return { id, path, cookie: setCookie, localAddress, status };
}

export interface SseEvent {
  /** performance.now() when the chunk holding it arrived. */
  at: number;
  type: string;
  data: Record<string, unknown>;
}

/** One open event stream, as a waiting page holds it: every event with its arrival time. */
export class SseStream {
  readonly events: SseEvent[] = [];
  /** Resolves on the first event (the state at connection time); rejects on any answer but 200. */
  readonly opened: Promise<void>;
  readonly #req: ReturnType<typeof httpRequest>;
  readonly #waiters = new Set<() => void>();

  constructor(url: string, session: Pick<OwnedSession, 'cookie' | 'localAddress'>) {
    this.#req = httpRequest(url, {
      headers: { accept: 'text/event-stream', cookie: session.cookie },
      localAddress: session.localAddress,
      agent: false,
    });
    this.opened = new Promise((resolve, reject) => {
      this.#req.on('error', reject);
      this.#req.on('response', (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`event stream ${url}: ${res.statusCode}`));
          res.resume();
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const type = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (type && data) this.events.push({ at, type, data: JSON.parse(data) });
          }
          if (this.events.length > 0) resolve();
          for (const wake of this.#waiters) wake();
        });
        res.on('error', () => undefined);
      });
    });
    this.opened.catch(() => undefined);
    this.#req.end();
  }

  /** The first event at or after `since` that `match` accepts, or undefined after `ms`. */
  async next(since: number, match: (e: SseEvent) => boolean, ms: number): Promise<SseEvent | undefined> {
    const deadline = performance.now() + ms;
    for (;;) {
      const found = this.events.find((e) => e.at >= since && match(e));
      if (found) return found;
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      await new Promise<void>((wake) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          wake();
        };
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
  }

  close(): void {
    this.#req.destroy();
  }
}
