import type { FastifyInstance } from 'fastify';
import { buildSandboxApp } from './app.js';
import { resolveKeys, type SandboxKeys } from './keys.js';
import { DEFAULT_HOST, DEFAULT_PORT, type SandboxOptions } from './options.js';

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:4010 — the port is the real one when 0 was asked for. */
  url: string;
  keys: SandboxKeys;
  close(): Promise<void>;
  app: FastifyInstance;
}

/** Builds the app and listens; resolves once the port is bound. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const app = buildSandboxApp(options);
  const host = options.host ?? DEFAULT_HOST;
  await app.listen({ port: options.port ?? DEFAULT_PORT, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    keys: resolveKeys(options.keys),
    close: () => app.close(),
    app,
  };
}
