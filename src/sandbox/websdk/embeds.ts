import { randomBytes } from 'node:crypto';

/** A capture app launched inside another site's page by the stand-in Web SDK. */
export interface Embed {
  /** The DocV transaction shown in the frame. */
  token: string;
  /** The page that may frame it and receive its messages (the browser's Origin header at launch). */
  origin: string;
  /** The SDK key the page launched with, echoed in callback payloads as `key`. */
  sdkKey: string;
}

export const DEFAULT_MAX_EMBEDS = 10_000;

/**
 * Launches by opaque id. The capture URL carries the id, never the origin itself, so only an origin the
 * sandbox checked at launch (allowlisted, sent by the browser) can ever be named in frame-ancestors.
 */
export class EmbedStore {
  readonly #byId = new Map<string, Embed>();

  constructor(private readonly max = DEFAULT_MAX_EMBEDS) {}

  create(embed: Embed): string {
    const id = randomBytes(18).toString('base64url');
    this.#byId.set(id, Object.freeze({ ...embed }));
    // A Map iterates in insertion order: the first key is the oldest launch.
    if (this.#byId.size > this.max) this.#byId.delete(this.#byId.keys().next().value!);
    return id;
  }

  /** The launch of this id for this transaction; undefined for an unknown id or another transaction's. */
  get(id: unknown, token: string): Embed | undefined {
    if (typeof id !== 'string') return undefined;
    const embed = this.#byId.get(id);
    return embed?.token === token ? embed : undefined;
  }
}
