/**
 * undici's Agent, loaded from its own module instead of undici's index: the index also loads fetch, cookies,
 * WebSocket, caching and the mock agent (about three times the start-up CPU; bench/cold-start.ts), which a
 * service never uses at start. Same class as `import { Agent } from 'undici'`.
 */
import type { Agent as UndiciAgent } from 'undici';
// @ts-expect-error undici declares types for its index only; typed below as the index's Agent.
import AgentModule from 'undici/lib/dispatcher/agent.js';

export const Agent = AgentModule as typeof UndiciAgent;
export type Agent = UndiciAgent;
