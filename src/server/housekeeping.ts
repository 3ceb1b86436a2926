/**
 * Scheduled upkeep of the store, run by every instance on the engine's tick: chaining the audit trail, and the
 * retention job (claimed once per period across instances) that purges personal data past its time.
 */
import { setImmediate } from 'node:timers/promises';
import type { AuditEntry, PurgeCounts, Store } from '../store/types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Records purged per statement, and statements per run: a large backlog is worked off over several periods. */
const PURGE_BATCH = 500;
const PURGE_ROUNDS = 100;
const CHAIN_BATCH = 1_000;
const CHAIN_ROUNDS = 10;

export interface HousekeepingOptions {
  store: Store;
  retentionDays: number;
  inboxRetentionHours: number;
  /** This instance in the job's lease. */
  owner: string;
  now?: () => number;
  /** How often the retention job runs (across all instances). Default 1 hour. */
  retentionIntervalMs?: number;
  log?: { info(obj: object, msg?: string): void };
}

export class Housekeeping {
  readonly #o: HousekeepingOptions;
  readonly #now: () => number;
  /** When this instance next asks for the retention job (the claim itself is shared by instances). */
  #nextRetentionCheck = 0;

  constructor(options: HousekeepingOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async tick(): Promise<void> {
    await this.chainAudit();
    const now = this.#now();
    if (now >= this.#nextRetentionCheck) {
      this.#nextRetentionCheck = now + Math.min(this.#interval, 60_000);
      await this.runRetention();
    }
  }

  /** Chains what was appended to the audit trail since the last tick. */
  async chainAudit(): Promise<number> {
    let chained = 0;
    for (let round = 0; round < CHAIN_ROUNDS; round++) {
      const n = await this.#o.store.chainAudit(CHAIN_BATCH);
      chained += n;
      if (n < CHAIN_BATCH) break;
    }
    return chained;
  }

  /** Purges what is past retention, if this instance wins this period's claim; undefined when it did not. */
  async runRetention(): Promise<PurgeCounts | undefined> {
    const { store } = this.#o;
    const now = this.#now();
    if (!(await store.claimJob('retention', this.#o.owner, now, now + this.#interval))) return undefined;
    const cutoffs = {
      endedBefore: now - this.#o.retentionDays * DAY_MS,
      unmatchedBefore: now - this.#o.inboxRetentionHours * HOUR_MS,
    };
    const total: PurgeCounts = { sessions: 0, deliveries: 0, callbacks: 0 };
    for (let round = 0; round < PURGE_ROUNDS; round++) {
      const n = await store.purgePersonalData(cutoffs, now, PURGE_BATCH);
      total.sessions += n.sessions;
      total.deliveries += n.deliveries;
      total.callbacks += n.callbacks;
      if (n.sessions < PURGE_BATCH && n.deliveries < PURGE_BATCH && n.callbacks < PURGE_BATCH) break;
      // SQLite answers synchronously behind its promises: let requests and signals in between batches.
      await setImmediate();
    }
    if (total.sessions + total.deliveries + total.callbacks > 0) {
      const entry: AuditEntry = {
        type: 'retention.purged',
        actor: 'retention',
        detail: {
          ...total,
          retentionDays: this.#o.retentionDays,
          inboxRetentionHours: this.#o.inboxRetentionHours,
        },
      };
      await store.appendAudit([entry], now);
      this.#o.log?.info({ ...total }, 'retention: personal data purged');
    }
    return total;
  }

  get #interval(): number {
    return this.#o.retentionIntervalMs ?? HOUR_MS;
  }
}
