// Bundles the compiled CLI (dist/cli/main.js) and the packages it imports into dist/bundle/cli.js and its chunks: a
// start then loads a few dozen modules instead of ~1,000 (kysely alone is 262 files), about half of the start's CPU.
// Native and optional modules stay outside. The bundle sits two levels under the package root, like the
// compiled files, so its `new URL('../../flows', import.meta.url)` and `../../package.json` still resolve;
// the page assets are copied beside it (`../assets`).
import { cpSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  // The entry stays dist/bundle/cli.js; what is only imported dynamically (the service and its packages behind
  // `start`, each other command's action, the failure describer) goes to chunks beside it, loaded when used, so
  // a command does not compile the others' code.
  outdir: 'dist/bundle',
  entryNames: 'cli',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // better-sqlite3 loads its compiled addon; pg-native is pg's optional native driver (not installed). pg, qrcode
  // and pngjs are required lazily through createRequire (src/store/postgres-store.ts, src/socure/docv/qr.ts), which
  // esbuild leaves alone: they load from node_modules when first used.
  external: ['better-sqlite3', 'better-sqlite3-napi', 'pg-native'],
  // The CommonJS packages inside (pino, fastify, pg…) call require(): give the ES module one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // Less source to parse at every start (identifiers are kept: stack traces stay readable).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
cpSync('src/server/assets', 'dist/assets', { recursive: true });
