#!/usr/bin/env node
// Runs the compiled CLI in dist/, bundled into one file (scripts/bundle-cli.mjs): plain JavaScript, nothing compiled
// at start (tsx costs ~400 ms), one module to load instead of ~1,000, and V8's code cache of it (run-bundle.js).
// In a git checkout `npm install` builds dist/ (the prepare script) and stamps it with a fingerprint of the
// sources it was built from. When the sources differ from that (a git pull, an edit, no build yet), the CLI runs
// from src/ through tsx instead, so stale code never runs; `npm run build` makes the start fast again.
// An installed package has no src/ and runs dist/.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './run-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = new URL('../src/cli/main.ts', import.meta.url);
const stamp = new URL('../dist/.source-fingerprint', import.meta.url);
const bundle = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url));

const filesUnder = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );

/** SHA-256 of every file the build compiles or copies, by path relative to the checkout. */
function sourceFingerprint() {
  const files = [
    ...filesUnder(join(root, 'src')),
    join(root, 'tsconfig.json'),
    join(root, 'tsconfig.build.json'),
  ];
  const hash = createHash('sha256');
  for (const file of files.map((f) => relative(root, f)).sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

const STALE_NOTICE =
  'socure-connector: dist/ was not built from these sources, so they run through tsx (a slower start).\n' +
  '  `npm run build` makes the start fast again.\n';
const readStamp = () => (existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : undefined);

if (process.argv[2] === '--print-source-fingerprint') {
  // For `npm run build`: taken before tsc reads the sources, so an edit during the build reads as stale.
  process.stdout.write(`${sourceFingerprint()}\n`);
} else if (!existsSync(source) || readStamp() === sourceFingerprint()) {
  await loadBundle(bundle).exports.main(process.argv);
} else {
  // Told to a person only: scripts and tests read stderr for the command's own messages.
  if (process.stderr.isTTY) process.stderr.write(STALE_NOTICE);
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
}
