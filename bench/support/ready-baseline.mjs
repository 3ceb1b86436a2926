/**
 * Baseline of the cold-start bench: the least a SQLite-backed service does before its first 200 — open the
 * database (WAL, as the service does) and answer GET /readyz after a query. Plain JavaScript so nothing is
 * compiled at start. Env: PORT, DATABASE_PATH. Serves until SIGTERM.
 */
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.env.DATABASE_PATH);
db.pragma('journal_mode = WAL');
const ping = db.prepare('select 1 as ok');

const server = createServer((_req, res) => {
  const ok = ping.get()?.ok === 1;
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end('{"status":"ready"}');
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => db.close()));
