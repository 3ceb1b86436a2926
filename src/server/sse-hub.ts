import type { ServerResponse } from 'node:http';
import type { ChangeFeed, SessionChange, SessionStatus } from '../store/types.js';

/** A session as its waiting pages are told of it. */
export interface PageState {
  version: number;
  status: SessionStatus;
  /** The page it shows (see settledPageOf); undefined while it runs a step: nothing is sent then. */
  page: string | undefined;
}

export interface SseHubOptions {
  changes: ChangeFeed;
  /** The session's state now, given the change that prompted the question if any; undefined when it is gone. */
  read(sessionId: string, change?: SessionChange): Promise<PageState | undefined>;
  /** Open streams per client address, and in all. */
  maxPerClient: number;
  maxStreams: number;
  /** A comment line on every stream this often, so proxies do not close idle ones. Default 15 s. */
  heartbeatMs?: number;
  onReadError(err: unknown, sessionId: string): void;
}

/** The open streams of one session and what they were last sent. */
interface Watch {
  readonly hub: SseHub;
  readonly id: string;
  /** An array, not a Set: a session has one or two (a hash table would cost more than the rest of its state). */
  readonly streams: Stream[];
  readonly unsubscribe: () => void;
  /** The newest version read, and the state last sent (page undefined before a settled one). */
  version: number;
  sent: PageState;
}

// A stream's session and the client address it counts against, on the response itself (no object per stream).
const WATCH = Symbol('sse-hub watch');
const CLIENT = Symbol('sse-hub client');
type Stream = ServerResponse & { [WATCH]?: Watch; [CLIENT]?: string };

const eventOf = ({ version, status, page }: PageState) =>
  `event: change\ndata: ${JSON.stringify({ version, status, page })}\n\n`;

// One listener for every stream (no closure per stream): `this` is the response that closed.
function onStreamClose(this: Stream): void {
  this[WATCH]?.hub.remove(this);
}

/**
 * Every open waiting-page event stream of this instance. An open stream costs what Node's socket and response
 * cost and little more: one change-feed subscription per session (not per stream), one heartbeat timer for all,
 * and no closure per stream. A stream is sent the page its session shows when it opens (unless the session is
 * mid-step), then each time that page changes; never for the steps in between.
 */
export class SseHub {
  readonly #watches = new Map<string, Watch>();
  readonly #perClient = new Map<string, number>();
  #open = 0;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly o: SseHubOptions) {}

  /** Open streams. */
  get size(): number {
    return this.#open;
  }

  /** Whether `client` may open one more stream. */
  hasRoom(client: string): boolean {
    return this.#open < this.o.maxStreams && (this.#perClient.get(client) ?? 0) < this.o.maxPerClient;
  }

  /** Takes a stream whose headers are written: sends it the session's page now, then every change of page. */
  add(sessionId: string, res: ServerResponse, client: string): void {
    let watch = this.#watches.get(sessionId);
    if (!watch) {
      watch = {
        hub: this,
        id: sessionId,
        streams: [],
        // Changes committed by any instance on this database (LISTEN/NOTIFY on PostgreSQL).
        unsubscribe: this.o.changes.subscribe(sessionId, this.#onChange),
        version: -1,
        sent: { version: -1, status: 'running', page: undefined },
      };
      this.#watches.set(sessionId, watch);
    }
    // Now, not with the first event: there is none while the session runs a step, and the page's EventSource
    // opens on the headers.
    res.flushHeaders();
    const stream: Stream = res;
    stream[WATCH] = watch;
    stream[CLIENT] = client;
    watch.streams.push(stream);
    // The response's 'close' fires when the client goes away (the request's may fire as soon as its empty body
    // is read), so nothing outlives the connection. `on`, not `once`: it fires once, and `once` wraps it.
    res.on('close', onStreamClose);
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    this.#open += 1;
    this.#heartbeat ??= setInterval(this.#beat, this.o.heartbeatMs ?? 15_000).unref();
    // Read after subscribing: the session may have moved since the page was rendered.
    void this.#refresh(watch, undefined, res);
  }

  /** Forgets a closed stream (called by its 'close' listener). */
  remove(res: Stream): void {
    const watch = res[WATCH];
    const client = res[CLIENT];
    const at = watch?.streams.indexOf(res) ?? -1;
    if (!watch || client === undefined || at < 0) return;
    watch.streams.splice(at, 1);
    res[WATCH] = undefined;
    if (watch.streams.length === 0) {
      watch.unsubscribe();
      this.#watches.delete(watch.id);
    }
    const left = (this.#perClient.get(client) ?? 1) - 1;
    if (left > 0) this.#perClient.set(client, left);
    else this.#perClient.delete(client);
    this.#open -= 1;
    if (this.#open === 0) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }

  /** Ends every stream: an SSE response never finishes on its own, and a server closing waits for it. */
  closeAll(): void {
    for (const watch of this.#watches.values()) for (const res of watch.streams) res.end();
  }

  readonly #onChange = (change: SessionChange): void => {
    const watch = this.#watches.get(change.id);
    // A step in progress shows no new page: its row is not even read.
    if (watch && change.status !== 'running' && change.version > watch.version)
      void this.#refresh(watch, change);
  };

  readonly #beat = (): void => {
    for (const watch of this.#watches.values())
      for (const res of watch.streams) res.write(': keep-alive\n\n');
  };

  /** Reads the session; sends its page to every stream if it changed, else the current one to `joined`. */
  async #refresh(watch: Watch, change?: SessionChange, joined?: ServerResponse): Promise<void> {
    let now: PageState | undefined;
    try {
      now = await this.o.read(watch.id, change);
    } catch (err) {
      this.o.onReadError(err, watch.id); // the page's status poll still moves it
    }
    // Reads can finish out of order: an older version never overrides a newer one.
    if (now && now.version > watch.version) {
      watch.version = now.version;
      if (now.page !== undefined && now.page !== watch.sent.page) {
        watch.sent = now;
        const event = eventOf(now);
        for (const res of watch.streams) res.write(event);
        return;
      }
    }
    if (joined && watch.sent.page !== undefined && watch.streams.includes(joined))
      joined.write(eventOf(watch.sent));
  }
}
