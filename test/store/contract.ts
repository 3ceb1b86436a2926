/**
 * The behaviour every Store must have, whatever database it runs on: ONE suite, written against the `Store`
 * interface only, run on SQLite files by test/store/sqlite-store.test.ts and on PostgreSQL by
 * test/store/postgres-store.pg.test.ts.
 *
 * Every test gets a fresh, empty database of its own (`ContractDatabase`) and may open several stores on it:
 * two stores on one database are two instances of the service sharing it. Times are plain numbers: the store
 * never reads the clock, so every boundary (`<= now`) is tested exactly.
 */
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type InboxDelivery,
  type LeaseClaim,
  MIGRATION_NAMES,
  type NewOutbound,
  type NewSession,
  type SessionChange,
  type SessionRow,
  type StepCommit,
  type Store,
} from '../../src/store/index.js';
import { eventually } from '../support/eventually.js';

/** One fresh database of a test, and the stores opened on it. */
export interface ContractDatabase {
  /** Opens, migrates (and, where the dialect has one, starts the change feed of) another store on this database. */
  open(): Promise<Store>;
  /** Another store on this database that has not run `migrate()` yet. */
  openUnmigrated(): Promise<Store>;
  /** Runs one SQL statement on the database outside every store; returns its rows (none for a write). */
  query(statement: string): Promise<Record<string, unknown>[]>;
  /** Closes every store opened here (closing twice is fine) and removes the database. */
  cleanup(): Promise<void>;
}

const EVENTS = ['VERIFICATION_COMPLETED', 'SESSION_COMPLETE', 'APP_OPENED'] as const;
/** A released lease: the commit leaves the session free for anyone. */
export const FREE: LeaseClaim = { owner: 'setup', until: null };
/** Later than every `now` these tests use: a lease that stays live. */
export const FAR = 9_000_000_000_000;

export function newSession(id: string, extra: Partial<NewSession> = {}): NewSession {
  return {
    id,
    flowId: 'docv-qr',
    nodeId: 'start',
    customerUserId: null,
    returnUrl: null,
    expiresAt: 10_000,
    input: { firstName: 'Ada', nested: { list: [1, 'two', null, true] } },
    ...extra,
  };
}

export function delivery(
  deliveryId: string,
  extra: Partial<Omit<InboxDelivery, 'consumedBy'>> = {},
): Omit<InboxDelivery, 'consumedBy'> {
  return {
    deliveryId,
    eventType: 'VERIFICATION_COMPLETED',
    docvTransactionToken: null,
    referenceId: null,
    customerUserId: null,
    payload: `{"id":"${deliveryId}"}`,
    authenticated: true,
    receivedAt: 1_000,
    ...extra,
  };
}

export function outbound(id: string, sessionId: string, nextAttemptAt = 0, body = '{}'): NewOutbound {
  return { id, sessionId, url: 'https://app.example/cb', body, nextAttemptAt };
}

/** A commit with nothing in it but the version bump, released lease; `extra` adds the rest. */
export function step(
  sessionId: string,
  expectedVersion: number,
  now: number,
  extra: Partial<StepCommit> = {},
): StepCommit {
  return { sessionId, expectedVersion, now, patch: {}, lease: FREE, ...extra };
}

interface WaitingOptions {
  wakeAt?: number | null;
  waitToken?: string | null;
  waitReferenceId?: string | null;
  waitCustomerUserId?: string | null;
  expiresAt?: number;
  /** When it was parked (its updatedAt). */
  at?: number;
}

/** A session parked on a challenge, with a free lease. */
async function waiting(store: Store, id: string, options: WaitingOptions = {}): Promise<SessionRow> {
  await store.createSession(newSession(id, { expiresAt: options.expiresAt ?? 10_000 }), 100, FREE);
  const row = await store.commitStep(
    step(id, 1, options.at ?? 200, {
      patch: {
        status: 'waiting',
        nodeId: 'wait',
        wakeAt: options.wakeAt ?? null,
        waitToken: options.waitToken ?? null,
        waitReferenceId: options.waitReferenceId ?? null,
        waitCustomerUserId: options.waitCustomerUserId ?? null,
        waitEvents: ['VERIFICATION_COMPLETED'],
        challengeId: `ch-${id}`,
      },
    }),
  );
  if (!row) throw new Error(`setup: could not park ${id}`);
  return row;
}

/** Everything a commit on `id` could have written, to compare before and after a commit that must write nothing. */
async function snapshot(store: Store, id: string, token = 'tok') {
  return {
    session: await store.getSession(id),
    data: await store.getSessionData(id),
    timeline: await store.listTimeline(id),
    outbound: await store.listOutbound(id),
    deliveries: await store.findDeliveries({ docvTransactionToken: token }, EVENTS),
  };
}

/** Runs `claim` 8 times at once, alternating two stores; then drains what is left with one more claimer. */
async function raceClaims<T extends { id: string }>(
  a: Store,
  b: Store,
  claim: (store: Store, owner: string) => Promise<T[]>,
): Promise<{ racing: { id: string; owner: string }[]; all: string[] }> {
  const batches = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      claim(i % 2 ? a : b, `claimer-${i}`).then((rows) =>
        rows.map((row) => ({ id: row.id, owner: `claimer-${i}` })),
      ),
    ),
  );
  const racing = batches.flat();
  const all = racing.map((r) => r.id);
  for (let round = 0; round < 50; round++) {
    const more = await claim(a, 'drain');
    if (more.length === 0) break;
    all.push(...more.map((row) => row.id));
  }
  return { racing, all };
}

const range = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

/**
 * Registers the contract suite. `createDatabase` gives each test a fresh, empty database of its own.
 */
export function describeStoreContract(name: string, createDatabase: () => Promise<ContractDatabase>): void {
  describe(`Store contract: ${name}`, () => {
    let database: ContractDatabase;
    beforeEach(async () => {
      database = await createDatabase();
    });
    afterEach(async () => {
      await database.cleanup();
    });
    const open = () => database.open();

    describe('sessions', () => {
      it('createSession / getSession / getSessionData map every field exactly, lease and first timeline included', async () => {
        const store = await open();
        const t0 = Date.UTC(2030, 0, 1); // beyond 32 bits: integers must round-trip as numbers
        const created = await store.createSession(
          newSession('s1', {
            customerUserId: 'cu-1',
            returnUrl: 'https://app.example/done',
            expiresAt: t0 + 3_600_000,
            timeline: [
              { type: 'created', detail: { flowId: 'docv-qr' } },
              { type: 'node', detail: { nodeId: 'start', nested: { ok: true, n: null } } },
            ],
          }),
          t0,
          { owner: 'run-1', until: t0 + 30_000 },
        );
        const expected: SessionRow = {
          id: 's1',
          flowId: 'docv-qr',
          status: 'running',
          nodeId: 'start',
          version: 1,
          leaseOwner: 'run-1',
          leaseUntil: t0 + 30_000,
          customerUserId: 'cu-1',
          returnUrl: 'https://app.example/done',
          language: null,
          wakeAt: null,
          waitToken: null,
          waitReferenceId: null,
          waitCustomerUserId: null,
          waitEvents: null,
          challengeId: null,
          outcome: null,
          createdAt: t0,
          updatedAt: t0,
          expiresAt: t0 + 3_600_000,
        };
        expect(created).toStrictEqual(expected);
        expect(await store.getSession('s1')).toStrictEqual(expected);
        expect(await store.getSessionData('s1')).toStrictEqual({
          input: { firstName: 'Ada', nested: { list: [1, 'two', null, true] } },
          outputs: {},
          result: null,
        });
        expect(await store.listTimeline('s1')).toStrictEqual([
          { sessionId: 's1', seq: 1, at: t0, type: 'created', detail: { flowId: 'docv-qr' } },
          {
            sessionId: 's1',
            seq: 2,
            at: t0,
            type: 'node',
            detail: { nodeId: 'start', nested: { ok: true, n: null } },
          },
        ]);
        expect(await store.getSession('nope')).toBeUndefined();
        expect(await store.getSessionData('nope')).toBeUndefined();

        // Created with a released lease: nobody holds it.
        const unleased = await store.createSession(newSession('s2'), 5, { owner: 'run-1', until: null });
        expect(unleased).toMatchObject({ leaseOwner: null, leaseUntil: null, version: 1, createdAt: 5 });
        expect(await store.getSession('s2')).toStrictEqual(unleased);
        expect(await store.listTimeline('s2')).toEqual([]);
      });

      it('createSession rejects a duplicate id and writes nothing of it', async () => {
        const store = await open();
        await store.createSession(newSession('s1', { timeline: [{ type: 'created', detail: {} }] }), 1, FREE);
        const before = await snapshot(store, 's1');
        await expect(
          store.createSession(
            newSession('s1', {
              flowId: 'other',
              input: { other: true },
              timeline: [{ type: 'dup', detail: {} }],
            }),
            2,
            { owner: 'x', until: 100 },
          ),
        ).rejects.toThrow();
        expect(await snapshot(store, 's1')).toStrictEqual(before);
      });

      it('commitStep applies the patch, bumps the version, sets the lease and leaves the rest alone', async () => {
        const store = await open();
        const created = await store.createSession(newSession('s1', { customerUserId: 'cu-1' }), 1, {
          owner: 'r',
          until: 100,
        });
        const row = await store.commitStep({
          sessionId: 's1',
          expectedVersion: 1,
          now: 50,
          lease: { owner: 'r', until: 150 },
          patch: {
            status: 'waiting',
            nodeId: 'wait-docv',
            wakeAt: 9_000,
            waitToken: 'tok',
            waitReferenceId: 'ref',
            waitCustomerUserId: 'cu-1',
            waitEvents: ['VERIFICATION_COMPLETED', 'SESSION_EXPIRED'],
            challengeId: 'ch-1',
          },
        });
        expect(row).toStrictEqual({
          ...created,
          status: 'waiting',
          nodeId: 'wait-docv',
          version: 2,
          leaseUntil: 150,
          wakeAt: 9_000,
          waitToken: 'tok',
          waitReferenceId: 'ref',
          waitCustomerUserId: 'cu-1',
          waitEvents: ['VERIFICATION_COMPLETED', 'SESSION_EXPIRED'],
          challengeId: 'ch-1',
          updatedAt: 50,
        });
        expect(await store.getSession('s1')).toStrictEqual(row);

        // Clearing to null, an outcome, and the lease released with the commit.
        const done = await store.commitStep({
          sessionId: 's1',
          expectedVersion: 2,
          now: 60,
          lease: { owner: 'r', until: null },
          patch: {
            status: 'completed',
            wakeAt: null,
            waitToken: null,
            waitReferenceId: null,
            waitCustomerUserId: null,
            waitEvents: null,
            challengeId: null,
            outcome: 'verified',
          },
        });
        expect(done).toStrictEqual({
          ...row,
          status: 'completed',
          version: 3,
          leaseOwner: null,
          leaseUntil: null,
          wakeAt: null,
          waitToken: null,
          waitReferenceId: null,
          waitCustomerUserId: null,
          waitEvents: null,
          challengeId: null,
          outcome: 'verified',
          updatedAt: 60,
        });
        // An empty patch still bumps the version (and takes the free lease).
        const bumped = await store.commitStep(step('s1', 3, 70, { lease: { owner: 'x', until: 80 } }));
        expect(bumped).toStrictEqual({ ...done, version: 4, updatedAt: 70, leaseOwner: 'x', leaseUntil: 80 });
        expect(await store.getSession('s1')).toStrictEqual(bumped);
      });

      it('commitStep merges outputs by node id and replaces the result', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, FREE);
        await store.commitStep(
          step('s1', 1, 2, { patch: { nodeId: 'b' }, output: { nodeId: 'a', value: { score: 0.9 } } }),
        );
        await store.commitStep(
          step('s1', 2, 3, { patch: { nodeId: 'c' }, output: { nodeId: 'b', value: [1, 2] } }),
        );
        await store.commitStep(
          step('s1', 3, 4, {
            output: { nodeId: 'a', value: { score: 0.1 } },
            result: { decision: 'accept' },
          }),
        );
        await store.commitStep(step('s1', 4, 5, { result: { decision: 'reject', reasons: ['R1'] } }));
        await store.commitStep(step('s1', 5, 6, { output: { nodeId: 'none', value: undefined } }));
        // A node id that is an Object.prototype property is still just a key.
        await store.commitStep(
          step('s1', 6, 7, { output: { nodeId: '__proto__', value: { polluted: true } } }),
        );
        const data = await store.getSessionData('s1');
        expect(data).toStrictEqual({
          input: newSession('s1').input,
          outputs: JSON.parse('{"a":{"score":0.1},"b":[1,2],"none":null,"__proto__":{"polluted":true}}'),
          result: { decision: 'reject', reasons: ['R1'] },
        });
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it('commitStep everything at once: patch, output, result, consumed delivery, timeline and callback', async () => {
        const store = await open();
        await store.createSession(newSession('s1', { timeline: [{ type: 'created', detail: {} }] }), 1, {
          owner: 'r',
          until: 100,
        });
        await store.insertDelivery(delivery('d1', { docvTransactionToken: 'tok' }), 500);
        await store.insertDelivery(
          delivery('d2', { docvTransactionToken: 'tok', eventType: 'SESSION_COMPLETE' }),
          500,
        );
        const row = await store.commitStep({
          sessionId: 's1',
          expectedVersion: 1,
          now: 10,
          lease: { owner: 'r', until: null },
          patch: { status: 'completed', nodeId: 'end', outcome: 'verified' },
          output: { nodeId: 'decide', value: { decision: 'accept' } },
          result: { decision: 'accept' },
          consumedDelivery: 'd1',
          timeline: [
            { type: 'resumed', detail: { event: 'VERIFICATION_COMPLETED' } },
            { type: 'completed', detail: { outcome: 'verified' } },
          ],
          outbound: outbound('o1', 's1', 10, '{"outcome":"verified"}'),
        });
        expect(row).toMatchObject({
          version: 2,
          status: 'completed',
          nodeId: 'end',
          outcome: 'verified',
          leaseOwner: null,
          leaseUntil: null,
          updatedAt: 10,
        });
        expect(await store.getSession('s1')).toStrictEqual(row);
        expect(await store.getSessionData('s1')).toStrictEqual({
          input: newSession('s1').input,
          outputs: { decide: { decision: 'accept' } },
          result: { decision: 'accept' },
        });
        expect(await store.listTimeline('s1')).toStrictEqual([
          { sessionId: 's1', seq: 1, at: 1, type: 'created', detail: {} },
          { sessionId: 's1', seq: 2, at: 10, type: 'resumed', detail: { event: 'VERIFICATION_COMPLETED' } },
          { sessionId: 's1', seq: 3, at: 10, type: 'completed', detail: { outcome: 'verified' } },
        ]);
        expect(await store.listOutbound('s1')).toStrictEqual([
          {
            id: 'o1',
            sessionId: 's1',
            url: 'https://app.example/cb',
            body: '{"outcome":"verified"}',
            attempts: 0,
            nextAttemptAt: 10,
            status: 'pending',
            lastError: null,
          },
        ]);
        const deliveries = await store.findDeliveries({ docvTransactionToken: 'tok' }, EVENTS);
        expect(deliveries.map((d) => [d.deliveryId, d.consumedBy])).toEqual([
          ['d1', 's1'],
          ['d2', null],
        ]);
        // The consumed delivery no longer needs correlating; the other one does.
        expect((await store.claimUncorrelatedDeliveries(500, 600, 10)).map((d) => d.deliveryId)).toEqual([
          'd2',
        ]);
      });

      it('commitStep at a stale version, or of an unknown session, writes nothing and returns undefined', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, FREE);
        await store.insertDelivery(delivery('d1', { docvTransactionToken: 'tok' }), 100);
        expect(await store.commitStep(step('s1', 1, 2, { patch: { nodeId: 'n2' } }))).toMatchObject({
          version: 2,
        });
        const before = await snapshot(store, 's1');
        const everything: Omit<StepCommit, 'sessionId' | 'expectedVersion'> = {
          now: 3,
          lease: { owner: 'setup', until: 1_000 },
          patch: { nodeId: 'stale', status: 'completed', outcome: 'verified' },
          output: { nodeId: 'x', value: 1 },
          result: { stale: true },
          consumedDelivery: 'd1',
          timeline: [{ type: 'stale', detail: {} }],
          outbound: outbound('o1', 's1'),
        };
        expect(
          await store.commitStep({ sessionId: 's1', expectedVersion: 1, ...everything }),
        ).toBeUndefined();
        expect(
          await store.commitStep({ sessionId: 's1', expectedVersion: 3, ...everything }),
        ).toBeUndefined();
        expect(await snapshot(store, 's1')).toStrictEqual(before);
        expect(before.session).toMatchObject({ version: 2, nodeId: 'n2', status: 'running', updatedAt: 2 });
        // The delivery still awaits correlation: the refused commit did not consume it.
        expect((await store.claimUncorrelatedDeliveries(100, 200, 10)).map((d) => d.deliveryId)).toEqual([
          'd1',
        ]);

        expect(
          await store.commitStep({ sessionId: 'nope', expectedVersion: 1, ...everything }),
        ).toBeUndefined();
        expect(await store.listTimeline('nope')).toEqual([]);
        expect(await store.listOutbound('nope')).toEqual([]);
        expect(await store.getSession('nope')).toBeUndefined();
      });

      it('commitStep against another runner’s live lease writes nothing; an expired one is taken over; null releases', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, { owner: 'a', until: 1_000 });
        for (const id of ['d1', 'd2', 'd3']) {
          await store.insertDelivery(delivery(id, { docvTransactionToken: `tok-${id}` }), 5_000);
        }
        // Each accepted step consumes a delivery of its own (a consumed delivery cannot be consumed again).
        const attempt = (owner: string, now: number, until: number | null, expectedVersion: number) =>
          store.commitStep({
            sessionId: 's1',
            expectedVersion,
            now,
            lease: { owner, until },
            patch: { nodeId: `by-${owner}` },
            output: { nodeId: owner, value: now },
            result: { by: owner },
            consumedDelivery: `d${expectedVersion}`,
            timeline: [{ type: 'step', detail: { owner } }],
            outbound: outbound(`o-${owner}-${now}`, 's1'),
          });

        // B at 999: A's lease (until 1000) is live.
        const before = await snapshot(store, 's1');
        expect(await attempt('b', 999, 2_000, 1)).toBeUndefined();
        expect(await snapshot(store, 's1')).toStrictEqual(before);
        expect(before.session).toMatchObject({ leaseOwner: 'a', leaseUntil: 1_000, version: 1 });

        // B at 1000: A's lease has run out (lease_until <= now), B takes over.
        expect(await attempt('b', 1_000, 2_000, 1)).toMatchObject({
          version: 2,
          nodeId: 'by-b',
          leaseOwner: 'b',
          leaseUntil: 2_000,
        });
        // A comes back while B's lease lives: refused, even at the current version.
        const afterB = await snapshot(store, 's1');
        expect(await attempt('a', 1_500, 3_000, 2)).toBeUndefined();
        expect(await snapshot(store, 's1')).toStrictEqual(afterB);
        expect(afterB.data?.outputs).toEqual({ b: 1_000 });
        expect(afterB.timeline.map((e) => e.detail.owner)).toEqual(['b']);
        expect(afterB.outbound.map((o) => o.id)).toEqual(['o-b-1000']);

        // The holder commits again, releasing its lease (until: null).
        expect(await attempt('b', 1_600, null, 2)).toMatchObject({
          version: 3,
          leaseOwner: null,
          leaseUntil: null,
        });
        // A free lease: anyone may commit, long before the old lease would have run out.
        expect(await attempt('c', 1_700, 9_000, 3)).toMatchObject({
          version: 4,
          leaseOwner: 'c',
          leaseUntil: 9_000,
        });
        expect((await store.listTimeline('s1')).map((e) => e.detail.owner)).toEqual(['b', 'b', 'c']);
      });

      it('a commit that fails part way (a callback id already taken) rolls back every part of it', async () => {
        const store = await open();
        await store.createSession(newSession('host'), 1, FREE);
        await store.commitStep(step('host', 1, 2, { outbound: outbound('o-taken', 'host') }));
        await store.createSession(newSession('s1', { timeline: [{ type: 'created', detail: {} }] }), 1, FREE);
        await store.insertDelivery(delivery('d1', { docvTransactionToken: 'tok' }), 100);
        const before = await snapshot(store, 's1');
        await expect(
          store.commitStep({
            sessionId: 's1',
            expectedVersion: 1,
            now: 5,
            lease: { owner: 'r', until: 1_000 },
            patch: { status: 'completed', outcome: 'verified' },
            output: { nodeId: 'n', value: 1 },
            result: { decision: 'accept' },
            consumedDelivery: 'd1',
            timeline: [{ type: 'completed', detail: {} }],
            outbound: outbound('o-taken', 's1'),
          }),
        ).rejects.toThrow();
        expect(await snapshot(store, 's1')).toStrictEqual(before);
        expect((await store.listOutbound('host')).map((o) => o.sessionId)).toEqual(['host']);
        expect((await store.claimUncorrelatedDeliveries(100, 200, 10)).map((d) => d.deliveryId)).toEqual([
          'd1',
        ]);
        // Nothing is left half-done: the same step commits at the same version.
        expect(await store.commitStep(step('s1', 1, 6, { outbound: outbound('o-new', 's1') }))).toMatchObject(
          {
            version: 2,
          },
        );
      });

      it('a callback of an unknown session is refused (foreign key) and its commit writes nothing', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, FREE);
        const before = await snapshot(store, 's1');
        await expect(
          store.commitStep(
            step('s1', 1, 2, { timeline: [{ type: 'x', detail: {} }], outbound: outbound('o1', 'ghost') }),
          ),
        ).rejects.toThrow();
        expect(await snapshot(store, 's1')).toStrictEqual(before);
        expect(await store.listOutbound('ghost')).toEqual([]);
      });

      it('concurrent commits at the same version on one store: exactly one wins, the others write nothing', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, FREE);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.commitStep(
              step('s1', 1, 2, {
                lease: { owner: `w${i}`, until: 100 },
                patch: { nodeId: `n${i}` },
                output: { nodeId: 'w', value: i },
                timeline: [{ type: 'won', detail: { i } }],
                outbound: outbound(`o${i}`, 's1'),
              }),
            ),
          ),
        );
        const winners = results.flatMap((r, i) => (r ? [i] : []));
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect(await store.getSession('s1')).toMatchObject({
          version: 2,
          nodeId: `n${winner}`,
          leaseOwner: `w${winner}`,
        });
        expect((await store.getSessionData('s1'))?.outputs).toEqual({ w: winner });
        expect((await store.listTimeline('s1')).map((e) => e.detail)).toEqual([{ i: winner }]);
        expect((await store.listOutbound('s1')).map((o) => o.id)).toEqual([`o${winner}`]);
      });

      it('concurrent commits from two stores on one database: exactly one wins each session', async () => {
        const a = await open();
        const b = await open();
        const ids = range('s', 20);
        for (const id of ids) await a.createSession(newSession(id), 1, FREE);
        await Promise.all(
          ids.map(async (id) => {
            const commit = (who: string) =>
              step(id, 1, 2, {
                lease: { owner: who, until: 100 },
                patch: { nodeId: who },
                output: { nodeId: 'w', value: who },
                timeline: [{ type: 'won', detail: { who } }],
              });
            const [ra, rb] = await Promise.all([a.commitStep(commit('a')), b.commitStep(commit('b'))]);
            expect([ra, rb].filter((r) => r !== undefined)).toHaveLength(1);
            const won = ra ? 'a' : 'b';
            expect(await b.getSession(id)).toMatchObject({ version: 2, nodeId: won, leaseOwner: won });
            expect((await a.getSessionData(id))?.outputs).toEqual({ w: won });
            expect((await b.listTimeline(id)).map((e) => e.detail.who)).toEqual([won]);
          }),
        );
        // Interleaved by hand: both read version 1, A commits, B's commit is refused.
        await a.createSession(newSession('x'), 1, FREE);
        const seenByA = await a.getSession('x');
        const seenByB = await b.getSession('x');
        expect(await a.commitStep(step('x', seenByA!.version, 2, { patch: { nodeId: 'a' } }))).toMatchObject({
          version: 2,
        });
        expect(
          await b.commitStep(step('x', seenByB!.version, 2, { patch: { nodeId: 'b' } })),
        ).toBeUndefined();
        expect(await b.getSession('x')).toMatchObject({ version: 2, nodeId: 'a' });
      });

      it('a reader on another store never sees part of a commit', async () => {
        const writer = await open();
        const reader = await open();
        await writer.createSession(newSession('s1'), 1, FREE);
        const commits = 12;
        for (let v = 2; v <= commits + 1; v++) {
          await writer.insertDelivery(delivery(`d${v}`, { docvTransactionToken: `t${v}` }), FAR);
        }
        let done = false;
        let reads = 0;
        const torn: string[] = [];
        const reading = (async () => {
          while (!done) {
            // The session first: whatever version it shows has committed every part, so later reads must see them.
            const version = (await reader.getSession('s1'))!.version;
            const data = await reader.getSessionData('s1');
            const timeline = await reader.listTimeline('s1');
            const callbacks = await reader.listOutbound('s1');
            for (let v = 2; v <= version; v++) {
              const [consumed] = await reader.findDeliveries({ docvTransactionToken: `t${v}` }, EVENTS);
              if (data?.outputs[`n${v}`] !== v) torn.push(`v${v}: output missing`);
              if (!timeline.some((e) => e.type === `step-${v}`)) torn.push(`v${v}: timeline missing`);
              if (!callbacks.some((o) => o.id === `o${v}`)) torn.push(`v${v}: callback missing`);
              if (consumed?.consumedBy !== 's1') torn.push(`v${v}: delivery not consumed`);
            }
            reads++;
          }
        })();
        for (let v = 2; v <= commits + 1; v++) {
          const row = await writer.commitStep(
            step('s1', v - 1, v, {
              lease: { owner: 'w', until: FAR },
              output: { nodeId: `n${v}`, value: v },
              timeline: [{ type: `step-${v}`, detail: {} }],
              outbound: outbound(`o${v}`, 's1'),
              consumedDelivery: `d${v}`,
            }),
          );
          expect(row?.version).toBe(v);
        }
        done = true;
        await reading;
        expect(torn).toEqual([]);
        expect(reads).toBeGreaterThan(0);
      });
    });

    describe('timeline', () => {
      it('lists the entries of successive commits in commit order, numbered 1..n; one commit keeps its order', async () => {
        const store = await open();
        await store.createSession(
          newSession('s1', { timeline: [{ type: 'created', detail: { flowId: 'docv-qr' } }] }),
          10,
          FREE,
        );
        await store.createSession(newSession('s2'), 11, FREE);
        const expected: { type: string; at: number; detail: Record<string, unknown> }[] = [
          { type: 'created', at: 10, detail: { flowId: 'docv-qr' } },
        ];
        // Eleven commits of three entries each (the version passes 10: ordered as numbers, not text), entries
        // named so that neither alphabetical nor detail order is the commit order.
        for (let v = 1; v <= 11; v++) {
          const entries = [
            { type: 'z-first', detail: { v } },
            { type: 'a-second', detail: { v, nested: { ok: true, n: null } } },
            { type: 'm-third', detail: { v } },
          ];
          await store.commitStep(step('s1', v, 100 + v, { timeline: entries }));
          expected.push(...entries.map((e) => ({ ...e, at: 100 + v })));
          if (v === 4)
            await store.commitStep(step('s2', 1, 104, { timeline: [{ type: 'other', detail: {} }] }));
        }
        // One commit with twelve entries (indexes pass 10), then one with none.
        const twelve = Array.from({ length: 12 }, (_, i) => ({ type: `e${11 - i}`, detail: { i } }));
        await store.commitStep(step('s1', 12, 200, { timeline: twelve }));
        expected.push(...twelve.map((e) => ({ ...e, at: 200 })));
        await store.commitStep(step('s1', 13, 300));
        await store.commitStep(step('s1', 14, 301, { timeline: [{ type: 'last', detail: {} }] }));
        expected.push({ type: 'last', at: 301, detail: {} });

        expect(await store.listTimeline('s1')).toStrictEqual(
          expected.map((e, i) => ({ sessionId: 's1', seq: i + 1, at: e.at, type: e.type, detail: e.detail })),
        );
        expect(await store.listTimeline('s2')).toStrictEqual([
          { sessionId: 's2', seq: 1, at: 104, type: 'other', detail: {} },
        ]);
        expect(await store.listTimeline('none')).toEqual([]);
      });

      it('concurrent commits on different sessions, from two stores, never collide', async () => {
        const a = await open();
        const b = await open();
        const ids = range('s', 20);
        for (const id of ids) {
          await a.createSession(newSession(id, { timeline: [{ type: 'created', detail: { id } }] }), 1, FREE);
        }
        const rows = await Promise.all(
          ids.map((id, i) =>
            (i % 2 ? a : b).commitStep(
              step(id, 1, 2, {
                timeline: [
                  { type: 'first', detail: { id } },
                  { type: 'second', detail: { id } },
                ],
                outbound: outbound(`o-${id}`, id),
              }),
            ),
          ),
        );
        expect(rows.map((r) => r?.version)).toEqual(ids.map(() => 2));
        for (const id of ids) {
          expect((await a.listTimeline(id)).map((e) => [e.seq, e.type, e.detail.id])).toEqual([
            [1, 'created', id],
            [2, 'first', id],
            [3, 'second', id],
          ]);
          expect((await b.listOutbound(id)).map((o) => o.id)).toEqual([`o-${id}`]);
        }
      });

      it('writers racing on one session (read, commit, retry) get distinct consecutive seqs in commit order', async () => {
        const a = await open();
        const b = await open();
        await a.createSession(newSession('s1'), 1, FREE);
        const versionOf = new Map<number, number>();
        const append = async (store: Store, i: number) => {
          for (let attempt = 0; attempt < 200; attempt++) {
            const current = await store.getSession('s1');
            const row = await store.commitStep(
              step('s1', current!.version, i, {
                lease: { owner: `w${i}`, until: null },
                timeline: [{ type: 'tick', detail: { i } }],
              }),
            );
            if (row) {
              versionOf.set(i, row.version);
              return;
            }
          }
          throw new Error(`writer ${i} never committed`);
        };
        await Promise.all(Array.from({ length: 30 }, (_, i) => append(i % 2 ? a : b, i)));
        const events = await b.listTimeline('s1');
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
        const byVersion = [...versionOf.entries()].sort((x, y) => x[1] - y[1]).map(([i]) => i);
        expect(events.map((e) => e.detail.i)).toEqual(byVersion);
        expect(new Set(byVersion).size).toBe(30);
      });
    });

    describe('leases', () => {
      it('acquireLease: a free lease is taken, mine is extended, a live one is refused, an expired one taken', async () => {
        const store = await open();
        const created = await store.createSession(newSession('s1'), 1, FREE);
        const taken = await store.acquireLease('s1', { owner: 'a', until: 100 }, 10);
        // Only the lease changes: not the version, not updatedAt.
        expect(taken).toStrictEqual({ ...created, leaseOwner: 'a', leaseUntil: 100 });
        expect(await store.getSession('s1')).toStrictEqual(taken);

        expect(await store.acquireLease('s1', { owner: 'a', until: 200 }, 20)).toMatchObject({
          leaseOwner: 'a',
          leaseUntil: 200,
          version: 1,
        });
        expect(await store.acquireLease('s1', { owner: 'b', until: 300 }, 199)).toBeUndefined();
        expect(await store.getSession('s1')).toMatchObject({ leaseOwner: 'a', leaseUntil: 200 });
        // At 200 A's lease (until 200) has run out.
        expect(await store.acquireLease('s1', { owner: 'b', until: 300 }, 200)).toMatchObject({
          leaseOwner: 'b',
          leaseUntil: 300,
        });
        expect(await store.acquireLease('s1', { owner: 'a', until: 400 }, 250)).toBeUndefined();
        expect(await store.getSession('s1')).toStrictEqual({ ...created, leaseOwner: 'b', leaseUntil: 300 });
        expect(await store.acquireLease('nope', { owner: 'a', until: 100 }, 10)).toBeUndefined();
      });

      it('acquireLease with expectedVersion: refused when the session moved on, even to the holder', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, { owner: 'a', until: 100 });
        await store.commitStep(step('s1', 1, 5, { lease: { owner: 'a', until: 100 } }));
        expect(await store.acquireLease('s1', { owner: 'a', until: 200 }, 10, 1)).toBeUndefined();
        expect(await store.getSession('s1')).toMatchObject({ version: 2, leaseOwner: 'a', leaseUntil: 100 });
        expect(await store.acquireLease('s1', { owner: 'a', until: 200 }, 10, 2)).toMatchObject({
          version: 2,
          leaseUntil: 200,
        });
        // Free lease, stale version: refused; current version: taken.
        await store.releaseLease('s1', 'a');
        expect(await store.acquireLease('s1', { owner: 'b', until: 300 }, 10, 1)).toBeUndefined();
        expect(await store.getSession('s1')).toMatchObject({ leaseOwner: null, leaseUntil: null });
        expect(await store.acquireLease('s1', { owner: 'b', until: 300 }, 10, 2)).toMatchObject({
          leaseOwner: 'b',
        });
        // Someone else's live lease at the right version: still refused.
        expect(await store.acquireLease('s1', { owner: 'c', until: 300 }, 10, 2)).toBeUndefined();
      });

      it('releaseLease gives back only the owner’s lease', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, { owner: 'a', until: 1_000 });
        await store.releaseLease('s1', 'b');
        expect(await store.getSession('s1')).toMatchObject({ leaseOwner: 'a', leaseUntil: 1_000 });
        expect(await store.acquireLease('s1', { owner: 'b', until: 2_000 }, 10)).toBeUndefined();
        await store.releaseLease('s1', 'a');
        expect(await store.getSession('s1')).toMatchObject({
          leaseOwner: null,
          leaseUntil: null,
          version: 1,
        });
        // Free at once, long before 1000.
        expect(await store.acquireLease('s1', { owner: 'b', until: 2_000 }, 10)).toMatchObject({
          leaseOwner: 'b',
        });
        await store.releaseLease('nope', 'a');
      });
    });

    describe('claims', () => {
      it('claimDueSessions: waiting, due, lease free or expired; leased to the claimer, oldest first, limited', async () => {
        const store = await open();
        await waiting(store, 'late', { wakeAt: 300 });
        await waiting(store, 'early', { wakeAt: 100 });
        await waiting(store, 'exact', { wakeAt: 500 });
        await waiting(store, 'future', { wakeAt: 501 });
        await waiting(store, 'no-timeout', { wakeAt: null });
        await waiting(store, 'held', { wakeAt: 200 });
        await store.acquireLease('held', { owner: 'engine', until: 10_000 }, 200);
        await waiting(store, 'lapsed', { wakeAt: 250 });
        await store.acquireLease('lapsed', { owner: 'engine', until: 500 }, 250);
        await store.createSession(newSession('running'), 1, FREE);
        await waiting(store, 'completed', { wakeAt: 50 });
        await store.commitStep(step('completed', 2, 300, { patch: { status: 'completed' } }));

        const claimed = await store.claimDueSessions(500, { owner: 'sweeper', until: 600 }, 10);
        expect(claimed.map((s) => s.id)).toEqual(['early', 'lapsed', 'late', 'exact']);
        for (const row of claimed) {
          expect(row).toMatchObject({ leaseOwner: 'sweeper', leaseUntil: 600, version: 2 });
          expect(await store.getSession(row.id)).toStrictEqual(row);
        }
        expect(await store.getSession('held')).toMatchObject({ leaseOwner: 'engine', leaseUntil: 10_000 });
        // Leased: another claimer at the same time gets nothing.
        expect(await store.claimDueSessions(500, { owner: 'other', until: 700 }, 10)).toEqual([]);
        // Once the sweeper's lease runs out (600 <= now), they are due again; the limit picks the oldest.
        expect(
          (await store.claimDueSessions(600, { owner: 'other', until: 700 }, 2)).map((s) => s.id),
        ).toEqual(['early', 'lapsed']);
        expect(
          (await store.claimDueSessions(600, { owner: 'other', until: 700 }, 10)).map((s) => s.id),
        ).toEqual(['late', 'exact', 'future']);
        expect(await store.claimDueSessions(600, { owner: 'other', until: 700 }, 0)).toEqual([]);
        expect(await store.claimDueSessions(99, { owner: 'x', until: 700 }, 10)).toEqual([]);
      });

      it('claimExpiredSessions: unfinished, past their time to live, lease free or expired; oldest first', async () => {
        const store = await open();
        await store.createSession(newSession('running-old', { expiresAt: 100 }), 1, FREE);
        await waiting(store, 'waiting-old', { expiresAt: 200 });
        await store.createSession(newSession('input-old', { expiresAt: 300 }), 1, FREE);
        await store.commitStep(step('input-old', 1, 2, { patch: { status: 'input' } }));
        await store.createSession(newSession('completed-old', { expiresAt: 50 }), 1, FREE);
        await store.commitStep(
          step('completed-old', 1, 2, { patch: { status: 'completed', outcome: 'verified' } }),
        );
        await store.createSession(newSession('fresh', { expiresAt: 301 }), 1, FREE);
        await store.createSession(newSession('held-old', { expiresAt: 150 }), 1, {
          owner: 'engine',
          until: 10_000,
        });
        await store.createSession(newSession('lapsed-old', { expiresAt: 250 }), 1, {
          owner: 'engine',
          until: 300,
        });

        expect(
          (await store.claimExpiredSessions(300, { owner: 'sweeper', until: 400 }, 1)).map((s) => s.id),
        ).toEqual(['running-old']);
        const rest = await store.claimExpiredSessions(300, { owner: 'sweeper', until: 400 }, 10);
        expect(rest.map((s) => s.id)).toEqual(['waiting-old', 'lapsed-old', 'input-old']);
        for (const row of rest) expect(await store.getSession(row.id)).toStrictEqual(row);
        expect(rest[1]).toMatchObject({ leaseOwner: 'sweeper', leaseUntil: 400 });
        // 'fresh' (301) is past its time by now; the sweeper's leases run until 400.
        expect(
          (await store.claimExpiredSessions(399, { owner: 'other', until: 500 }, 10)).map((s) => s.id),
        ).toEqual(['fresh']);
        expect(
          (await store.claimExpiredSessions(400, { owner: 'other', until: 500 }, 10)).map((s) => s.id),
        ).toEqual(['running-old', 'waiting-old', 'lapsed-old', 'input-old']);
        expect(await store.getSession('held-old')).toMatchObject({
          leaseOwner: 'engine',
          leaseUntil: 10_000,
        });
      });

      it('claimStalledSessions: running with no live lease (a runner died mid-step); oldest update first', async () => {
        const store = await open();
        await store.createSession(newSession('old'), 100, { owner: 'dead', until: 150 });
        await store.createSession(newSession('older'), 50, FREE);
        await store.createSession(newSession('new'), 200, { owner: 'dead', until: 200 });
        await store.createSession(newSession('live'), 10, { owner: 'alive', until: 1_000 });
        await waiting(store, 'waiting', { at: 10 });
        await store.createSession(newSession('input'), 1, FREE);
        await store.commitStep(step('input', 1, 20, { patch: { status: 'input' } }));

        expect(
          (await store.claimStalledSessions(200, { owner: 's1', until: 300 }, 1)).map((s) => s.id),
        ).toEqual(['older']);
        const rest = await store.claimStalledSessions(200, { owner: 's2', until: 300 }, 10);
        expect(rest.map((s) => s.id)).toEqual(['old', 'new']);
        for (const row of rest) {
          expect(row).toMatchObject({ leaseOwner: 's2', leaseUntil: 300, status: 'running' });
          expect(await store.getSession(row.id)).toStrictEqual(row);
        }
        expect(await store.getSession('live')).toMatchObject({ leaseOwner: 'alive', leaseUntil: 1_000 });
        expect(await store.claimStalledSessions(299, { owner: 's3', until: 400 }, 10)).toEqual([]);
        expect(
          (await store.claimStalledSessions(300, { owner: 's3', until: 400 }, 10)).map((s) => s.id),
        ).toEqual(['older', 'old', 'new']);
      });

      const sessionClaims: {
        kind: string;
        setup: (store: Store, id: string) => Promise<unknown>;
        claim: (store: Store, lease: { owner: string; until: number }) => Promise<SessionRow[]>;
      }[] = [
        {
          kind: 'claimDueSessions',
          setup: (store, id) => waiting(store, id, { wakeAt: 10 }),
          claim: (store, lease) => store.claimDueSessions(1_000, lease, 3),
        },
        {
          kind: 'claimExpiredSessions',
          setup: (store, id) => store.createSession(newSession(id, { expiresAt: 10 }), 1, FREE),
          claim: (store, lease) => store.claimExpiredSessions(1_000, lease, 3),
        },
        {
          kind: 'claimStalledSessions',
          setup: (store, id) => store.createSession(newSession(id), 1, { owner: 'dead', until: 10 }),
          claim: (store, lease) => store.claimStalledSessions(1_000, lease, 3),
        },
      ];
      for (const { kind, setup, claim } of sessionClaims) {
        it(`${kind}: two stores claiming at once never get the same session`, async () => {
          const a = await open();
          const b = await open();
          const ids = range('s', 20);
          for (const id of ids) await setup(a, id);
          const { racing, all } = await raceClaims(a, b, (store, owner) =>
            claim(store, { owner, until: FAR }),
          );
          expect(racing.length).toBeGreaterThan(0);
          expect(new Set(racing.map((r) => r.id)).size).toBe(racing.length);
          expect([...all].sort()).toEqual(ids);
          for (const { id, owner } of racing)
            expect(await b.getSession(id)).toMatchObject({ leaseOwner: owner });
        });
      }
    });

    describe('findWaitingSessions / listWaitingSessions', () => {
      it('findWaitingSessions: any non-null key matches its wait column; only waiting sessions', async () => {
        const store = await open();
        await waiting(store, 'by-token', { waitToken: 'tok-1' });
        await waiting(store, 'by-ref', { waitReferenceId: 'ref-1' });
        await waiting(store, 'by-user', { waitCustomerUserId: 'cu-1' });
        const gone = await waiting(store, 'resumed', { waitToken: 'tok-1' });
        await store.commitStep(step('resumed', gone.version, 300, { patch: { status: 'running' } }));

        const ids = async (keys: Parameters<Store['findWaitingSessions']>[0]) =>
          (await store.findWaitingSessions(keys)).map((s) => s.id).sort();
        expect(await ids({ docvTransactionToken: 'tok-1' })).toEqual(['by-token']);
        expect(await ids({ referenceId: 'ref-1' })).toEqual(['by-ref']);
        expect(await ids({ customerUserId: 'cu-1' })).toEqual(['by-user']);
        expect(
          await ids({ docvTransactionToken: 'tok-1', referenceId: 'ref-1', customerUserId: 'cu-x' }),
        ).toEqual(['by-ref', 'by-token']);
        expect(await ids({ docvTransactionToken: 'tok-1', referenceId: null })).toEqual(['by-token']);
        expect(await ids({ docvTransactionToken: 'nope' })).toEqual([]);
        expect(await ids({})).toEqual([]);
        expect(await ids({ docvTransactionToken: null, referenceId: null, customerUserId: null })).toEqual(
          [],
        );
        const [row] = await store.findWaitingSessions({ docvTransactionToken: 'tok-1' });
        expect(row).toStrictEqual(await store.getSession('by-token'));
      });

      it('listWaitingSessions: every waiting session, in pages by id', async () => {
        const store = await open();
        for (const id of ['w3', 'w1', 'w5', 'w2', 'w4']) await waiting(store, id);
        await store.createSession(newSession('r0'), 1, FREE);
        await waiting(store, 'c0');
        await store.commitStep(step('c0', 2, 300, { patch: { status: 'completed' } }));

        const first = await store.listWaitingSessions(2);
        expect(first.map((s) => s.id)).toEqual(['w1', 'w2']);
        expect(first[0]).toStrictEqual(await store.getSession('w1'));
        expect((await store.listWaitingSessions(2, 'w2')).map((s) => s.id)).toEqual(['w3', 'w4']);
        expect((await store.listWaitingSessions(2, 'w4')).map((s) => s.id)).toEqual(['w5']);
        expect(await store.listWaitingSessions(2, 'w5')).toEqual([]);
        expect((await store.listWaitingSessions(100)).map((s) => s.id)).toEqual([
          'w1',
          'w2',
          'w3',
          'w4',
          'w5',
        ]);
      });
    });

    describe('webhook inbox', () => {
      it('insertDelivery: inserted, then duplicate by delivery id and by token + event type', async () => {
        const store = await open();
        expect((await store.insertDelivery(delivery('d1', { docvTransactionToken: 'tok' }), 0)).status).toBe(
          'inserted',
        );
        // Same delivery id, different everything else.
        expect(
          (
            await store.insertDelivery(
              delivery('d1', { docvTransactionToken: 'other', eventType: 'APP_OPENED' }),
              0,
            )
          ).status,
        ).toBe('duplicate');
        // New delivery id, same token + event type.
        expect((await store.insertDelivery(delivery('d2', { docvTransactionToken: 'tok' }), 0)).status).toBe(
          'duplicate',
        );
        // Same token, another event type: a new delivery.
        expect(
          (
            await store.insertDelivery(
              delivery('d3', { docvTransactionToken: 'tok', eventType: 'SESSION_COMPLETE' }),
              0,
            )
          ).status,
        ).toBe('inserted');
        // NULL tokens never collide.
        expect((await store.insertDelivery(delivery('n1', { referenceId: 'r' }), 0)).status).toBe('inserted');
        expect((await store.insertDelivery(delivery('n2', { referenceId: 'r' }), 0)).status).toBe('inserted');
        const all = await store.findDeliveries({ docvTransactionToken: 'tok', referenceId: 'r' }, EVENTS);
        expect(all.map((d) => d.deliveryId)).toEqual(['d1', 'd3', 'n1', 'n2']);
        expect(all[0]).toMatchObject({ docvTransactionToken: 'tok', eventType: 'VERIFICATION_COMPLETED' });
        // A duplicate changes nothing of the first, not even when it must be correlated.
        expect((await store.claimUncorrelatedDeliveries(0, 10, 10)).map((d) => d.deliveryId).sort()).toEqual([
          'd1',
          'd3',
          'n1',
          'n2',
        ]);
      });

      it('insertDelivery: concurrent duplicates across two stores insert exactly once', async () => {
        const a = await open();
        const b = await open();
        const results = await Promise.all([
          a.insertDelivery(delivery('d1', { docvTransactionToken: 't' }), 0),
          b.insertDelivery(delivery('d1', { docvTransactionToken: 't' }), 0),
          a.insertDelivery(delivery('d2', { docvTransactionToken: 't' }), 0),
          b.insertDelivery(delivery('d3', { docvTransactionToken: 't' }), 0),
          b.insertDelivery(delivery('d4', { docvTransactionToken: 't', eventType: 'APP_OPENED' }), 0),
        ]);
        expect(results.slice(0, 4).filter((r) => r.status === 'inserted')).toHaveLength(1);
        expect(results[4]?.status).toBe('inserted');
        expect(
          await a.findDeliveries({ docvTransactionToken: 't' }, ['VERIFICATION_COMPLETED']),
        ).toHaveLength(1);
      });

      it('findDeliveries: keys OR-ed, event types filtered, in receive (insert) order; maps exactly', async () => {
        const store = await open();
        // Insert order is the receive order, whatever receivedAt says (clocks of instances differ, ties happen).
        await store.insertDelivery(delivery('late', { docvTransactionToken: 't1', receivedAt: 300 }), 0);
        await store.insertDelivery(
          delivery('tie-b', {
            referenceId: 'r1',
            receivedAt: 200,
            eventType: 'SESSION_COMPLETE',
            authenticated: false,
          }),
          0,
        );
        await store.insertDelivery(delivery('tie-a', { customerUserId: 'c1', receivedAt: 200 }), 0);
        await store.insertDelivery(
          delivery('other-type', { docvTransactionToken: 't1', eventType: 'APP_OPENED' }),
          0,
        );
        await store.insertDelivery(delivery('unrelated', { docvTransactionToken: 't2', receivedAt: 1 }), 0);
        for (let i = 0; i < 11; i++) {
          await store.insertDelivery(
            delivery(`many-${10 - i}`, { customerUserId: 'c1', receivedAt: 200 }),
            0,
          );
        }

        const keys = { docvTransactionToken: 't1', referenceId: 'r1', customerUserId: 'c1' };
        const found = await store.findDeliveries(keys, ['VERIFICATION_COMPLETED', 'SESSION_COMPLETE']);
        expect(found.map((d) => d.deliveryId)).toEqual([
          'late',
          'tie-b',
          'tie-a',
          ...Array.from({ length: 11 }, (_, i) => `many-${10 - i}`),
        ]);
        expect(found[1]).toStrictEqual({
          deliveryId: 'tie-b',
          eventType: 'SESSION_COMPLETE',
          docvTransactionToken: null,
          referenceId: 'r1',
          customerUserId: null,
          payload: '{"id":"tie-b"}',
          authenticated: false,
          receivedAt: 200,
          consumedBy: null,
        });
        expect(found[0]!.authenticated).toBe(true);
        expect(await store.findDeliveries({ referenceId: 'r1' }, ['VERIFICATION_COMPLETED'])).toEqual([]);
        expect(
          (await store.findDeliveries({ docvTransactionToken: 't1' }, ['APP_OPENED'])).map(
            (d) => d.deliveryId,
          ),
        ).toEqual(['other-type']);
        expect(await store.findDeliveries({}, ['VERIFICATION_COMPLETED'])).toEqual([]);
        expect(
          await store.findDeliveries({ docvTransactionToken: null }, ['VERIFICATION_COMPLETED']),
        ).toEqual([]);
        expect(await store.findDeliveries(keys, [])).toEqual([]);
      });

      it('a consuming commit records the session and ends the delivery’s correlation', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, FREE);
        await store.insertDelivery(delivery('d1', { docvTransactionToken: 't' }), 100);
        await store.insertDelivery(
          delivery('d2', { docvTransactionToken: 't', eventType: 'SESSION_COMPLETE' }),
          100,
        );
        await store.commitStep(step('s1', 1, 2, { consumedDelivery: 'd1' }));
        expect(
          (await store.findDeliveries({ docvTransactionToken: 't' }, EVENTS)).map((d) => [
            d.deliveryId,
            d.consumedBy,
          ]),
        ).toEqual([
          ['d1', 's1'],
          ['d2', null],
        ]);
        expect((await store.claimUncorrelatedDeliveries(FAR, FAR + 1, 10)).map((d) => d.deliveryId)).toEqual([
          'd2',
        ]);
      });

      it('claimUncorrelatedDeliveries: overdue ones, pushed to `until`; markDeliveryCorrelated ends it for good', async () => {
        const store = await open();
        await store.insertDelivery(delivery('d1', { docvTransactionToken: 't1', receivedAt: 10 }), 100);
        await store.insertDelivery(delivery('d2', { docvTransactionToken: 't2', receivedAt: 20 }), 200);
        await store.insertDelivery(delivery('d3', { docvTransactionToken: 't3', receivedAt: 30 }), 300);
        await store.insertDelivery(delivery('d4', { docvTransactionToken: 't4', receivedAt: 40 }), 100);
        const ids = (rows: InboxDelivery[]) => rows.map((d) => d.deliveryId).sort();

        expect(await store.claimUncorrelatedDeliveries(99, 1_000, 10)).toEqual([]);
        const first = await store.claimUncorrelatedDeliveries(200, 1_000, 10);
        expect(ids(first)).toEqual(['d1', 'd2', 'd4']);
        expect(first.find((d) => d.deliveryId === 'd2')).toStrictEqual({
          ...delivery('d2', { docvTransactionToken: 't2', receivedAt: 20 }),
          consumedBy: null,
        });
        // Pushed to 1000: nobody gets them again before then.
        expect(await store.claimUncorrelatedDeliveries(299, 2_000, 10)).toEqual([]);
        await store.markDeliveryCorrelated('d1');
        // At 1000: d2 and d4 again, and d3 (due since 300); the limit takes the most overdue first.
        expect(ids(await store.claimUncorrelatedDeliveries(1_000, 2_000, 1))).toEqual(['d3']);
        expect(ids(await store.claimUncorrelatedDeliveries(1_000, 2_000, 10))).toEqual(['d2', 'd4']);
        expect(await store.claimUncorrelatedDeliveries(1_999, 3_000, 10)).toEqual([]);
        expect(await store.claimUncorrelatedDeliveries(1_000, 2_000, 0)).toEqual([]);
        for (const id of ['d2', 'd3', 'd4']) await store.markDeliveryCorrelated(id);
        expect(await store.claimUncorrelatedDeliveries(FAR, FAR + 1, 10)).toEqual([]);
        // Marking keeps the delivery itself.
        expect(
          (await store.findDeliveries({ docvTransactionToken: 't1' }, EVENTS)).map((d) => d.deliveryId),
        ).toEqual(['d1']);
        await store.markDeliveryCorrelated('nope');
      });

      it('insertDelivery called concurrently (one batch): each answered alone, the first of a duplicate pair wins', async () => {
        const store = await open();
        const answers = await Promise.all([
          store.insertDelivery(delivery('b1', { docvTransactionToken: 'bt1' }), 0),
          store.insertDelivery(delivery('b2', { docvTransactionToken: 'bt2' }), 0),
          store.insertDelivery(
            delivery('b1', { docvTransactionToken: 'bt-other', payload: '{"late":1}' }),
            0,
          ),
          store.insertDelivery(delivery('b3', { docvTransactionToken: 'bt2' }), 0), // same token + event type
          store.insertDelivery(delivery('b4', { docvTransactionToken: 'bt2', eventType: 'APP_OPENED' }), 0),
        ]);
        expect(answers.map((a) => a.status)).toEqual([
          'inserted',
          'inserted',
          'duplicate',
          'duplicate',
          'inserted',
        ]);
        const [b1] = await store.findDeliveries({ docvTransactionToken: 'bt1' }, EVENTS);
        expect(b1?.payload).toBe('{"id":"b1"}');
        expect(await store.findDeliveries({ docvTransactionToken: 'bt-other' }, EVENTS)).toEqual([]);
      });

      it('insertDelivery says whether a session waits on any of the delivery’s keys (whatever its event types)', async () => {
        const store = await open();
        await waiting(store, 'w-token', { waitToken: 'tok-w' });
        await waiting(store, 'w-user', { waitCustomerUserId: 'cu-w' });
        const done = await waiting(store, 'w-done', { waitReferenceId: 'ref-done' });
        await store.commitStep(step('w-done', done.version, 300, { patch: { status: 'completed' } }));
        const receipts = await Promise.all([
          store.insertDelivery(delivery('free', { docvTransactionToken: 'tok-free' }), 10),
          store.insertDelivery(
            delivery('by-token', { docvTransactionToken: 'tok-w', eventType: 'APP_OPENED' }),
            10,
          ),
          store.insertDelivery(
            delivery('by-user', { docvTransactionToken: 'tok-x', customerUserId: 'cu-w' }),
            10,
          ),
          store.insertDelivery(delivery('ended', { referenceId: 'ref-done' }), 10),
          store.insertDelivery(delivery('by-token', { docvTransactionToken: 'tok-w' }), 10),
        ]);
        expect(receipts).toEqual([
          { status: 'inserted', sessionWaits: false },
          { status: 'inserted', sessionWaits: true },
          { status: 'inserted', sessionWaits: true },
          { status: 'inserted', sessionWaits: false },
          { status: 'duplicate', sessionWaits: false },
        ]);
      });

      it('settleDeliveries: ends the correlation of overdue deliveries nobody waits for, in bulk, up to a limit', async () => {
        const store = await open();
        await waiting(store, 'w-token', { waitToken: 'tok-w' });
        for (const id of ['f1', 'f2', 'f3'])
          await store.insertDelivery(delivery(id, { docvTransactionToken: id }), 100);
        await store.insertDelivery(delivery('later', { docvTransactionToken: 'later' }), 900);
        await store.insertDelivery(delivery('awaited', { docvTransactionToken: 'tok-w' }), 100);
        expect(await store.settleDeliveries(99, 10)).toBe(0);
        expect(await store.settleDeliveries(100, 2)).toBe(2); // the limit, most overdue first
        expect(await store.settleDeliveries(100, 10)).toBe(1);
        expect(await store.settleDeliveries(100, 0)).toBe(0);
        // Left: the one a session waits for (to claim and correlate), and the one not due yet.
        expect(
          (await store.claimUncorrelatedDeliveries(FAR, FAR + 1, 10)).map((d) => d.deliveryId).sort(),
        ).toEqual(['awaited', 'later']);
        // Settling keeps the delivery itself: a session that starts waiting still finds it.
        expect(
          (await store.findDeliveries({ docvTransactionToken: 'f1' }, EVENTS)).map((d) => d.deliveryId),
        ).toEqual(['f1']);
      });

      it('claimUncorrelatedDeliveries: two stores claiming at once never get the same delivery', async () => {
        const a = await open();
        const b = await open();
        const ids = range('d', 20);
        for (const id of ids) await a.insertDelivery(delivery(id, { docvTransactionToken: id }), 10);
        const { racing, all } = await raceClaims(a, b, async (store) =>
          (await store.claimUncorrelatedDeliveries(100, FAR, 3)).map((d) => ({ id: d.deliveryId })),
        );
        expect(racing.length).toBeGreaterThan(0);
        expect(new Set(racing.map((r) => r.id)).size).toBe(racing.length);
        expect([...all].sort()).toEqual(ids);
      });
    });

    describe('outbound webhooks', () => {
      /** Three callbacks of one session, committed out of due order. */
      async function withOutbound(store: Store) {
        await store.createSession(newSession('s1'), 1, FREE);
        await store.commitStep(step('s1', 1, 2, { outbound: outbound('o2', 's1', 200, '{"n":2}') }));
        await store.commitStep(step('s1', 2, 3, { outbound: outbound('o1', 's1', 100, '{"n":1}') }));
        await store.commitStep(step('s1', 3, 4, { outbound: outbound('o3', 's1', 900, '{"n":3}') }));
      }
      const pending = (id: string, n: number, nextAttemptAt: number, attempts = 0) => ({
        id,
        sessionId: 's1',
        url: 'https://app.example/cb',
        body: `{"n":${n}}`,
        attempts,
        nextAttemptAt,
        status: 'pending',
        lastError: null,
      });

      it('a committed callback is pending with no attempts; listOutbound orders by next attempt', async () => {
        const store = await open();
        await withOutbound(store);
        expect(await store.listOutbound('s1')).toStrictEqual([
          pending('o1', 1, 100),
          pending('o2', 2, 200),
          pending('o3', 3, 900),
        ]);
        expect(await store.listOutbound('other')).toEqual([]);
      });

      it('claimDueOutbound leases due pending webhooks, increments attempts, respects the limit', async () => {
        const store = await open();
        await withOutbound(store);
        expect(await store.claimDueOutbound(500, 10_000, 10)).toStrictEqual([
          pending('o1', 1, 10_000, 1),
          pending('o2', 2, 10_000, 1),
        ]);
        // Leased: a second worker at the same time gets nothing.
        expect(await store.claimDueOutbound(500, 10_000, 10)).toEqual([]);
        // o3 becomes due (at exactly its time); limit 1 picks the oldest due.
        expect((await store.claimDueOutbound(900, 20_000, 1)).map((o) => o.id)).toEqual(['o3']);
        // The lease expires: claimed again, second attempt.
        const again = await store.claimDueOutbound(10_000, 30_000, 1);
        expect(again.map((o) => [o.id, o.attempts, o.nextAttemptAt])).toEqual([['o1', 2, 30_000]]);
        expect(await store.claimDueOutbound(10_000, 30_000, 0)).toEqual([]);
        expect(await store.listOutbound('s1')).toStrictEqual([
          pending('o2', 2, 10_000, 1),
          pending('o3', 3, 20_000, 1),
          pending('o1', 1, 30_000, 2),
        ]);
      });

      it('recordOutboundAttempt: delivered and failed are never claimed again; a retry is', async () => {
        const store = await open();
        await withOutbound(store);
        await store.claimDueOutbound(1_000, 5_000, 10);
        await store.recordOutboundAttempt('o1', {
          status: 'delivered',
          nextAttemptAt: 5_000,
          lastError: null,
        });
        await store.recordOutboundAttempt('o2', {
          status: 'failed',
          nextAttemptAt: 5_000,
          lastError: 'HTTP 500',
        });
        await store.recordOutboundAttempt('o3', {
          status: 'pending',
          nextAttemptAt: 2_000,
          lastError: 'timeout',
        });
        const list = await store.listOutbound('s1');
        expect(list.map((o) => [o.id, o.status, o.attempts, o.nextAttemptAt, o.lastError])).toEqual([
          ['o3', 'pending', 1, 2_000, 'timeout'],
          ['o1', 'delivered', 1, 5_000, null],
          ['o2', 'failed', 1, 5_000, 'HTTP 500'],
        ]);
        expect((await store.claimDueOutbound(100_000, 200_000, 10)).map((o) => [o.id, o.attempts])).toEqual([
          ['o3', 2],
        ]);
        await store.recordOutboundAttempt('o3', {
          status: 'delivered',
          nextAttemptAt: 200_000,
          lastError: null,
        });
        expect(await store.claimDueOutbound(FAR, FAR + 1, 10)).toEqual([]);
      });

      it('two stores claiming at once never get the same webhook', async () => {
        const a = await open();
        const b = await open();
        await a.createSession(newSession('s1'), 1, FREE);
        const ids = range('o', 20);
        for (const [i, id] of ids.entries()) {
          await a.commitStep(step('s1', i + 1, i, { outbound: outbound(id, 's1', i) }));
        }
        const { racing, all } = await raceClaims(a, b, (store) => store.claimDueOutbound(100, 1_000, 3));
        expect(racing.length).toBeGreaterThan(0);
        expect(new Set(racing.map((r) => r.id)).size).toBe(racing.length);
        expect([...all].sort()).toEqual(ids);
        for (const webhook of await b.listOutbound('s1')) expect(webhook.attempts).toBe(1);
      });
    });

    describe('changes feed', () => {
      it('a subscriber of one store sees {id, version, status} of commits made through another store', async () => {
        const a = await open();
        const b = await open();
        const seen: SessionChange[] = [];
        const other: SessionChange[] = [];
        const unsubscribe = a.changes.subscribe('s1', (change) => seen.push(change));
        a.changes.subscribe('s2', (change) => other.push(change));
        expect(a.changes.size).toBe(2);

        await b.createSession(newSession('s1'), 1, FREE);
        await b.commitStep(step('s1', 1, 2, { patch: { status: 'waiting' } }));
        await b.commitStep(step('s1', 2, 3, { patch: { status: 'completed', outcome: 'verified' } }));
        await eventually(() => seen.length >= 3, 'three changes of s1');
        expect(seen).toEqual([
          { id: 's1', version: 1, status: 'running' },
          { id: 's1', version: 2, status: 'waiting' },
          { id: 's1', version: 3, status: 'completed' },
        ]);

        // Unsubscribed: the next change of s1 is not delivered. s2's change, committed after it, proves that the
        // feed delivered everything up to then.
        unsubscribe();
        expect(a.changes.size).toBe(1);
        await b.commitStep(step('s1', 3, 4));
        await b.createSession(newSession('s2'), 5, FREE);
        await eventually(() => other.length >= 1, 'the change of s2');
        expect(other).toEqual([{ id: 's2', version: 1, status: 'running' }]);
        expect(seen).toHaveLength(3);
      });

      it('a refused or failed commit announces nothing', async () => {
        const a = await open();
        const b = await open();
        await b.createSession(newSession('host'), 1, FREE);
        await b.commitStep(step('host', 1, 2, { outbound: outbound('o-taken', 'host') }));
        const seen: SessionChange[] = [];
        a.changes.subscribe('s1', (change) => seen.push(change));
        await b.createSession(newSession('s1'), 1, { owner: 'holder', until: 1_000 });
        await eventually(() => seen.length >= 1, 'the creation of s1');

        // Stale version, another runner's live lease, and a commit that fails part way.
        expect(
          await b.commitStep(step('s1', 7, 2, { lease: { owner: 'holder', until: 1_000 } })),
        ).toBeUndefined();
        expect(
          await b.commitStep(step('s1', 1, 2, { lease: { owner: 'intruder', until: 1_000 } })),
        ).toBeUndefined();
        await expect(
          b.commitStep(
            step('s1', 1, 2, {
              lease: { owner: 'holder', until: 1_000 },
              patch: { status: 'completed' },
              outbound: outbound('o-taken', 's1'),
            }),
          ),
        ).rejects.toThrow();
        // Then one that commits: the only change announced.
        expect(
          await b.commitStep(step('s1', 1, 3, { lease: { owner: 'holder', until: null } })),
        ).toMatchObject({
          version: 2,
        });
        await eventually(() => seen.length >= 2, 'the committed change');
        expect(seen).toEqual([
          { id: 's1', version: 1, status: 'running' },
          { id: 's1', version: 2, status: 'running' },
        ]);
        // And a later one arrives after it, with nothing in between.
        await b.commitStep(step('s1', 2, 4, { patch: { status: 'waiting' } }));
        await eventually(() => seen.length >= 3, 'the second committed change');
        expect(seen).toEqual([
          { id: 's1', version: 1, status: 'running' },
          { id: 's1', version: 2, status: 'running' },
          { id: 's1', version: 3, status: 'waiting' },
        ]);
      });
    });

    describe('session claims', () => {
      it("claimSession: the first claimant keeps the session; others are refused; an unknown session is nobody's", async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, FREE);
        const versionBefore = (await store.getSession('s1'))!.version;
        expect(await store.claimSession('s1', 'browser-a')).toBe(true);
        expect(await store.claimSession('s1', 'browser-b')).toBe(false);
        expect(await store.claimSession('s1', 'browser-a')).toBe(true);
        expect(await store.claimSession('nope', 'browser-a')).toBe(false);
        // A claim is not a step: the version (and so every waiting page) is untouched.
        expect((await store.getSession('s1'))!.version).toBe(versionBefore);
      });
    });

    describe('settings', () => {
      it('getOrCreateSetting creates once and then returns the stored value without calling create', async () => {
        const store = await open();
        expect(await store.getOrCreateSetting('secret', () => 'first')).toBe('first');
        let called = false;
        expect(
          await store.getOrCreateSetting('secret', () => {
            called = true;
            return 'second';
          }),
        ).toBe('first');
        expect(called).toBe(false);
        expect(await store.getOrCreateSetting('other', () => 'x')).toBe('x');
      });

      it('is shared by two stores on one database, and racing stores agree on one value', async () => {
        const a = await open();
        const b = await open();
        expect(await a.getOrCreateSetting('made-by-a', () => 'a-value')).toBe('a-value');
        expect(await b.getOrCreateSetting('made-by-a', () => 'b-value')).toBe('a-value');
        const values = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).getOrCreateSetting('raced', () => `from-${i}`)),
        );
        expect(new Set(values).size).toBe(1);
        expect(values[0]).toMatch(/^from-\d$/);
        expect(await b.getOrCreateSetting('raced', () => 'late')).toBe(values[0]);
      });
    });

    describe('migrations and lifecycle', () => {
      it('ready() is ok when migrated, reports pending migrations, and fails once closed', async () => {
        const store = await open();
        expect(await store.ready()).toEqual({
          ok: true,
          detail: `${store.dialect}: ${MIGRATION_NAMES.length} migration(s) applied`,
        });
        await database.query(`delete from kysely_migration where name = '${MIGRATION_NAMES.at(-1)}'`);
        expect(await store.ready()).toEqual({
          ok: false,
          detail: `pending migrations: ${MIGRATION_NAMES.at(-1)}`,
        });
        await store.close();
        expect((await store.ready()).ok).toBe(false);
      });

      it('migrating again is a no-op that keeps the data', async () => {
        const store = await open();
        await store.createSession(newSession('s1', { timeline: [{ type: 'created', detail: {} }] }), 1, FREE);
        await store.migrate();
        await store.migrate();
        expect(await store.getSession('s1')).toBeDefined();
        expect(await store.listTimeline('s1')).toHaveLength(1);
        const applied = await database.query('select name from kysely_migration order by name');
        expect(applied.map((row) => row.name)).toEqual([...MIGRATION_NAMES]);
      });

      it('a store reopened on the same database finds everything', async () => {
        const first = await open();
        await first.createSession(
          newSession('s1', {
            customerUserId: 'cu-1',
            timeline: [{ type: 'created', detail: { node: 'start' } }],
          }),
          5,
          { owner: 'r', until: 50 },
        );
        await first.insertDelivery(delivery('d1', { docvTransactionToken: 'tok' }), 100);
        await first.commitStep(
          step('s1', 1, 6, {
            lease: { owner: 'r', until: 60 },
            output: { nodeId: 'a', value: 1 },
            consumedDelivery: 'd1',
            outbound: outbound('o1', 's1', 7),
          }),
        );
        await first.getOrCreateSetting('signing-secret', () => 'abc');
        const before = await snapshot(first, 's1');
        await first.close();
        const second = await open();
        expect(await snapshot(second, 's1')).toStrictEqual(before);
        expect(before.session).toMatchObject({
          customerUserId: 'cu-1',
          leaseOwner: 'r',
          leaseUntil: 60,
          version: 2,
        });
        expect(await second.getOrCreateSetting('signing-secret', () => 'other')).toBe('abc');
      });

      it('four stores migrating a fresh database at once all succeed and apply the schema once', async () => {
        const stores = await Promise.all(Array.from({ length: 4 }, () => database.openUnmigrated()));
        expect((await stores[0]!.ready()).ok).toBe(false);
        const results = await Promise.allSettled(stores.map((store) => store.migrate()));
        expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(
          stores.map(() => 'ok'),
        );
        for (const store of stores) expect(await store.ready()).toMatchObject({ ok: true });
        const applied = await database.query('select name from kysely_migration order by name');
        expect(applied.map((row) => row.name)).toEqual([...MIGRATION_NAMES]);
        await stores[1]!.createSession(newSession('s1'), 1, FREE);
        expect(await stores[3]!.getSession('s1')).toMatchObject({ id: 's1' });
      });

      it('refuses a database that a newer release migrated', async () => {
        const store = await open();
        await store.createSession(newSession('s1'), 1, FREE);
        await database.query(
          `insert into kysely_migration (name, "timestamp") values ('9999_future', '${new Date().toISOString()}')`,
        );
        await expect(store.migrate()).rejects.toThrow(/newer than this socure-connector.*9999_future/);
        await expect(database.open()).rejects.toThrow(/newer than this socure-connector/);
        const fresh = await database.openUnmigrated();
        await expect(fresh.migrate()).rejects.toThrow(/newer than this socure-connector/);
        // Refusing changed nothing.
        expect(await store.getSession('s1')).toMatchObject({ id: 's1' });
        const applied = await database.query('select name from kysely_migration order by name');
        expect(applied.map((row) => row.name)).toEqual([...MIGRATION_NAMES, '9999_future']);
      });
    });
  });
}

// --- a database of an older release (migrated up to 0002), for the upgrade tests of each dialect ---

export const OLD_MIGRATION = '0002_session_expiry';

/**
 * Fills a database migrated to 0002 with what the release of that time wrote: sessions (no lease columns), their
 * data, the old `timeline` (seq per session) and the old inbox (no sequence column). Rows are inserted in receive
 * order, as that release did (received_at may tie).
 */
export async function seedReleaseAt0002(db: Kysely<unknown>): Promise<void> {
  const session = (id: string, version: number, status: string, waitToken: string | null) =>
    sql`insert into sessions (id, flow_id, status, node_id, version, customer_user_id, return_url, wake_at,
      wait_token, wait_reference_id, wait_customer_user_id, wait_events, challenge_id, outcome, created_at,
      updated_at, expires_at)
      values (${id}, 'docv-qr', ${status}, 'wait', ${version}, 'cu-1', null, ${status === 'waiting' ? 9_000 : null},
      ${waitToken}, null, null, ${waitToken ? '["VERIFICATION_COMPLETED"]' : null}, null, null, 1, 2, 10000)`.execute(
      db,
    );
  await session('old-1', 13, 'waiting', 'tok');
  await session('old-2', 3, 'running', null);
  for (const id of ['old-1', 'old-2']) {
    await sql`insert into session_data (session_id, input, outputs, result)
      values (${id}, '{"firstName":"Ada"}', '{"a":1}', null)`.execute(db);
  }
  // old-1: twelve entries, inserted out of order (the old order is seq, which passes 10).
  for (const seq of [3, 1, 12, 2, 10, 11, 4, 5, 9, 6, 8, 7]) {
    await sql`insert into timeline (session_id, seq, at, type, detail)
      values ('old-1', ${seq}, ${seq * 10}, ${`t${seq}`}, ${JSON.stringify({ seq })})`.execute(db);
  }
  for (const seq of [1, 2]) {
    await sql`insert into timeline (session_id, seq, at, type, detail)
      values ('old-2', ${seq}, ${seq}, ${`u${seq}`}, '{}')`.execute(db);
  }
  const inbox = (id: string, eventType: string, receivedAt: number, consumedBy: string | null) =>
    sql`insert into webhook_inbox (delivery_id, event_type, docv_transaction_token, reference_id, customer_user_id,
      payload, authenticated, received_at, consumed_by)
      values (${id}, ${eventType}, 'tok', null, null, ${`{"id":"${id}"}`}, 1, ${receivedAt}, ${consumedBy})`.execute(
      db,
    );
  await inbox('in-1', 'APP_OPENED', 100, 'old-1');
  await inbox('in-3', 'DOCUMENTS_UPLOADED', 200, null);
  await inbox('in-2', 'SESSION_COMPLETE', 200, null); // a tie: insert order decides
  await inbox('in-4', 'VERIFICATION_COMPLETED', 300, null);
}

export const OLD_EVENTS = ['APP_OPENED', 'DOCUMENTS_UPLOADED', 'SESSION_COMPLETE', 'VERIFICATION_COMPLETED'];

/** What `seedReleaseAt0002` wrote, as the current store must see it after migrating to the latest schema. */
export async function expectReleaseAt0002DataKept(store: Store): Promise<void> {
  expect(await store.ready()).toMatchObject({ ok: true });
  expect(await store.getSession('old-1')).toMatchObject({
    version: 13,
    status: 'waiting',
    waitToken: 'tok',
    waitEvents: ['VERIFICATION_COMPLETED'],
    leaseOwner: null,
    leaseUntil: null,
    wakeAt: 9_000,
  });
  expect(await store.getSessionData('old-1')).toEqual({
    input: { firstName: 'Ada' },
    outputs: { a: 1 },
    result: null,
  });
  const oldTimeline = Array.from({ length: 12 }, (_, i) => ({
    sessionId: 'old-1',
    seq: i + 1,
    at: (i + 1) * 10,
    type: `t${i + 1}`,
    detail: { seq: i + 1 },
  }));
  expect(await store.listTimeline('old-1')).toStrictEqual(oldTimeline);
  expect((await store.listTimeline('old-2')).map((e) => e.type)).toEqual(['u1', 'u2']);
  // A new commit lands after every old entry.
  await store.commitStep(step('old-1', 13, 500, { timeline: [{ type: 'after', detail: {} }] }));
  expect(await store.listTimeline('old-1')).toStrictEqual([
    ...oldTimeline,
    { sessionId: 'old-1', seq: 13, at: 500, type: 'after', detail: {} },
  ]);

  const inbox = await store.findDeliveries({ docvTransactionToken: 'tok' }, OLD_EVENTS);
  expect(inbox.map((d) => [d.deliveryId, d.consumedBy])).toEqual([
    ['in-1', 'old-1'],
    ['in-3', null],
    ['in-2', null],
    ['in-4', null],
  ]);
  expect(inbox[0]).toStrictEqual({
    deliveryId: 'in-1',
    eventType: 'APP_OPENED',
    docvTransactionToken: 'tok',
    referenceId: null,
    customerUserId: null,
    payload: '{"id":"in-1"}',
    authenticated: true,
    receivedAt: 100,
    consumedBy: 'old-1',
  });
  // Old deliveries never consumed get one look from the next sweep (that release re-checked them on start-up);
  // consumed ones are done.
  const swept = await store.claimUncorrelatedDeliveries(FAR, FAR + 1, 100);
  expect(
    swept
      .filter((d) => d.docvTransactionToken === 'tok')
      .map((d) => d.deliveryId)
      .sort(),
  ).toEqual(['in-2', 'in-3', 'in-4']);
  expect(await store.claimUncorrelatedDeliveries(FAR, FAR + 1, 100)).toEqual([]);
  // The unique (token, event type) still holds; a new delivery is received after the old ones, whatever its time.
  expect(
    (await store.insertDelivery(delivery('dup', { docvTransactionToken: 'tok', eventType: 'APP_OPENED' }), 0))
      .status,
  ).toBe('duplicate');
  expect(
    (
      await store.insertDelivery(
        delivery('new', { docvTransactionToken: 'tok', eventType: 'OTHER', receivedAt: 1 }),
        0,
      )
    ).status,
  ).toBe('inserted');
  expect(
    (await store.findDeliveries({ docvTransactionToken: 'tok' }, [...OLD_EVENTS, 'OTHER'])).map(
      (d) => d.deliveryId,
    ),
  ).toEqual(['in-1', 'in-3', 'in-2', 'in-4', 'new']);
}
