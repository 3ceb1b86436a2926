/** A counting proxy in front of the sandbox: which rows reached ID+, when, and a few injected 429s. */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STOCK_PERSONA } from '../../src/socure/stock-persona.js';

export interface IdPlusCall {
  at: number;
  customerUserId: string | undefined;
  status: number;
}

export interface CountingProxy {
  url: string;
  calls: IdPlusCall[];
  /** Answer the next `n` ID+ calls 429 with `Retry-After: seconds` (not forwarded). */
  refuseNext(n: number, seconds: number): void;
  /** customerUserId → how many ID+ calls carried it. */
  perRow(): Map<string, number>;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const calls: IdPlusCall[] = [];
  let refuse = 0;
  let retryAfter = 1;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const isIdPlus = req.url === '/api/3.0/EmailAuthScore';
      let customerUserId: string | undefined;
      if (isIdPlus) {
        try {
          customerUserId = (JSON.parse(body.toString()) as { customerUserId?: string }).customerUserId;
        } catch {}
      }
      if (isIdPlus && refuse > 0) {
        refuse--;
        calls.push({ at: Date.now(), customerUserId, status: 429 });
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
        res.end(JSON.stringify({ status: 'Error', referenceId: 'refused', msg: 'Too many requests' }));
        return;
      }
      const call: IdPlusCall = { at: Date.now(), customerUserId, status: 0 };
      if (isIdPlus) calls.push(call);
      try {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
        const upstream = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        });
        call.status = upstream.status;
        const text = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/json',
        });
        res.end(text);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    refuseNext(n, seconds) {
      refuse = n;
      retryAfter = seconds;
    },
    perRow() {
      const counts = new Map<string, number>();
      for (const c of calls)
        if (c.customerUserId) counts.set(c.customerUserId, (counts.get(c.customerUserId) ?? 0) + 1);
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const P = STOCK_PERSONA;
const CSV_HEADER =
  'customer_user_id,first_name,last_name,date_of_birth,ssn,email,phone,street,city,state,postal_code,country';

/** A CSV of `n` people (the stock persona, each with its own customerUserId `<prefix>-<i>`). */
export function peopleCsv(n: number, prefix: string): string {
  const rows = [CSV_HEADER];
  for (let i = 1; i <= n; i++)
    rows.push(
      [
        `${prefix}-${i}`,
        P.firstName,
        P.surName,
        P.dob,
        P.nationalId,
        P.email,
        P.mobileNumber,
        `"${P.physicalAddress}"`,
        P.city,
        P.state,
        P.zip,
        P.country,
      ].join(','),
    );
  return `${rows.join('\n')}\n`;
}

export interface JournalView {
  sent: Set<number>;
  finished: Set<number>;
  done: number;
}

/** The journal as the tests see it: which lines were sent and which have an answer. */
export function readJournal(path: string): JournalView {
  const view: JournalView = { sent: new Set(), finished: new Set(), done: 0 };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return view;
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let rec: { l?: number; s?: string };
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    if (rec.l === undefined) continue;
    if (rec.s === 'sent') view.sent.add(rec.l);
    else {
      view.finished.add(rec.l);
      if (rec.s === 'done') view.done++;
    }
  }
  return view;
}
