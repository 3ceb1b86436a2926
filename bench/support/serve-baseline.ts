import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every baseline server of the benches does around its handler: keep-alive as long as the sandbox's (72 s),
 * listen on a free loopback port, print `{ url, ...info }` as its first stdout line (what spawnServer reads), and
 * on SIGTERM/SIGINT close the connections, await `release` (its database), then exit.
 */
export function serveBaseline(
  server: Server,
  info: Record<string, unknown> = {},
  release: () => unknown = () => undefined,
): void {
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, ...info })}\n`);
  });
  const stop = () => {
    server.close(() => {
      void Promise.resolve()
        .then(release)
        .finally(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
