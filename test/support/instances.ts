/**
 * Process launchers for the many-instance tests and benches: a standalone sandbox process, service instances
 * (`node --import tsx src/cli/main.ts start`) that can be stopped, `kill -9`ed and restarted on the same port,
 * a small round-robin HTTP load balancer (node:http; streams SSE; records what it forwarded) and a receiver of
 * the app's `session.completed` callbacks. Loopback only. Every child process is tracked: `killAllProcesses()`
 * (call it in afterAll) and the process's own exit kill whatever is left, so a failing test never leaks one.
 * Every wait here is bounded in time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { signStandardWebhook } from '../../src/server/app-webhooks.js';
import { testKeysFor } from './database.js';
import { eventually, StopWaiting } from './eventually.js';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
/** Where every child's full output is written (artifacts/ is ignored by git). */
export const INSTANCE_LOG_ROOT = join(PROJECT_ROOT, 'artifacts', 'instances');

/** The offline sandbox's documented keys (README, "Default keys"). */
export const SANDBOX_ID_PLUS_KEY = 'a1b234cd-75e1-9e01-f234-56abcdef6789';
export const SANDBOX_SDK_KEY = 'd450e856-9e01-75e1-8cec-64efe8eef39b';

const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 5_000;
const TAIL_LINES = 400;

// --- child process bookkeeping -------------------------------------------------------------------------------

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** SIGKILLs every child started here that is still running, and waits (bounded) for each to exit. */
export async function killAllProcesses(): Promise<void> {
  await Promise.all([...live].map((child) => killChild(child, 'SIGKILL', KILL_TIMEOUT_MS)));
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Sends `signal` and waits for the exit, up to `ms` (then SIGKILL, then gives up waiting). */
async function killChild(child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (exited(child)) {
    live.delete(child);
    return;
  }
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    gone.then(() => false),
    new Promise<boolean>((done) => {
      timer = setTimeout(() => done(true), ms);
    }),
  ]);
  clearTimeout(timer);
  if (late) {
    child.kill('SIGKILL');
    await Promise.race([gone, sleep(KILL_TIMEOUT_MS)]);
  }
  live.delete(child);
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** A free loopback port (the kernel's choice; closed again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createNetServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/** A child process running `node --import tsx src/cli/main.ts <args>`, its output kept (tail + log file). */
class CliProcess {
  readonly child: ChildProcess;
  readonly tail: string[] = [];
  readonly #lineListeners = new Set<(line: string) => void>();
  readonly #log: WriteStream | undefined;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly label: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    logFile?: string,
  ) {
    this.#log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.child);
    this.exit = new Promise((done) =>
      this.child.once('exit', (code, signal) => {
        live.delete(this.child);
        this.#log?.end(`# ${label} exited: code ${code} signal ${signal}\n`);
        done({ code, signal });
      }),
    );
    for (const [stream, tag] of [
      [this.child.stdout!, ''],
      [this.child.stderr!, '[stderr] '],
    ] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        this.tail.push(`${tag}${line}`);
        if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
        this.#log?.write(`${tag}${line}\n`);
        for (const listener of this.#lineListeners) listener(line);
      });
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return !exited(this.child);
  }

  /** Resolves with the first match of `pattern` in a stdout/stderr line; rejects on exit or after `ms`. */
  waitForLine(pattern: RegExp, ms: number): Promise<RegExpExecArray> {
    for (const line of this.tail) {
      const m = pattern.exec(line);
      if (m) return Promise.resolve(m);
    }
    return new Promise((done, fail) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        this.#lineListeners.delete(onLine);
        fn();
      };
      const onLine = (line: string) => {
        const m = pattern.exec(line);
        if (m) finish(() => done(m));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            fail(new Error(`${this.label}: no line matching ${pattern} within ${ms} ms\n${this.output()}`)),
          ),
        ms,
      );
      this.#lineListeners.add(onLine);
      void this.exit.then(({ code, signal }) =>
        finish(() =>
          fail(
            new Error(
              `${this.label} exited (code ${code}, signal ${signal}) before ${pattern}\n${this.output()}`,
            ),
          ),
        ),
      );
    });
  }

  output(lines = 60): string {
    return this.tail.slice(-lines).join('\n');
  }

  kill(signal: NodeJS.Signals, ms = signal === 'SIGKILL' ? KILL_TIMEOUT_MS : STOP_TIMEOUT_MS): Promise<void> {
    return killChild(this.child, signal, ms);
  }
}

/** The environment a child gets: ours, minus the service's own settings and any loader of the test runner. */
function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(SOCURE_|APP_WEBHOOK_|CONNECTOR_|DATABASE_|PORT$|HOST$|PUBLIC_URL$|CONFIG_FILE$|FLOWS_DIR$|LOG_LEVEL$|NODE_OPTIONS$|TRUST_PROXY$|SANDBOX_PORT$)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

function logFileFor(logDir: string | undefined, name: string): string | undefined {
  if (!logDir) return undefined;
  mkdirSync(logDir, { recursive: true });
  return join(logDir, `${name}.log`);
}

// --- sandbox --------------------------------------------------------------------------------------------------

export interface SandboxProcessOptions {
  /** Creates a Document Verification subscription at start. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** `--latency`, e.g. '20ms': added to every sandbox answer. */
  latency?: string;
  logDir?: string;
}

export interface SandboxProcess {
  url: string;
  pid: number;
  /** `POST /sandbox/transactions/<token>/trigger` (throws unless 200). */
  trigger(token: string, scenario?: string): Promise<void>;
  /** Creates a webhook subscription through the admin API; returns its id. */
  addSubscription(options: { url: string; secret?: string; name?: string }): Promise<string>;
  /** Sets a subscription's delivery knobs (`duplicate`, `outOfOrder`, `delayMs`). */
  setKnobs(subscriptionId: string, knobs: Record<string, unknown>): Promise<void>;
  /** The delivery log of a subscription (every attempt, newest last). */
  deliveries(subscriptionId: string): Promise<SandboxDeliveryAttempt[]>;
  output(lines?: number): string;
  stop(): Promise<void>;
}

export interface SandboxDeliveryAttempt {
  deliveryId: string;
  eventType: string;
  referenceId: string;
  attempt: number;
  at: string;
  status: 'delivered' | 'retrying' | 'given_up' | 'test_ok' | 'test_failed';
  statusCode?: number;
  error?: string;
}

async function jsonCall(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await request(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the caller reports `text`
  }
  return { status: res.statusCode, json, text };
}

/** `socure-connector sandbox --port <free> --quiet …` in its own process; resolves once it listens. */
export async function startSandboxProcess(options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
  const port = await freePort();
  const args = ['sandbox', '--port', String(port), '--host', '127.0.0.1', '--quiet'];
  if (options.webhookUrl) args.push('--webhook-url', options.webhookUrl);
  if (options.webhookSecret) args.push('--webhook-secret', options.webhookSecret);
  if (options.latency) args.push('--latency', options.latency);
  const proc = new CliProcess('sandbox', args, childEnv({}), logFileFor(options.logDir, 'sandbox'));
  let url: string;
  try {
    const m = await proc.waitForLine(/Socure sandbox listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
    url = m[1]!.replace(/\/+$/, '');
  } catch (err) {
    await proc.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    pid: proc.pid,
    async trigger(token, scenario = 'complete-accept') {
      const res = await jsonCall('POST', `${url}/sandbox/transactions/${encodeURIComponent(token)}/trigger`, {
        scenario,
      });
      if (res.status !== 200) throw new Error(`sandbox trigger ${scenario}: ${res.status} ${res.text}`);
    },
    async addSubscription({ url: target, secret, name }) {
      const res = await jsonCall('POST', `${url}/admin/api/subscriptions`, {
        url: target,
        secret,
        name: name ?? 'instances-test',
        subscriptionType: 'Document Verification',
        environment: 'sandbox',
      });
      const sub = res.json.subscription as { id?: string } | undefined;
      if (res.status !== 201 || !sub?.id) throw new Error(`sandbox subscription: ${res.status} ${res.text}`);
      return sub.id;
    },
    async setKnobs(id, knobs) {
      const res = await jsonCall('POST', `${url}/admin/api/subscriptions/${id}/knobs`, knobs);
      if (res.status !== 200) throw new Error(`sandbox knobs: ${res.status} ${res.text}`);
    },
    async deliveries(id) {
      const res = await jsonCall('GET', `${url}/admin/api/subscriptions/${id}/deliveries`);
      if (res.status !== 200) throw new Error(`sandbox deliveries: ${res.status} ${res.text}`);
      return (res.json.deliveries ?? []) as SandboxDeliveryAttempt[];
    },
    output: (lines) => proc.output(lines),
    stop: () => proc.kill('SIGTERM'),
  };
}

// --- service instances ----------------------------------------------------------------------------------------

export interface InstanceOptions {
  /** Names the instance in logs and in the load balancer (e.g. 'A'). */
  name: string;
  databaseUrl: string;
  /** PUBLIC_URL: links and the printed webhook URL are built on it (the load balancer's URL, usually). */
  publicUrl?: string;
  sandboxUrl: string;
  webhookSecret: string;
  apiKey: string;
  appWebhookUrl?: string;
  appWebhookSecret?: string;
  /** LOG_LEVEL of the instance (default info). */
  logLevel?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  logDir?: string;
}

/**
 * One service process on a fixed loopback port (kept across restarts, so a load balancer's address for it
 * stays valid). `start()` resolves once `/readyz` answers 200; `kill9()` is `kill -9`.
 */
export class ServiceInstance {
  readonly name: string;
  port = 0;
  /** The Socure webhook path the instance printed (the same on every instance of one database). */
  webhookPath: string | undefined;
  /** How many times it was started (1 after the first start). */
  starts = 0;
  kills = 0;
  /** How long each successful start took, spawn to /readyz 200 (ms). */
  readonly startDurations: number[] = [];
  #proc: CliProcess | undefined;
  #ready = false;
  /** Output of earlier runs of this instance (for failure messages). */
  readonly history: string[] = [];

  constructor(readonly options: InstanceOptions) {
    this.name = options.name;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#proc?.running ? this.#proc.pid : undefined;
  }

  get running(): boolean {
    return this.#proc?.running ?? false;
  }

  /** Started, answered /readyz 200, and not killed or stopped since. */
  get ready(): boolean {
    return this.#ready && this.running;
  }

  async start(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (this.running) throw new Error(`instance ${this.name} is already running`);
    if (this.port === 0) this.port = await freePort();
    const o = this.options;
    this.starts += 1;
    const env = childEnv({
      DATABASE_URL: o.databaseUrl,
      DATA_ENCRYPTION_KEYS: testKeysFor(o.databaseUrl) ?? '',
      PORT: String(this.port),
      HOST: '127.0.0.1',
      PUBLIC_URL: o.publicUrl ?? this.url,
      SOCURE_ID_PLUS_KEY: SANDBOX_ID_PLUS_KEY,
      SOCURE_SDK_KEY: SANDBOX_SDK_KEY,
      SOCURE_API_URL: o.sandboxUrl,
      SOCURE_WEBHOOK_SECRET: o.webhookSecret,
      CONNECTOR_API_KEY: o.apiKey,
      APP_WEBHOOK_URL: o.appWebhookUrl,
      APP_WEBHOOK_SECRET: o.appWebhookSecret,
      LOG_LEVEL: o.logLevel ?? 'info',
      ...o.env,
    });
    const proc = new CliProcess(
      `instance ${this.name}#${this.starts}`,
      ['start'],
      env,
      logFileFor(o.logDir, `instance-${this.name}-${this.starts}`),
    );
    this.#proc = proc;
    const begun = Date.now();
    const deadline = begun + timeoutMs;
    try {
      const m = await proc.waitForLine(
        /Socure webhook URL[^:]*: \S*\/webhooks\/socure\/([A-Za-z0-9_-]+)/,
        timeoutMs,
      );
      this.webhookPath = m[1];
      await eventually(
        async () => {
          if (!proc.running)
            throw new StopWaiting(`instance ${this.name} exited while starting\n${proc.output()}`);
          const res = await request(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(
            () => undefined,
          );
          if (!res) return false;
          await res.body.dump();
          return res.statusCode === 200;
        },
        `instance ${this.name} /readyz 200`,
        { timeoutMs: Math.max(1_000, deadline - Date.now()), intervalMs: 50, maxIntervalMs: 50 },
      );
      this.#ready = true;
      this.startDurations.push(Date.now() - begun);
    } catch (err) {
      await proc.kill('SIGKILL');
      this.history.push(proc.output(200));
      throw err;
    }
  }

  /** `kill -9`: no shutdown hook runs. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    const proc = this.#proc;
    this.#ready = false;
    if (!proc?.running) return;
    this.kills += 1;
    await proc.kill('SIGKILL');
    this.history.push(proc.output(200));
  }

  /** SIGTERM (the service's clean shutdown), SIGKILL if it takes longer than 10 s. */
  async stop(): Promise<void> {
    const proc = this.#proc;
    this.#ready = false;
    if (!proc?.running) return;
    await proc.kill('SIGTERM');
    this.history.push(proc.output(200));
  }

  output(lines = 60): string {
    return this.#proc?.output(lines) ?? '';
  }
}

// --- load balancer --------------------------------------------------------------------------------------------

/** One request the load balancer forwarded (or failed to). */
export interface LbExchange {
  method: string;
  path: string;
  backend: string | undefined;
  /** The status sent to the client; 502 when no backend answered. */
  status: number;
  /** True when the whole response reached the client (a response cut by a dying backend is not complete). */
  complete: boolean;
  /** The request body, for paths `recordBodies` selects. */
  requestBody?: string;
  startedAt: number;
  endedAt: number;
  error?: string;
}

export interface LoadBalancerOptions {
  /** Which request bodies to keep in `exchanges` (default: POSTs to /webhooks/). */
  recordBodies?: (method: string, path: string) => boolean;
  /** Called when an exchange ends. */
  onExchange?: (exchange: LbExchange) => void;
}

export const ROUTE_HEADER = 'x-test-instance';
const MAX_BODY = 2 * 1024 * 1024;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

interface Backend {
  name: string;
  port: number;
  up: boolean;
  inFlight: number;
}

/**
 * A round-robin HTTP load balancer on 127.0.0.1 (node:http). Forwards method, path, headers and body; streams
 * responses (so SSE works through it). `x-test-instance: <name>` routes a request to that backend. A backend
 * marked down gets no new requests; a refused connection is retried on the next backend (the request never
 * reached the first); any other failure answers 502. `exchanges` records every forwarded request.
 */
export class LoadBalancer {
  readonly exchanges: LbExchange[] = [];
  readonly #backends: Backend[] = [];
  #next = 0;
  #server: Server | undefined;
  readonly #sockets = new Set<import('node:net').Socket>();
  port = 0;

  constructor(private readonly options: LoadBalancerOptions = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => done());
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /** Adds (or replaces) a backend; it is up at once. */
  add(name: string, port: number): void {
    const existing = this.#backends.find((b) => b.name === name);
    if (existing) {
      existing.port = port;
      existing.up = true;
    } else this.#backends.push({ name, port, up: true, inFlight: 0 });
  }

  setUp(name: string, up: boolean): void {
    const backend = this.#backends.find((b) => b.name === name);
    if (!backend) throw new Error(`no backend ${name}`);
    backend.up = up;
  }

  /** Requests being forwarded to a backend right now. */
  inFlight(name: string): number {
    return this.#backends.find((b) => b.name === name)?.inFlight ?? 0;
  }

  /** The URL of one backend itself (bypassing the balancer). */
  urlOf(name: string): string {
    const backend = this.#backends.find((b) => b.name === name);
    if (!backend) throw new Error(`no backend ${name}`);
    return `http://127.0.0.1:${backend.port}`;
  }

  #pick(exclude: Set<string>): Backend | undefined {
    const n = this.#backends.length;
    for (let i = 0; i < n; i++) {
      const backend = this.#backends[(this.#next + i) % n]!;
      if (backend.up && !exclude.has(backend.name)) {
        this.#next = (this.#next + i + 1) % n;
        return backend;
      }
    }
    return undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const keepBody = (this.options.recordBodies ?? ((m, p) => m === 'POST' && p.startsWith('/webhooks/')))(
      method,
      path,
    );
    const exchange: LbExchange = {
      method,
      path,
      backend: undefined,
      status: 0,
      complete: false,
      startedAt,
      endedAt: 0,
    };
    const finish = (status: number, complete: boolean, error?: string) => {
      if (exchange.endedAt) return;
      exchange.status = status;
      exchange.complete = complete;
      exchange.endedAt = Date.now();
      if (error) exchange.error = error;
      this.exchanges.push(exchange);
      this.options.onExchange?.(exchange);
    };
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      finish(413, false, (err as Error).message);
      if (!res.headersSent) res.writeHead(413).end();
      return;
    }
    if (keepBody) exchange.requestBody = body.toString('utf8');

    const headers: IncomingHttpHeaders = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(key) && key !== ROUTE_HEADER && key !== 'content-length') headers[key] = value;
    }
    if (body.length > 0 || method === 'POST' || method === 'PUT' || method === 'PATCH')
      headers['content-length'] = String(body.length);
    const wanted = req.headers[ROUTE_HEADER];
    const pinned = typeof wanted === 'string' ? this.#backends.find((b) => b.name === wanted) : undefined;
    if (typeof wanted === 'string' && !pinned) {
      finish(502, true, `no backend ${wanted}`);
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`no backend ${wanted}`);
      return;
    }

    const tried = new Set<string>();
    for (let attempt = 0; attempt <= this.#backends.length; attempt++) {
      const backend = pinned ?? this.#pick(tried);
      if (!backend || tried.has(backend.name)) break;
      tried.add(backend.name);
      exchange.backend = backend.name;
      const outcome = await this.#forward(backend, method, path, headers, body, req, res);
      if (outcome.kind === 'done') return finish(outcome.status, outcome.complete, outcome.error);
      // Refused: the request never reached this backend; another may take it.
      if (pinned) break;
    }
    finish(502, true, 'no backend reachable');
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('no backend reachable');
    else res.destroy();
  }

  #forward(
    backend: Backend,
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ kind: 'refused' } | { kind: 'done'; status: number; complete: boolean; error?: string }> {
    backend.inFlight += 1;
    return new Promise((done) => {
      let settled = false;
      const settle = (
        v: { kind: 'refused' } | { kind: 'done'; status: number; complete: boolean; error?: string },
      ) => {
        if (settled) return;
        settled = true;
        backend.inFlight -= 1;
        done(v);
      };
      const upstream = httpRequest({ host: '127.0.0.1', port: backend.port, method, path, headers });
      // The client went away (e.g. an EventSource closed): drop the upstream request too.
      const onClientGone = () => {
        if (!res.writableFinished) upstream.destroy();
      };
      res.once('close', onClientGone);
      req.once('aborted', onClientGone);
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (!res.headersSent) {
          if (err.code === 'ECONNREFUSED') return settle({ kind: 'refused' });
          res
            .writeHead(502, { 'content-type': 'text/plain' })
            .end(`backend ${backend.name}: ${err.code ?? err.message}`);
          return settle({ kind: 'done', status: 502, complete: true, error: err.code ?? err.message });
        }
        // Mid-response: the client must see a broken response, not a complete one.
        res.destroy();
        settle({ kind: 'done', status: res.statusCode, complete: false, error: err.code ?? err.message });
      });
      upstream.on('response', (up) => {
        const out: Record<string, string | string[]> = {};
        for (const [key, value] of Object.entries(up.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(key)) out[key] = value;
        }
        res.writeHead(up.statusCode ?? 502, out);
        res.flushHeaders();
        up.on('data', (chunk: Buffer) => res.write(chunk));
        up.on('end', () => {
          res.end();
          settle({ kind: 'done', status: up.statusCode ?? 502, complete: true });
        });
        up.on('error', () => undefined);
        up.on('close', () => {
          if (!up.complete) {
            res.destroy();
            settle({
              kind: 'done',
              status: up.statusCode ?? 502,
              complete: false,
              error: 'backend closed mid-response',
            });
          }
        });
      });
      upstream.end(body);
    });
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        fail(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => done(Buffer.concat(chunks)));
    req.once('error', fail);
  });
}

export async function startLoadBalancer(options: LoadBalancerOptions = {}): Promise<LoadBalancer> {
  return new LoadBalancer(options).listen();
}

// --- app webhook receiver -------------------------------------------------------------------------------------

/** One `session.completed` callback as the app received it. */
export interface AppCallback {
  webhookId: string;
  sessionId: string | undefined;
  type: string | undefined;
  outcome: string | undefined;
  /** The Standard Webhooks signature checked out (undefined when the receiver has no secret). */
  signatureValid: boolean | undefined;
  at: number;
}

export interface AppWebhookReceiver {
  url: string;
  readonly callbacks: AppCallback[];
  /** Distinct webhook-ids received per session id. */
  idsBySession(): Map<string, Set<string>>;
  close(): Promise<void>;
}

/**
 * Records every callback (always answers 204, after `delayMs`: a slow app keeps callbacks in flight); checks
 * signatures when given the app webhook secret.
 */
export async function startAppWebhookReceiver(
  secret?: string,
  options: { delayMs?: number } = {},
): Promise<AppWebhookReceiver> {
  const callbacks: AppCallback[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    readBody(req).then(
      (raw) => {
        const body = raw.toString('utf8');
        const webhookId = String(req.headers['webhook-id'] ?? '');
        let parsed: { type?: string; data?: { id?: string; outcome?: string } } = {};
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          // recorded with no session id
        }
        let signatureValid: boolean | undefined;
        if (secret) {
          const timestamp = Number(req.headers['webhook-timestamp']);
          const expected = signStandardWebhook(secret, webhookId, timestamp, body);
          signatureValid = String(req.headers['webhook-signature'] ?? '')
            .split(' ')
            .includes(expected);
        }
        callbacks.push({
          webhookId,
          sessionId: parsed.data?.id,
          type: parsed.type,
          outcome: parsed.data?.outcome,
          signatureValid,
          at: Date.now(),
        });
        const answer = () => res.writeHead(204).end();
        if (options.delayMs) setTimeout(answer, options.delayMs);
        else answer();
      },
      () => res.writeHead(400).end(),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/app-webhook`,
    callbacks,
    idsBySession() {
      const map = new Map<string, Set<string>>();
      for (const cb of callbacks) {
        if (!cb.sessionId) continue;
        const set = map.get(cb.sessionId) ?? new Set<string>();
        set.add(cb.webhookId);
        map.set(cb.sessionId, set);
      }
      return map;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

// --- small helpers for the tests ------------------------------------------------------------------------------

/** A random secret usable as SOCURE_WEBHOOK_SECRET / CONNECTOR_API_KEY (no spaces, ≥ 16 characters). */
export const randomSecret = (prefix = 's') => `${prefix}_${randomUUID().replaceAll('-', '')}`;

/** Calls the sessions API: creates a session, returns its id and signed page path (`/s/<id>/<sig>`). */
export async function createApiSession(
  baseUrl: string,
  apiKey: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ id: string; url: string; path: string; status: string }> {
  const res = await request(`${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`create session: ${res.statusCode} ${text}`);
  const created = JSON.parse(text) as { id: string; url: string; status: string };
  const path = /\/s\/[^/]+\/[^/?#]+/.exec(created.url)?.[0];
  if (!path) throw new Error(`no session path in ${created.url}`);
  return { ...created, path };
}
