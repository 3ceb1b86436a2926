import { randomBytes } from 'node:crypto';
import type { SandboxEnvironment } from '../keys.js';

/** Every id the stand-in collector hands out starts with this, so ID+ can tell one it never issued. */
export const DEVICE_SESSION_PREFIX = 'sandbox-device-';
export const DEFAULT_MAX_DEVICE_SESSIONS = 10_000;

/** What ID+ makes of a `deviceSessionId` (socure-api.md §4: R402 is an invalid device token). */
export type DeviceSessionCheck = 'known' | 'invalid' | 'unchecked';

/**
 * Device sessions registered by the stand-in Sigma Device collector (GET /device/sigma.js), in memory. Other
 * ids (the magic `risky-device`, any text a test sends) stay unchecked, as before the collector existed.
 */
export class DeviceSessionStore {
  readonly #byId = new Map<string, SandboxEnvironment>();

  constructor(private readonly max = DEFAULT_MAX_DEVICE_SESSIONS) {}

  create(environment: SandboxEnvironment): string {
    const id = `${DEVICE_SESSION_PREFIX}${randomBytes(18).toString('base64url')}`;
    this.#byId.set(id, environment);
    if (this.#byId.size > this.max) this.#byId.delete(this.#byId.keys().next().value!);
    return id;
  }

  /** Known when this environment's collector issued it; invalid when it looks issued but was not (or elsewhere). */
  check(id: string, environment: SandboxEnvironment): DeviceSessionCheck {
    if (!id.startsWith(DEVICE_SESSION_PREFIX)) return 'unchecked';
    return this.#byId.get(id) === environment ? 'known' : 'invalid';
  }
}
