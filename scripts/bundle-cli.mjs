// Bundles the compiled CLI (dist/cli/main.js) and the packages it imports into one file, dist/bundle/cli.js: a
// start then loads one module instead of ~1,000 (kysely alone is 262 files), about half of the start's CPU.
// Native and optional modules stay outside. The bundle sits two levels under the package root, like the
// compiled files, so its `new URL('../../flows', import.meta.url)` and `../../package.json` still resolve;
// the page assets are copied beside it (`../assets`).
import { cpSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  // One file, no `splitting`: with it, a dynamic import() of a CommonJS package inside the bundle (@fastify/cookie's
  // `import('cookie')`) yields only a default export, and every hosted page that sets a cookie answered 500.
  outfile: 'dist/bundle/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // better-sqlite3 loads its compiled addon; pg-native is pg's optional native driver (not installed). pg and
  // qrcode are required lazily through createRequire (src/store/postgres-store.ts, src/socure/docv/qr.ts), which
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
