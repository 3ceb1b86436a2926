import { request } from 'undici';

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** An open Server-Sent Events response read as a page's EventSource would: every event, in order. */
export interface EventStream {
  status: number;
  readonly events: StreamEvent[];
  /** Comment lines (heartbeats) received so far. */
  readonly comments: () => number;
  close(): void;
}

/** Opens `url` as an event stream (over a real socket) and reads it in the background until `close()`. */
export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventStream> {
  const controller = new AbortController();
  const res = await request(url, { headers, signal: controller.signal });
  const events: StreamEvent[] = [];
  let comments = 0;
  void (async () => {
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += String(chunk);
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) comments++;
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => undefined); // aborted by close()
  return { status: res.statusCode, events, comments: () => comments, close: () => controller.abort() };
}
