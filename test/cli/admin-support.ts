/**
 * For the tests of the commands that administer the service's database (keys, forget, audit): a SQLite database
 * populated through the store, as the service would have left it (the binary itself is run by ./run-cli.ts).
 */
import { generateKeyEntry } from '../../src/crypto/key-ring.js';
import { openStore, type Store } from '../../src/store/index.js';

/** A ring entry whose id is unique even when two are made within the same second. */
export function newKey(): string {
  return generateKeyEntry();
}

export const keyId = (entry: string) => entry.slice(0, entry.indexOf(':'));

/** A store on a SQLite file path, or on a database URL (postgres://…). */
export function open(db: string, keys: string): Promise<Store> {
  return openStore(/^postgres(ql)?:/.test(db) ? db : `sqlite:${db}`, { dataEncryptionKeys: keys });
}

/** What a person typed in a session, distinctive enough to find. */
export const PII = { firstName: 'Zebulon', ssn: '987-65-4321', dob: '1961-07-04' };

/**
 * A session as a finished flow leaves it: input, a node output, a result and a callback to the app. With a
 * customer user id when given. Returns nothing: read it back with the store.
 */
export async function seedSession(
  store: Store,
  id: string,
  customerUserId: string | null,
  at = 1_000,
): Promise<void> {
  const created = await store.createSession(
    {
      id,
      flowId: 'id-plus-score',
      nodeId: 'start',
      customerUserId,
      returnUrl: null,
      expiresAt: at + 3_600_000,
      input: { ...PII, session: id },
      audit: [
        { type: 'session.started', actor: 'public-page', detail: { flow: 'id-plus-score', session: id } },
      ],
    },
    at,
    { owner: 'seed', until: null },
  );
  await store.commitStep({
    sessionId: id,
    expectedVersion: created.version,
    now: at + 1,
    lease: { owner: 'seed', until: null },
    patch: { status: 'completed', outcome: 'verified', nodeId: 'end' },
    output: { nodeId: 'score', value: { echo: PII.ssn } },
    result: { decision: 'accept', firstName: PII.firstName },
    outbound: {
      id: `cb-${id}`,
      sessionId: id,
      url: 'https://app.example/cb',
      body: JSON.stringify({ session: id, firstName: PII.firstName }),
      nextAttemptAt: at + 2,
    },
    audit: [{ type: 'session.decided', actor: 'engine', detail: { session: id, outcome: 'verified' } }],
  });
}

export async function seedDelivery(store: Store, id: string, customerUserId: string | null): Promise<void> {
  await store.insertDelivery(
    {
      deliveryId: id,
      eventType: 'VERIFICATION_COMPLETED',
      docvTransactionToken: `tok-${id}`,
      referenceId: null,
      customerUserId: customerUserId === null ? null : store.lookupHash(customerUserId),
      payload: JSON.stringify({ id, data: { firstName: PII.firstName } }),
      authenticated: true,
      receivedAt: 1_000,
    },
    0,
  );
}

/** The seq of each entry `audit export` wrote as JSON lines. */
export const jsonlSeqs = (stdout: string): number[] =>
  stdout
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l) as { seq: number }).seq);

/** Every chained entry, chaining the pending ones first. */
export async function allAudit(store: Store) {
  while ((await store.chainAudit(1000)) > 0);
  return store.listAudit({ limit: 100_000 });
}
