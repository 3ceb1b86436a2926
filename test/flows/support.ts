/** Shared helpers of the flow-engine tests: temp stores, fake capabilities, polling, a webhook receiver. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { z } from 'zod';
import type { Capability, CapabilityContext } from '../../src/connector/capability.js';
import { capabilities as realCapabilities } from '../../src/connector/manifest.js';
import { type EngineOptions, type Flow, FlowEngine, parseFlow } from '../../src/flows/index.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { SocureClient } from '../../src/socure/index.js';
import { openStore as openStoreAt, type Store } from '../../src/store/index.js';
import {
  buildTestDelivery,
  parseDelivery,
  type SocureWebhookDelivery,
  verifyAndParse,
} from '../../src/webhooks/index.js';
import { databaseUrlFor, testKeysFor } from '../support/database.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FLOWS_DIR = join(ROOT, 'flows');

/** A temp directory removed by `cleanup()`. */
export function tempDir(prefix = 'socure-flows-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A test double of a connector capability: records every input, runs `impl`. */
export interface FakeCapability extends Capability {
  calls: unknown[];
}

export function fakeCapability(
  id: string,
  impl: (input: Record<string, unknown>, call: number) => unknown = () => ({ ok: true }),
): FakeCapability {
  const calls: unknown[] = [];
  return {
    id,
    title: id,
    description: `fake ${id}`,
    properties: [],
    input: z.record(z.string(), z.unknown()),
    output: z.unknown(),
    calls,
    async execute(input) {
      calls.push(input);
      return impl(input as Record<string, unknown>, calls.length);
    },
  };
}

/** A client no fake capability calls (nothing listens on port 9). */
export function unusedContext(): CapabilityContext {
  return {
    client: new SocureClient({ idPlusKey: 'unused-key', baseUrl: 'http://127.0.0.1:9', maxRetries: 0 }),
    config: { idPlusKey: 'unused-key', environment: 'sandbox' },
  };
}

/** An inline flow, validated by the real loader against the given capability ids. */
export function inlineFlow(
  id: string,
  start: string,
  nodes: Record<string, unknown>,
  capabilityIds: Iterable<string>,
): Flow {
  return parseFlow(`${id}.json`, { id, title: id, start, nodes }, new Set(capabilityIds));
}

/** A promise the test settles: a capability that awaits `promise` stays in flight until `open()`. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** A manual clock for timeouts. */
export function manualClock(start = Date.UTC(2030, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
}

/** The store for a test's database file: SQLite there, or its own PostgreSQL database (see test/support/database.ts). */
export async function openStore(path: string): Promise<Store> {
  const url = await databaseUrlFor(path);
  return openStoreAt(url, { dataEncryptionKeys: testKeysFor(url) });
}

/**
 * Stores for one test file: `store()` opens a fresh database (or `store(path)` another connection to one from
 * `dbPath()`), each closed after its test; the temp directory goes with the file.
 */
export function useTestStores(prefix: string): {
  dbPath: () => string;
  store: (path?: string) => Promise<Store>;
} {
  let tmp: ReturnType<typeof tempDir> | undefined;
  let fileNo = 0;
  const open: Store[] = [];
  beforeAll(() => {
    tmp = tempDir(`socure-${prefix}-`);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(() => tmp?.cleanup());
  const dbPath = () => join(tmp!.dir, `${prefix}-${++fileNo}.db`);
  return {
    dbPath,
    async store(path = dbPath()) {
      const s = await openStore(path);
      open.push(s);
      return s;
    },
  };
}

export function newEngine(o: Partial<EngineOptions> & Pick<EngineOptions, 'store' | 'flows'>): FlowEngine {
  return new FlowEngine({
    capabilities: {},
    context: unusedContext(),
    ...o,
  });
}

/** Builds and parses a Socure-shaped delivery, as the webhook route would see it. */
export function delivery(options: Parameters<typeof buildTestDelivery>[0]): {
  delivery: SocureWebhookDelivery;
  rawBody: string;
} {
  const rawBody = JSON.stringify(buildTestDelivery(options));
  return { delivery: parseDelivery(rawBody, true), rawBody };
}

/** Count of timeline entries of one type. */
export async function timelineCount(store: Store, sessionId: string, type: string): Promise<number> {
  return (await store.listTimeline(sessionId)).filter((e) => e.type === type).length;
}

// --- the sandbox side ---

export const WEBHOOK_SECRET = 'flows-test-secret';

export function sandboxClient(sb: RunningSandbox, maxRetries = 0): SocureClient {
  return new SocureClient({ idPlusKey: sb.keys.sandbox.idPlusKey, baseUrl: sb.url, maxRetries });
}

export function sandboxContext(sb: RunningSandbox, client = sandboxClient(sb)): CapabilityContext {
  return {
    client,
    config: {
      idPlusKey: sb.keys.sandbox.idPlusKey,
      sdkKey: sb.keys.sandbox.sdkKey,
      environment: 'sandbox',
      apiUrl: sb.url,
    },
  };
}

export const REAL_CAPABILITIES = realCapabilities as unknown as Record<string, Capability>;

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

/** Drives a sandbox DocV transaction through a scenario (complete-accept, decline, expire…). */
export async function trigger(sb: RunningSandbox, token: string, scenario: string): Promise<void> {
  const res = await post(`${sb.url}/sandbox/transactions/${encodeURIComponent(token)}/trigger`, { scenario });
  if (res.status !== 200) throw new Error(`trigger ${scenario}: ${res.status} ${JSON.stringify(res.json)}`);
}

/** Sets a transaction's delivery knobs (outOfOrder, duplicate, delayMs). */
export async function knobs(
  sb: RunningSandbox,
  token: string,
  patch: Record<string, unknown>,
): Promise<void> {
  const res = await post(`${sb.url}/sandbox/transactions/${encodeURIComponent(token)}/knobs`, patch);
  if (res.status !== 200) throw new Error(`knobs: ${res.status} ${JSON.stringify(res.json)}`);
}

export interface Received {
  eventType: string;
  token: string | undefined;
  deliveryId: string;
  committed: 'inserted' | 'duplicate';
}

/**
 * A local webhook endpoint subscribed to the sandbox. Like the service's route it verifies, commits to
 * the inbox, then resumes sessions — here before answering, so a test sees deliveries in order.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Deliveries answered 500 because no engine was attached (the service was down). */
  readonly refused: Array<Omit<Received, 'committed'>> = [];
  engine: FlowEngine | undefined;
  /** Whether a committed delivery is also correlated (false simulates a crash after the commit). */
  correlate = true;
  #server: Server | undefined;

  async start(sb: RunningSandbox): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        this.#handle(req.headers, rawBody).then(
          () => res.writeHead(200).end('{}'),
          (err: unknown) => {
            res.writeHead(500).end(String(err));
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await sb.addWebhook({ url: `http://127.0.0.1:${port}/hook`, secret: WEBHOOK_SECRET, name: 'flows-test' });
  }

  async #handle(headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<void> {
    const parsed = verifyAndParse({ headers, rawBody, secrets: WEBHOOK_SECRET });
    const engine = this.engine;
    if (!engine) {
      this.refused.push({
        eventType: parsed.eventType,
        token: parsed.keys.docvTransactionToken,
        deliveryId: parsed.id,
      });
      throw new Error('no engine attached');
    }
    const receipt = await engine.receive(parsed, rawBody);
    this.received.push({
      eventType: parsed.eventType,
      token: parsed.keys.docvTransactionToken,
      deliveryId: parsed.id,
      committed: receipt.status,
    });
    // As the webhook route does: correlated at once only when a session waits on it.
    if (receipt.sessionWaits && this.correlate) await engine.correlate(parsed);
  }

  forToken(token: string): Received[] {
    return this.received.filter((r) => r.token === token);
  }

  refusedFor(token: string): Array<Omit<Received, 'committed'>> {
    return this.refused.filter((r) => r.token === token);
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The values a screen shows pre-filled (its fields' defaults, references resolved), as the page does. */
export async function screenDefaults(engine: FlowEngine, sessionId: string): Promise<Record<string, string>> {
  const session = (await engine.store.getSession(sessionId))!;
  const data = (await engine.store.getSessionData(sessionId))!;
  const node = engine.node(session);
  if (node.type !== 'screen') throw new Error(`session is at ${session.nodeId} (${node.type}), not a screen`);
  const { values } = engine.formDefaults(node, engine.scope(session, data));
  return Object.fromEntries(node.fields.map((f) => [f.name, values[f.name] ?? '']));
}
