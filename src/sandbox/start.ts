import type { FastifyInstance } from 'fastify';
import { createSandbox } from './app.js';
import type { SandboxKeys } from './keys.js';
import { DEFAULT_HOST, DEFAULT_PORT, type SandboxOptions, type SandboxWebhookOption } from './options.js';
import { type PublicSubscription, publicSubscription } from './webhooks/subscriptions.js';

/** Test controls of the sandbox clock (the same as `/sandbox/clock` over HTTP). */
export interface SandboxClockControls {
  /** Sandbox time, ms since the epoch. */
  now(): number;
  /** Moves the clock forward; transactions past their TTL expire before this returns. */
  advance(ms: number): number;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:4010 — the port is the real one when 0 was asked for. */
  url: string;
  /** Base of capture links (the publicUrl option, else `url`). */
  publicUrl: string;
  keys: SandboxKeys;
  clock: SandboxClockControls;
  /** Adds a webhook subscription, as the admin page would (e.g. the service registering itself). */
  addWebhook(webhook: SandboxWebhookOption): Promise<PublicSubscription>;
  close(): Promise<void>;
  app: FastifyInstance;
}

/** Builds the app and listens; resolves once the port is bound. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const { app, state } = createSandbox(options);
  const host = options.host ?? DEFAULT_HOST;
  await app.listen({ port: options.port ?? DEFAULT_PORT, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  state.setListenUrl(url);
  return {
    url,
    publicUrl: state.publicUrl(url),
    keys: state.keys,
    clock: { now: () => state.clock.now(), advance: (ms) => state.clock.advance(ms) },
    addWebhook: async (webhook) => {
      const created = state.subscriptions.create({ ...webhook, name: webhook.name ?? 'webhook' });
      if (!created.ok) throw new Error(`sandbox: addWebhook: ${created.msg}`);
      return publicSubscription(created.subscription);
    },
    close: () => app.close(),
    app,
  };
}
