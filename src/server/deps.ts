import type { FlowEngine } from '../flows/engine.js';
import type { Store } from '../store/types.js';
import type { Signer } from './signing.js';

/** What the routes need; built once by the service. */
export interface ServerDeps {
  engine: FlowEngine;
  store: Store;
  signer: Signer;
  publicUrl: string;
  /** The unguessable path segment of this instance's Socure webhook URL. */
  webhookPath: string;
  webhookSecrets: string[];
  apiKey: string;
  /** Requests per minute per client IP on public endpoints (pages, webhook). */
  rateLimitPerMinute?: number;
  /** Take the client IP from X-Forwarded-For (only behind a trusted reverse proxy). */
  trustProxy?: boolean;
}

export const sessionPath = (deps: Pick<ServerDeps, 'signer'>, id: string) =>
  `/s/${id}/${deps.signer.sessionSignature(id)}`;
