/** The benches that start the product build dist/ first (as `npm install` does) and check it stayed current. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function buildDist(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** False when src/ changed since the build: the bin then ran the sources through tsx, not dist/. */
export function distIsCurrent(): boolean {
  const current = execFileSync(process.execPath, ['bin/socure-connector.js', '--print-source-fingerprint'], {
    cwd: ROOT,
  });
  return current.toString().trim() === readFileSync(join(ROOT, 'dist/.source-fingerprint'), 'utf8').trim();
}
