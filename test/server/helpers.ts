import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { resolveServiceSettings, type ServiceSettings } from '../../src/server/config.js';
import { type RunningService, type ServiceOptions, startService } from '../../src/server/service.js';
import { databaseUrlFor, testKeysFor } from '../support/database.js';
import { eventually } from '../support/eventually.js';

/** The embedded sandbox's ID+ key: it must never reach a page, an API answer or a log line. */
export const SANDBOX_ID_PLUS_KEY = 'a1b234cd-75e1-9e01-f234-56abcdef6789';

/** Log lines captured in memory (a plain pino logger: the service must redact on its own). */
export class MemoryLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...String(chunk).split('\n').filter(Boolean));
    cb();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestService {
  service: RunningService;
  logs: MemoryLog;
  dir: string;
  /** Every response body and header block read through `http` (to search for leaks). */
  seen: string[];
  /** One browser: keeps the cookies the service sets (a session belongs to the browser that opened it). */
  http: (path: string, init?: HttpInit) => Promise<HttpResponse>;
  api: (path: string, init?: HttpInit) => Promise<HttpResponse>;
  /** The Cookie header `http` sends (for raw requests such as event streams). */
  cookie: () => string;
  /** Another browser, with its own cookies. */
  browser: () => (path: string, init?: HttpInit) => Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
  form?: Record<string, string>;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** Starts the real service (embedded sandbox, SQLite in a temp dir) on free ports. */
export async function startTestService(
  overrides: Partial<ServiceSettings> = {},
  options: ServiceOptions = {},
): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'socure-server-test-'));
  const logs = new MemoryLog();
  const logger = pino({ level: 'debug' }, logs);
  const databaseUrl = overrides.databaseUrl ?? (await databaseUrlFor(join(dir, 'service.db')));
  const service = await startService(
    {
      ...resolveServiceSettings({}, {}),
      port: 0,
      sandboxPort: 0,
      databaseUrl,
      dataEncryptionKeys: testKeysFor(databaseUrl),
      publicUrl: 'http://localhost:0',
      ...overrides,
    },
    { tickMs: 100, logger, sandbox: { deliveryRetryBaseMs: 50 }, ...options },
  );
  const seen: string[] = [];
  const cookieOf = (jar: Map<string, string>) =>
    [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const browser = (jar = new Map<string, string>()) => {
    return (path: string, init: HttpInit = {}) => send(jar, path, init);
  };
  const send = async (jar: Map<string, string>, path: string, init: HttpInit): Promise<HttpResponse> => {
    const headers: Record<string, string> = { ...init.headers };
    if (jar.size > 0 && !headers.cookie) headers.cookie = cookieOf(jar);
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const url = path.startsWith('http') ? path : `${service.url}${path}`;
    // Bounded: a request the server never answers fails the test instead of hanging it (and its afterAll).
    const res = await request(url, {
      method: (init.method ?? (body === undefined ? 'GET' : 'POST')) as 'GET',
      headers,
      body,
      signal: AbortSignal.timeout(init.timeoutMs ?? 8_000),
    });
    const text = await res.body.text();
    const setCookie = res.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      if (at > 0) jar.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
    seen.push(JSON.stringify(res.headers), text);
    return { status: res.statusCode, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  };
  const defaultJar = new Map<string, string>();
  const http = browser(defaultJar);
  const api = (path: string, init: HttpInit = {}) =>
    http(path, { ...init, headers: { authorization: `Bearer ${service.apiKey}`, ...init.headers } });
  return {
    service,
    logs,
    dir,
    seen,
    http,
    api,
    browser: () => browser(),
    cookie: () => cookieOf(defaultJar),
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Drives a DocV transaction through a scenario with the sandbox's trigger endpoint. */
export async function triggerSandbox(
  t: TestService,
  token: string,
  scenario = 'complete-accept',
): Promise<void> {
  return triggerScenario(t.service.sandbox!.url, token, scenario);
}

/** The same for any sandbox, by its URL. */
export async function triggerScenario(sandboxUrl: string, token: string, scenario: string): Promise<void> {
  const res = await request(`${sandboxUrl}/sandbox/transactions/${encodeURIComponent(token)}/trigger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`trigger ${scenario}: ${res.statusCode} ${text}`);
}

/** The DocV transaction token a waiting session waits on. */
export async function waitToken(t: TestService, sessionId: string): Promise<string> {
  const session = await eventually(async () => {
    const s = await t.service.store.getSession(sessionId);
    return s?.status === 'waiting' && s.waitToken ? s : undefined;
  }, `session ${sessionId} to wait on a DocV token`);
  return session.waitToken!;
}

export async function waitForCompletion(t: TestService, sessionId: string, timeoutMs = 10_000) {
  return eventually(
    async () => {
      const s = await t.service.store.getSession(sessionId);
      return s?.status === 'completed' ? s : undefined;
    },
    `session ${sessionId} to complete`,
    { timeoutMs },
  );
}

/** The value of a hidden input (e.g. csrf) in a page. */
export function hiddenValue(html: string, name: string): string | undefined {
  return new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1];
}

/** The path of the signed session page in a 303 Location or an API url. */
export function sessionPathOf(location: string): string {
  const m = /\/s\/[^/]+\/[^/?#]+/.exec(location);
  if (!m) throw new Error(`no session path in ${location}`);
  return m[0];
}

/** Socure's stock persona as the idplus-score form holds it. */
export const PERSONA_FORM = {
  firstName: 'Dwayne',
  surName: 'Denver',
  dob: '1975-04-02',
  nationalId: '400-01-3784',
  email: 'dwayne.denver@example.com',
  mobileNumber: '+13475550100',
  physicalAddress: '1301 Main Street',
  city: 'Brownsville',
  state: 'TN',
  zip: '38012',
  country: 'US',
};

/** Creates a session through the API and returns its id and signed page path. */
export async function createSession(
  t: TestService,
  body: Record<string, unknown>,
): Promise<{ id: string; path: string; status: string }> {
  const res = await t.api('/api/sessions', { json: body });
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${res.text}`);
  const created = res.json<{ id: string; url: string; status: string }>();
  return { id: created.id, path: sessionPathOf(created.url), status: created.status };
}

/** Opens a screen and submits it with `values` (its CSRF token and node id taken from the page). */
export async function submitScreen(t: TestService, path: string, values: Record<string, string>) {
  const page = await t.http(path);
  const csrf = hiddenValue(page.text, 'csrf');
  const node = hiddenValue(page.text, 'node');
  if (!csrf || !node) throw new Error(`no form on ${path}: ${page.status}`);
  return t.http(`${path}/submit`, { form: { csrf, node, ...values } });
}

/**
 * The service configured for real Socure (a key, so no embedded sandbox and production defaults), talking to a
 * sandbox of its own that stands in for Socure. `close()` stops both.
 */
export async function startRealKeyService(
  overrides: Partial<ServiceSettings> | ((socure: RunningSandbox) => Partial<ServiceSettings>) = {},
): Promise<TestService & { socure: RunningSandbox }> {
  const socure = await startSandbox({ port: 0 });
  try {
    const t = await startTestService({
      connector: {
        idPlusKey: socure.keys.sandbox.idPlusKey,
        sdkKey: socure.keys.sandbox.sdkKey,
        environment: 'sandbox',
        apiUrl: socure.url,
      },
      // A function sees the stand-in's URL and keys (e.g. to configure the service from SOCURE_* variables).
      ...(typeof overrides === 'function' ? overrides(socure) : overrides),
    });
    return {
      ...t,
      socure,
      async close() {
        try {
          await t.close();
        } finally {
          await socure.close();
        }
      },
    };
  } catch (err) {
    await socure.close();
    throw err;
  }
}
