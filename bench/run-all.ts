/**
 * Runs every bench in sequence, each in its own Node process (no shared JIT/GC state), echoing its
 * output, then repeats the RESULT lines. A missed target is not a failure; only a crashed bench is.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = [
  'sandbox-throughput.ts',
  'client-overhead.ts',
  'cross-instance-sse.ts',
  'webhook-ingest.ts',
  'session-start.ts',
  'cold-start.ts',
  'restart-waiting.ts',
  'sse-memory.ts',
  'webhook-to-sse.ts',
  'score-batch.ts',
];

const results: string[] = [];
let crashed = 0;
for (const bench of BENCHES) {
  const file = fileURLToPath(new URL(`./${bench}`, import.meta.url));
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('RESULT')) results.push(line);
    });
    child.on('close', resolve);
  });
  if (code !== 0) {
    crashed++;
    results.push(`RESULT ${bench.replace(/\.ts$/, '')}: did not complete (exit ${code})`);
  }
  console.log('');
}

console.log('# summary');
for (const line of results) console.log(line);
if (crashed > 0) process.exitCode = 1;
