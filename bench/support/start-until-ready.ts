/**
 * Starts a command the way a person does (its own process group, output discarded) and times it from spawn to
 * the first 200 on `GET /readyz`. Used by the cold-start and restart benches.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMs } from './common.js';

/**
 * `count` distinct ports nothing listens on now (the OS's picks, held together, then released): pick every port
 * a start needs at once, or a second `listen(0)` in the child may be handed the first one.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Only what a start needs from this shell: no SOCURE_*, DATABASE_URL or PORT of the developer's leaks in. */
export function cleanEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG'])
    if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...vars };
}

/** GET once; the status, or 0 when nothing answered (not listening yet). */
export function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

/**
 * CPU time (user + system, all threads) used so far by the live processes of a process group, in ms (Linux /proc;
 * NaN elsewhere). On a shared machine it moves far less with the load than the wall time does.
 */
export function groupCpuMs(pgid: number): number {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return Number.NaN;
  }
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid)
        total += processCpuMs(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export interface Started {
  /** Spawn to the first 200 on /readyz, in ms. */
  readyMs: number;
  /** CPU time the started processes had used at that moment (see groupCpuMs). */
  cpuMs: number;
  /** performance.now() at spawn, for timing further steps from the same origin. */
  spawnedAt: number;
  /** SIGTERM to the whole process group (npm, its shell, the service); resolves once every member is gone. */
  stop(): Promise<void>;
}

export async function startUntilReady(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; port: number; timeoutMs?: number },
): Promise<Started> {
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const pgid = child.pid!;
  const groupAlive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    if (groupAlive()) process.kill(-pgid, 'SIGTERM');
    const deadline = performance.now() + 10_000;
    while (groupAlive()) {
      if (performance.now() > deadline) process.kill(-pgid, 'SIGKILL');
      await sleep(10);
    }
  };
  const url = `http://127.0.0.1:${options.port}/readyz`;
  const deadline = spawnedAt + (options.timeoutMs ?? 30_000);
  while ((await getStatus(url)) !== 200) {
    if (child.exitCode !== null || performance.now() > deadline) {
      await stop();
      throw new Error(`${command} ${args.join(' ')} was not ready (exit ${child.exitCode}):\n${stderr}`);
    }
    await sleep(2);
  }
  const readyMs = performance.now() - spawnedAt;
  return { readyMs, cpuMs: groupCpuMs(pgid), spawnedAt, stop };
}
