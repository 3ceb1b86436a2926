import { Agent } from 'undici';

/** One request exactly as generated: the raw path (not normalised by a URL parser), headers, body bytes. */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface RawAnswer {
  status: number;
  type: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Keep-alive connections over loopback, one pool per client address: 127.0.0.0/8 is all loopback on Linux, so
 * a request can come from 127.0.0.2, .3… and land in its own per-IP rate-limit bucket.
 */
const agents = new Map<string, Agent>();
const agentFor = (localAddress = '127.0.0.1') => {
  let agent = agents.get(localAddress);
  if (!agent) {
    agent = new Agent({ keepAliveTimeout: 30_000, connections: 8, pipelining: 1, localAddress });
    agents.set(localAddress, agent);
  }
  return agent;
};

/**
 * Sends one request and reads the whole answer. An event stream (a valid waiting page's SSE) never ends, so
 * only its status and headers are read and the connection is dropped, as a closed browser tab would.
 */
export async function send(origin: string, req: RawRequest, localAddress?: string): Promise<RawAnswer> {
  if (process.env.FUZZ_TRACE) console.error(`> ${describeRequest(req).slice(0, 200)}`);
  const res = await agentFor(localAddress).request({
    origin,
    path: req.path,
    method: req.method as 'GET',
    headers: req.headers,
    body: req.body,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const type = String(res.headers['content-type'] ?? '');
  let text = '';
  if (type.startsWith('text/event-stream')) {
    res.body.on('error', () => undefined); // the abort we cause
    res.body.destroy();
  } else {
    text = await res.body.text();
  }
  return { status: res.statusCode, type, headers: res.headers, text };
}

/** A short description of a request for failure messages (bodies cut: some are 300 kB). */
export function describeRequest(req: RawRequest): string {
  const body =
    req.body === undefined
      ? ''
      : typeof req.body === 'string'
        ? req.body.slice(0, 300)
        : `<${req.body.length} bytes> ${req.body.subarray(0, 120).toString('hex')}`;
  return `${req.method} ${req.path.slice(0, 300)} ${JSON.stringify(req.headers)} ${body}`;
}
