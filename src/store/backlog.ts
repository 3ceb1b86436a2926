/**
 * What the metrics endpoint counts in the database at scrape time: work in progress, never history. Each count is
 * one range of an existing index (sessions by status, the inbox by consumed_by / correlate_by, callbacks by status),
 * so a scrape stays cheap however many ended sessions and delivered callbacks the tables hold.
 */
import { type Kysely, sql } from 'kysely';
import type { StoreTables } from './schema.js';

export interface BacklogCounts {
  /** Unfinished sessions by status. */
  sessions: { running: number; input: number; waiting: number };
  /** Socure deliveries no session consumed (yet): early ones, unmatched ones kept until INBOX_RETENTION_HOURS. */
  inboxUnconsumed: number;
  /** Deliveries whose correlation is still due (the receiving instance has not matched them yet). */
  inboxUncorrelated: number;
  /** Outbound callbacks still to be sent (first try or a retry), and those given up on. */
  callbacksPending: number;
  callbacksFailed: number;
}

/** The store's part for metrics (see BacklogCounts). */
export interface BacklogStore {
  countBacklog(): Promise<BacklogCounts>;
}

const OPEN_STATUSES = ['running', 'input', 'waiting'] as const;

export async function countBacklog(db: Kysely<StoreTables>): Promise<BacklogCounts> {
  const count = sql<string | number>`count(*)`.as('n');
  const [sessions, unconsumed, uncorrelated, callbacks] = await Promise.all([
    db
      .selectFrom('sessions')
      .select(['status', count])
      .where('status', 'in', OPEN_STATUSES)
      .groupBy('status')
      .execute(),
    db.selectFrom('webhook_inbox').select(count).where('consumed_by', 'is', null).executeTakeFirst(),
    db.selectFrom('webhook_inbox').select(count).where('correlate_by', 'is not', null).executeTakeFirst(),
    db
      .selectFrom('outbound_webhooks')
      .select(['status', count])
      .where('status', 'in', ['pending', 'failed'])
      .groupBy('status')
      .execute(),
  ]);
  const bySession = new Map(sessions.map((r) => [r.status, Number(r.n)]));
  const byCallback = new Map(callbacks.map((r) => [r.status, Number(r.n)]));
  return {
    sessions: {
      running: bySession.get('running') ?? 0,
      input: bySession.get('input') ?? 0,
      waiting: bySession.get('waiting') ?? 0,
    },
    inboxUnconsumed: Number(unconsumed?.n ?? 0),
    inboxUncorrelated: Number(uncorrelated?.n ?? 0),
    callbacksPending: byCallback.get('pending') ?? 0,
    callbacksFailed: byCallback.get('failed') ?? 0,
  };
}
