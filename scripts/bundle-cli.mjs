// Bundles the compiled CLI (dist/cli/entry.js) and the packages it imports into one CommonJS file,
// dist/bundle/cli.cjs: a start then loads one module instead of ~1,000 (kysely alone is 262 files), and the bin
// (bin/run-bundle.js) compiles it through V8's code cache, which Node 20 offers for scripts, not ES modules.
// Native and optional modules stay outside. The bundle sits two levels under the package root, like the
// compiled files, so its `new URL('../../flows', import.meta.url)` and `../../package.json` still resolve;
// the page assets are copied beside it (`../assets`).
import { cpSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/entry.js'],
  // One file, no `splitting`: with it, a dynamic import() of a CommonJS package inside the bundle (@fastify/cookie's
  // `import('cookie')`) yields only a default export, and every hosted page that sets a cookie answered 500.
  outfile: 'dist/bundle/cli.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // better-sqlite3 loads its compiled addon; pg-native is pg's optional native driver (not installed). pg and
  // qrcode are required lazily through createRequire (src/store/postgres-store.ts, src/socure/docv/qr.ts), which
  // esbuild leaves alone: they load from node_modules when first used.
  external: ['better-sqlite3', 'better-sqlite3-napi', 'pg-native'],
  // A CommonJS file has no import.meta: the modules' `import.meta.url` is the bundle's own URL.
  define: { 'import.meta.url': '__bundle_url' },
  banner: { js: "var __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  // Less source to parse at every start (identifiers are kept: stack traces stay readable).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
cpSync('src/server/assets', 'dist/assets', { recursive: true });
