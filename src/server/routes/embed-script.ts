import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const EMBED_JS = readFileSync(new URL('../assets/embed.js', import.meta.url), 'utf8');

/**
 * `/embed.js`: the script an app includes to open a session in a frame or a popup and hear how it ended (see
 * the README, "Embedding in your app"). Loaded by a script tag from the app's pages: no CORS needed. Cached an
 * hour: its address has no version, and a fix should reach apps the same day.
 */
export function registerEmbedScript(app: FastifyInstance): void {
  app.get('/embed.js', (_req, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(EMBED_JS),
  );
}
