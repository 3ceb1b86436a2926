/**
 * The hub of open event streams, on a real node:http server and real sockets, with the store's in-process change
 * feed and a session table the test controls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PageState, SseHub, type SseHubOptions } from '../../src/server/sse-hub.js';
import { LocalChangeFeed } from '../../src/store/change-feed.js';
import { eventually } from '../support/eventually.js';
import { type EventStream, openEventStream } from './event-stream.js';

let feed: LocalChangeFeed;
let hub: SseHub;
let server: Server;
let url: string;
/** The sessions as `read` answers them; `reads` counts the calls. */
let rows: Map<string, PageState>;
let reads: string[];
let read: SseHubOptions['read'];
const streams: EventStream[] = [];

async function start(options: Partial<SseHubOptions> = {}) {
  hub = new SseHub({
    changes: feed,
    read: (id) => {
      reads.push(id);
      return read(id);
    },
    maxPerClient: 20,
    maxStreams: 100,
    onReadError: () => undefined,
    ...options,
  });
  // GET /<session>?client=<address>: what the events route does once the browser is checked.
  server = createServer((req, res) => {
    const { pathname, searchParams } = new URL(req.url!, 'http://x');
    const client = searchParams.get('client') ?? 'a';
    if (!hub.hasRoom(client)) return res.writeHead(429).end();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    hub.add(pathname.slice(1), res, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function open(session: string, client = 'a'): Promise<EventStream> {
  const stream = await openEventStream(`${url}/${session}?client=${client}`);
  streams.push(stream);
  return stream;
}

const settle = (id: string, version: number, page: string | undefined, status: PageState['status']) => {
  rows.set(id, { version, status, page });
  feed.publish({ id, version, status });
};
const pages = (stream: EventStream) => stream.events.map((e) => e.data.page);

beforeEach(() => {
  feed = new LocalChangeFeed();
  rows = new Map();
  reads = [];
  read = async (id) => rows.get(id);
});
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  hub.closeAll();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('SseHub', () => {
  it('one change-feed subscription per session however many streams it has, gone with the last', async () => {
    await start();
    rows.set('s1', { version: 1, status: 'waiting', page: 'wait:1' });
    rows.set('s2', { version: 1, status: 'waiting', page: 'wait:1' });
    const [a, b, c] = [await open('s1'), await open('s1'), await open('s2')];
    await eventually(() => [a, b, c].every((s) => s.events.length === 1), 'the page at connection');
    expect(hub.size).toBe(3);
    expect(feed.size).toBe(2);
    a.close();
    await eventually(() => hub.size === 2, 'a closed stream forgotten');
    expect(feed.size).toBe(2);
    b.close();
    c.close();
    await eventually(() => hub.size === 0 && feed.size === 0, 'every subscription released');
  });

  it('a running step is not even read; a settled page is sent once to each stream of its session', async () => {
    await start();
    rows.set('s1', { version: 3, status: 'waiting', page: 'wait:3' });
    const [a, b] = [await open('s1'), await open('s1')];
    await eventually(() => a.events.length === 1 && b.events.length === 1, 'the page at connection');
    expect(reads).toEqual(['s1', 's1']);
    settle('s1', 4, undefined, 'running');
    settle('s1', 5, undefined, 'running');
    settle('s1', 6, 'end:6', 'completed');
    await eventually(() => a.events.length === 2 && b.events.length === 2, 'the result on both streams');
    expect(reads).toEqual(['s1', 's1', 's1']);
    for (const stream of [a, b]) {
      expect(stream.events.map((e) => e.data)).toEqual([
        { version: 3, status: 'waiting', page: 'wait:3' },
        { version: 6, status: 'completed', page: 'end:6' },
      ]);
    }
  });

  it('nothing is sent for a new version of the same page, nor at connection while a step runs', async () => {
    await start();
    rows.set('s1', { version: 2, status: 'running', page: undefined });
    const a = await open('s1');
    await eventually(() => reads.length === 1, 'the read at connection');
    settle('s1', 3, 'working', 'waiting'); // parked for a step's retry
    settle('s1', 5, 'working', 'waiting'); // parked again
    settle('s1', 7, 'end:7', 'completed');
    await eventually(() => pages(a).includes('end:7'), 'the result');
    // In order on one socket: a page sent for version 2 or 5 would be listed before the result.
    expect(pages(a)).toEqual(['working', 'end:7']);
  });

  it('a read that finishes late with an older version does not send its page after a newer one', async () => {
    await start();
    rows.set('s1', { version: 1, status: 'waiting', page: 'wait:1' });
    const a = await open('s1');
    await eventually(() => a.events.length === 1, 'the page at connection');
    let late: (state: PageState) => void = () => undefined;
    read = () => new Promise((resolve) => (late = resolve));
    feed.publish({ id: 's1', version: 2, status: 'waiting' }); // its read hangs
    read = async (id) => rows.get(id);
    settle('s1', 3, 'end:3', 'completed');
    await eventually(() => pages(a).includes('end:3'), 'the newer page');
    late({ version: 2, status: 'waiting', page: 'wait:2' });
    // A marker after the late answer: had the old page been sent, it would come before it.
    const b = await open('s1');
    await eventually(() => b.events.length === 1, 'the marker stream');
    expect(pages(b)).toEqual(['end:3']);
    expect(pages(a)).toEqual(['wait:1', 'end:3']);
  });

  it('caps streams per client and in all; a closed stream frees its place', async () => {
    await start({ maxPerClient: 2, maxStreams: 3 });
    rows.set('s1', { version: 1, status: 'waiting', page: 'wait:1' });
    const a1 = await open('s1', 'a');
    await open('s1', 'a');
    expect((await open('s1', 'a')).status).toBe(429);
    expect(hub.hasRoom('a')).toBe(false);
    expect((await open('s1', 'b')).status).toBe(200);
    expect((await open('s1', 'c')).status).toBe(429);
    a1.close();
    await eventually(() => hub.hasRoom('a') && hub.hasRoom('c'), 'the freed place');
  });

  it('one heartbeat for every open stream', async () => {
    await start({ heartbeatMs: 20 });
    rows.set('s1', { version: 1, status: 'waiting', page: 'wait:1' });
    rows.set('s2', { version: 1, status: 'waiting', page: 'wait:1' });
    const all = [await open('s1'), await open('s1'), await open('s2')];
    await eventually(() => all.every((s) => s.comments() >= 2), 'heartbeats on every stream');
  });
});
