/**
 * The floor of the service's path from a resolving webhook to the page's event, for webhook-to-sse's third side:
 * what any implementation with the service's durability does after acknowledging the delivery, and nothing more —
 * commit the claim (the session resumed, the delivery consumed by it: what stops a second instance or a restart from
 * calling Socure again), fetch the DocV result with the flow's own ID+ request, commit the end with the answer, then
 * push the event. Written straight on better-sqlite3 prepared statements (the inbox connection: same pragmas and
 * `synchronous`) and undici, without the engine, the flow file, personal-data sealing, the timeline or metrics.
 */
import { Agent, request } from 'undici';
import type { SqliteDatabase } from '../../src/store/sqlite-driver.js';

export interface FlowFloor {
  /** A session waiting on `token` (the page's stream opened on it). */
  open(token: string): void;
  /**
   * The claim: the session resumed and the delivery consumed, in one transaction (a savepoint when called inside
   * another: BENCH_FLOOR_CLAIM=with-insert claims in the inbox insert's own commit). False when it was not waiting.
   */
  claim(token: string, deliveryId: string): boolean;
  /** After the claim: fetch the DocV result, commit the end; the decision Socure gave. */
  finish(token: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export function openFlowFloor(db: SqliteDatabase, idPlusUrl: string, idPlusKey: string): FlowFloor {
  db.exec(`
    create table if not exists floor_session (
      token text primary key,
      status text not null,
      version integer not null,
      delivery_id text,
      result text
    )`);
  const insert = db.prepare(`insert into floor_session (token, status, version) values (?, 'waiting', 1)
    on conflict do nothing`);
  const resume =
    db.prepare(`update floor_session set status = 'running', version = version + 1, delivery_id = ?
    where token = ? and status = 'waiting'`);
  const consume = db.prepare('update webhook_inbox set consumed_by = ? where delivery_id = ?');
  const end = db.prepare(`update floor_session set status = 'completed', version = version + 1, result = ?
    where token = ?`);
  const claim = db.transaction((token: string, deliveryId: string) => {
    if (resume.run(deliveryId, token).changes === 0) return false;
    consume.run(token, deliveryId);
    return true;
  });
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  return {
    open: (token) => insert.run(token),
    claim: (token, deliveryId) => claim(token, deliveryId),
    async finish(token) {
      const res = await request(idPlusUrl, {
        method: 'POST',
        headers: { authorization: `SocureApiKey ${idPlusKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          modules: ['documentverification'],
          docvTransactionToken: token,
          customerUserId: token, // the flow sends the session's; any id does for the sandbox
        }),
        dispatcher: agent,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`ID+ answered ${res.statusCode}: ${text}`);
      const answer = JSON.parse(text) as { documentVerification?: { decision?: { value?: string } } };
      end.run(text, token);
      return answer.documentVerification?.decision?.value;
    },
    close: () => agent.close(),
  };
}
