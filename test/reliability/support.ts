import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request as nodeRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { connectorConfigSchema } from '../../src/connector/config.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { buildTestDelivery, generateTestHeaders } from '../../src/webhooks/index.js';
import {
  hiddenValue,
  PERSONA_FORM,
  startTestService,
  type TestService,
  triggerScenario,
} from '../server/helpers.js';
import { eventually } from '../support/eventually.js';

/** Every magic fault of the sandbox (src/sandbox/idplus/magic.ts). */
export const FAULTS = [
  '429',
  '500',
  '503',
  'slow',
  'malformed',
  'reset',
  'badscore',
  'baddecision',
  'noreference',
] as const;
export type Fault = (typeof FAULTS)[number];

/** Transient for the client and the engine (retried), or a plain delay: the person must get the normal outcome. */
export const RECOVERS_BY_ITSELF: ReadonlySet<Fault> = new Set(['429', '500', '503', 'slow', 'reset']);

/**
 * How many calls each fault spoils (`fault-<kind>-x<N>`). 5 transient failures outlast the client's own
 * retries (3 attempts per call), so the engine's durable step retry has to finish the job. One slow answer
 * (3 s, under the client's 5 s timeout) and one contract breach (not retried: it takes the error path) suffice.
 */
export const TIMES: Record<Fault, number> = {
  '429': 5,
  '500': 5,
  '503': 5,
  slow: 1,
  malformed: 1,
  reset: 5,
  badscore: 1,
  baddecision: 1,
  noreference: 1,
};

export type Endpoint = 'idplus' | 'docv';

/** What the sandbox answered one call the relay marked with a fault. */
export type CallOutcome =
  | 'reset'
  | 'slow'
  | 'malformed'
  | 'badscore'
  | 'baddecision'
  | 'noreference'
  | 'ok'
  | `${number}`;

export interface RelayCall {
  endpoint: Endpoint;
  outcome?: CallOutcome;
  ms?: number;
}

/** What one answer of the sandbox was, as the fault matrix names it. */
function classify(status: number, body: Buffer, ms: number): CallOutcome {
  if (status !== 200) return `${status}`;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'malformed';
  }
  if (json.referenceId === undefined) return 'noreference';
  if ((json.decision as { value?: unknown } | undefined)?.value === 'maybe') return 'baddecision';
  if (/"score":1\.7\b/.test(JSON.stringify(json))) return 'badscore';
  return ms >= 2_900 ? 'slow' : 'ok';
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

/**
 * Places a sandbox fault at one step of a flow. A transparent HTTP relay between the service and the sandbox:
 * a flow sends the same customerUserId at every step, so `fault-<kind>-x<N>` alone always hits the session's
 * first Socure call(s). While a placement is armed for a customerUserId (or a DocV token: the SMS flow's
 * result fetch sends no customerUserId), the relay swaps the customerUserId of that endpoint's calls for the
 * magic one, and the sandbox plays the fault itself (idplus/magic.ts, docv/faults.ts). Everything else passes
 * through untouched, bytes and resets included.
 */
export class FaultRelay {
  readonly #rules = new Map<string, { endpoint: Endpoint; magic: string }>();
  readonly #calls = new Map<string, RelayCall[]>();
  #server: Server | undefined;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#forward(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** From now on, `endpoint` calls for `key` carry `magic` as their customerUserId. */
  place(key: string, endpoint: Endpoint, magic: string): void {
    this.#rules.set(key, { endpoint, magic });
    if (!this.#calls.has(magic)) this.#calls.set(magic, []);
  }

  /** Records, without changing anything, the calls whose own customerUserId is `magic` (a direct fault). */
  watch(magic: string): void {
    if (!this.#calls.has(magic)) this.#calls.set(magic, []);
  }

  clear(key: string): void {
    this.#rules.delete(key);
  }

  /** The calls that carried `magic`, in order, with what the sandbox answered. */
  callsOf(magic: string): RelayCall[] {
    return this.#calls.get(magic) ?? [];
  }

  #forward(req: IncomingMessage, raw: Buffer, res: import('node:http').ServerResponse): void {
    const path = req.url ?? '/';
    const endpoint: Endpoint | undefined = path.startsWith('/api/3.0/EmailAuthScore')
      ? 'idplus'
      : /^\/api\/[35]\.0\/documents\/request/.test(path)
        ? 'docv'
        : undefined;
    let body = raw;
    let call: RelayCall | undefined;
    if (endpoint && req.method === 'POST') {
      try {
        const json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        const rule =
          this.#rules.get(String(json.customerUserId)) ?? this.#rules.get(String(json.docvTransactionToken));
        if (rule && rule.endpoint === endpoint) {
          json.customerUserId = rule.magic;
          body = Buffer.from(JSON.stringify(json));
          call = { endpoint };
          this.#calls.get(rule.magic)!.push(call);
        } else if (this.#calls.has(String(json.customerUserId))) {
          call = { endpoint };
          this.#calls.get(String(json.customerUserId))!.push(call);
        }
      } catch {
        // not JSON: passed on as it is
      }
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers['content-length'] = String(body.length);
    const t0 = performance.now();
    const upstream = nodeRequest(`${this.target}${path}`, { method: req.method, headers }, (up) => {
      const parts: Buffer[] = [];
      up.on('data', (c: Buffer) => parts.push(c));
      up.on('end', () => {
        const answer = Buffer.concat(parts);
        if (call) {
          call.ms = Math.round(performance.now() - t0);
          call.outcome = classify(up.statusCode ?? 0, answer, call.ms);
        }
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(up.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        }
        out['content-length'] = String(answer.length);
        res.writeHead(up.statusCode ?? 502, out).end(answer);
      });
      up.on('error', () => req.socket.destroy());
    });
    // The sandbox destroyed the socket (fault-reset): so does the relay, so the client sees the same reset.
    upstream.on('error', () => {
      if (call) {
        call.ms = Math.round(performance.now() - t0);
        call.outcome = 'reset';
      }
      req.socket.destroy();
    });
    upstream.end(body);
  }

  async close(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server!.close(resolve));
  }
}

/** The service (SQLite, fast step retries) talking to a standalone sandbox through a {@link FaultRelay}. */
export interface FaultRig {
  t: TestService;
  sandbox: RunningSandbox;
  relay: FaultRelay;
  /** The service's Socure webhook URL and the secret the sandbox signs with. */
  webhookUrl: string;
  webhookSecret: string;
  close(): Promise<void>;
}

export async function startFaultRig(): Promise<FaultRig> {
  const sandbox = await startSandbox({ port: 0, deliveryRetryBaseMs: 50 });
  const relay = new FaultRelay(sandbox.url);
  await relay.start();
  const webhookSecret = `fault-matrix-${randomBytes(12).toString('hex')}`;
  const t = await startTestService(
    {
      connector: connectorConfigSchema.parse({
        idPlusKey: sandbox.keys.sandbox.idPlusKey,
        sdkKey: sandbox.keys.sandbox.sdkKey,
        environment: 'sandbox',
        apiUrl: relay.url,
      }),
      webhookSecrets: [webhookSecret],
      // Pages are polled hard by several people at once from one address: the page rate limit is not under test.
      rateLimitPagesPerMinute: 1_000_000,
    },
    { stepRetryBackoff: { baseMs: 20, maxMs: 100 } },
  );
  const webhookUrl = `${t.service.url}${new URL(t.service.webhookUrl).pathname}`;
  await sandbox.addWebhook({ url: webhookUrl, secret: webhookSecret, name: 'fault-matrix' });
  return {
    t,
    sandbox,
    relay,
    webhookUrl,
    webhookSecret,
    async close() {
      await t.close();
      await relay.close();
      await sandbox.close();
    },
  };
}

/** The phone: drives the sandbox capture of a DocV transaction through a scenario. */
export function capture(rig: FaultRig, token: string, scenario = 'complete-accept'): Promise<void> {
  return triggerScenario(rig.sandbox.url, token, scenario);
}

/** The newest text the sandbox "sent" to `to`, and the DocV token of its link. */
export async function smsToken(rig: FaultRig, to: string): Promise<string> {
  const res = await request(`${rig.sandbox.url}/sandbox/sms?to=${encodeURIComponent(to)}`);
  const { messages } = (await res.body.json()) as { messages: Array<{ body: string }> };
  const token = tokenOfLink(messages[0]?.body ?? '');
  if (!token) throw new Error(`no SMS with a capture link to ${to}`);
  return token;
}

export const tokenOfLink = (text: string) => /\/capture\/([\w-]+)/.exec(text)?.[1];

/**
 * Socure's SESSION_COMPLETE overtaking the result (signed like the sandbox's own deliveries): the flow fetches
 * the result before it exists, waits for VERIFICATION_COMPLETED, and fetches again (the `fetchAgain` step).
 */
export async function earlySessionComplete(rig: FaultRig, token: string): Promise<void> {
  const payload = buildTestDelivery({ eventType: 'SESSION_COMPLETE', docvTransactionToken: token });
  const { headers, rawBody } = generateTestHeaders({ payload, secret: rig.webhookSecret });
  const res = await request(rig.webhookUrl, { method: 'POST', headers, body: rawBody });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`early SESSION_COMPLETE: ${res.statusCode} ${text}`);
}

// ---- the person -------------------------------------------------------------------------------------------

export type PageKind = 'end' | 'form' | 'wait' | 'error';

export interface Page {
  status: number;
  html: string;
  kind: PageKind;
  title: string;
  /** What the person reads: tags stripped, entities decoded. */
  text: string;
  /** end pages: the outcome badge. */
  outcome?: string;
  /** form pages: the banner (role=alert). */
  banner?: string;
  /** wait pages: the verification link. */
  link?: string;
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&');

export function visibleText(html: string): string {
  return decode(
    html
      .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
      .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
      .replace(/<[^>]*>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

export function parsePage(status: number, html: string): Page {
  const title = decode(/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1]?.trim() ?? '');
  const outcome = /<span class="badge (\w+)">/.exec(html)?.[1];
  const isForm = /<form method="post" action="[^"]*\/submit"/.test(html);
  const isWait = /data-session-status=/.test(html);
  const kind: PageKind = outcome ? 'end' : isForm ? 'form' : isWait ? 'wait' : 'error';
  const banner = /<p class="alert" role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1];
  const link = /<a class="link" href="([^"]+)"/.exec(html)?.[1];
  return {
    status,
    html,
    kind,
    title,
    text: visibleText(html),
    ...(outcome ? { outcome } : {}),
    ...(banner ? { banner: decode(banner) } : {}),
    ...(link ? { link: decode(link) } : {}),
  };
}

/** Every `<input name=… value=…>` of a page's form, as a browser would send it. */
export function formValues(html: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const tag of html.match(/<input\b[^>]*>/g) ?? []) {
    const name = /\sname="([^"]*)"/.exec(tag)?.[1];
    if (name) values[name] = decode(/\svalue="([^"]*)"/.exec(tag)?.[1] ?? '');
  }
  return values;
}

/**
 * One person with one browser (its own cookies: a session belongs to the first browser that opens it). Every
 * page load and status poll is recorded, to check that none was a 5xx.
 */
export class Person {
  readonly pages: Page[] = [];
  readonly polls: number[] = [];
  readonly #http: ReturnType<TestService['browser']>;

  constructor(t: TestService) {
    this.#http = t.browser();
  }

  get maxStatus(): number {
    return Math.max(0, ...this.pages.map((p) => p.status), ...this.polls);
  }

  async open(path: string): Promise<Page> {
    const res = await this.#http(path, { timeoutMs: 15_000 });
    const page = parsePage(res.status, res.text);
    this.pages.push(page);
    return page;
  }

  /**
   * Submits the form of `page` as shown, the person typing the stock persona into fields shown empty (with a real
   * key the form has no demo values), plus `changes`; then follows the redirect like a browser.
   */
  async submit(path: string, page: Page, changes: Record<string, string> = {}): Promise<Page> {
    if (!hiddenValue(page.html, 'csrf')) throw new Error(`no form to submit on "${page.title}"`);
    const typed = Object.entries(formValues(page.html)).map(([name, value]) => [
      name,
      value === '' && name in PERSONA_FORM ? PERSONA_FORM[name as keyof typeof PERSONA_FORM] : value,
    ]);
    const res = await this.#http(`${path}/submit`, {
      form: { ...Object.fromEntries(typed), ...changes },
      timeoutMs: 15_000,
    });
    if (res.status === 303) return this.open(String(res.headers.location));
    const shown = parsePage(res.status, res.text);
    this.pages.push(shown);
    return shown;
  }

  /**
   * Stays on the session's page until `done` holds: on a waiting page it polls `/status` like wait.js does and
   * reloads when the session's version changes. A page that is neither waiting nor `done` is returned as it is.
   */
  async until(path: string, done: (page: Page) => boolean, what: string, timeoutMs = 15_000): Promise<Page> {
    const deadline = Date.now() + timeoutMs;
    let page = await this.open(path);
    while (!done(page)) {
      if (page.kind !== 'wait') return page;
      const version = /data-version="(\d+)"/.exec(page.html)?.[1];
      await eventually(
        async () => {
          const res = await this.#http(`${path}/status`);
          this.polls.push(res.status);
          return res.status !== 200 || String(res.json().version) !== version;
        },
        `${what} (the page stayed on "${page.title}")`,
        { timeoutMs: Math.max(1, deadline - Date.now()), maxIntervalMs: 100 },
      );
      page = await this.open(path);
    }
    return page;
  }
}

// ---- what a person must never read --------------------------------------------------------------------------

/** Every text the shipped flows give a page (titles, messages, labels, help): they may say "Socure". */
const FLOW_TEXTS: string[] = (() => {
  const dir = new URL('../../flows/', import.meta.url);
  const texts = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (v.length > 3 && !v.includes('{{')) texts.add(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')))
    walk(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
  return [...texts].sort((a, b) => b.length - a.length);
})();

/** Technical text: error classes, codes, stack frames, wire details, sandbox error bodies, unresolved references. */
const TECHNICAL: Array<[string, RegExp]> = [
  ['an error class name', /\b[A-Z]\w*(?:Error|Exception)\b/],
  ['an undici code', /\bUND_ERR\w*/],
  ['a socket error code', /\bE(?:CONN\w+|PIPE|TIMEDOUT|NOTFOUND|AI_AGAIN|HOSTUNREACH)\b/],
  ['a URL', /\bhttps?:\/\//],
  ['a stack frame', /\bat \S+ \(|\bnode:internal|\.[cm]?[jt]s:\d+/],
  // A field path of Socure's answer (`fraud.scores.0.score`); the result pages' score table names each module
  // by its key (kyc, fraud, documentVerification) on purpose, so a bare module name is not one.
  [
    'a response path',
    /\b(?:scores|decision|documentVerification|fraud|kyc|data)\.\w|\brawResponse\b|\bdocvTransactionToken\b/,
  ],
  [
    'an HTTP status',
    /\b(?:status|HTTP)\s*[45]\d\d\b|\b(?:429|50[0-4])\s+(?:Too Many|Internal|Service|Bad Gateway)/i,
  ],
  [
    'a Socure error body',
    /Internal server error|temporarily unavailable|Rate limit|retry after|breaks the contract|not valid JSON|Unexpected (?:token|end)/i,
  ],
  ['JSON', /[{[]\s*"\w+"\s*:/],
  ['an unresolved value', /\bundefined\b|\bnull\b|\bNaN\b|\[object Object\]|\{\{/],
];

const IN_MARKUP = new Set(['an error class name', 'an undici code', 'a socket error code', 'a stack frame']);

/** What in `page` a person should not read (empty when the page is plain). */
export function technicalText(page: Page): string[] {
  const found: string[] = [];
  for (const [what, re] of TECHNICAL) {
    const m = re.exec(page.text);
    if (m) found.push(`${what}: "${m[0]}"`);
  }
  // "Socure" is the vendor's name in the shipped flows' own texts; anywhere else it is a leaked detail.
  let rest = page.text;
  for (const t of FLOW_TEXTS) rest = rest.split(t).join(' ');
  const socure = /.{0,30}\bSocure\b.{0,30}/.exec(rest);
  if (socure) found.push(`"Socure" outside the flow's own texts: "${socure[0]}"`);
  // Nor hidden in the markup (attributes, comments); the QR code's data URL is left out, being random base64.
  const markup = page.html.replace(/data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+/g, '');
  // (Links are markup by design: the waiting page's capture link.)
  for (const [what, re] of TECHNICAL.filter(([w]) => IN_MARKUP.has(w))) {
    const m = re.exec(markup);
    if (m && !found.some((f) => f.startsWith(what))) found.push(`${what} in the markup: "${m[0]}"`);
  }
  return found;
}

/** Runs `fn` with at most `slots` at once (cells share one service; the machine has 2 cores). */
export function limiter(slots: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (fn) => {
    if (active >= slots) await new Promise<void>((resolve) => queue.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}
