/**
 * Starts the offline sandbox on a free port and prints one JSON line `{ url, idPlusKey }` on stdout,
 * then serves until SIGTERM/SIGINT. Spawned by the benches so the server has its own event loop.
 */
import { startSandbox } from '../../src/sandbox/index.js';

const sandbox = await startSandbox({ port: 0, log: undefined });
process.stdout.write(`${JSON.stringify({ url: sandbox.url, idPlusKey: sandbox.keys.sandbox.idPlusKey })}\n`);

const stop = () => {
  sandbox.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
