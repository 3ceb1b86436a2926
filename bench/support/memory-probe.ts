/**
 * The memory side door of a bench child: a second loopback server whose `GET /memory` collects garbage and
 * answers `process.memoryUsage()`, so RSS is read after the heap dropped what is not live (the child's own
 * server is left alone). BENCH_HEAP_SNAPSHOT_DIR=<dir>: `GET /snapshot` also writes a heap snapshot there.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

// `--expose-gc` at run time: the child is started by spawnServer, which passes no V8 flags.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collect(): Promise<void> {
  // Twice, a macrotask apart: finalizers and weak callbacks of the first pass free more in the second.
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

/** Starts the probe; resolves with its base URL. */
export function startMemoryProbe(label: string): Promise<string> {
  const server = createServer(async (req, res) => {
    const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
    if (req.url === '/memory' || (req.url === '/snapshot' && snapshotDir)) {
      await collect();
      // Read before the snapshot, whose writing grows the heap.
      const usage = process.memoryUsage();
      const file =
        req.url === '/snapshot' && snapshotDir
          ? writeHeapSnapshot(join(snapshotDir, `${label}-${process.pid}-${Date.now()}.heapsnapshot`))
          : undefined;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ...usage, file }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}
