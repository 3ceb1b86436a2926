/**
 * bin/run-bundle.js: the bin's loader compiles the CommonJS bundle with V8's code cache. Each case runs a small
 * bundle in its own Node process (a cache belongs to one V8 and one source) and reads what the loader reports.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LOADER = fileURLToPath(new URL('../../bin/run-bundle.js', import.meta.url));
// The child runs this same Node, so its cache file is named after this V8.
const cacheOf = (file: string) => `${file}.${process.versions.v8}.v8-cache`;

// A bundle with enough functions that a cache holding the ones a run called is visibly bigger.
const BUNDLE = `
const path = require('node:path');
exports.where = () => [path.basename(__filename), path.basename(__dirname)];
${Array.from({ length: 60 }, (_, i) => `exports.f${i} = (x) => { let s = 0; for (let k = 0; k < x; k++) s += k * ${i}; return s; };`).join('\n')}
exports.callAll = () => { let t = 0; for (let i = 0; i < 60; i++) t += exports['f' + i](3); return t; };
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-bundle-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Loaded {
  cache: string;
  where: string[];
  /** `f7(3)`: 21 for BUNDLE, 24 once the bundle is edited to multiply by 8. */
  f7: number;
}

/** Loads `file` in a fresh process; `stayMs` keeps it alive (calling every function) past the refresh. */
function load(file: string, options: { stayMs?: number; cacheFile?: string } = {}): Promise<Loaded> {
  const script = `
    const { loadBundle } = await import(${JSON.stringify(LOADER)});
    const { exports, cache } = loadBundle(${JSON.stringify(file)}, { refreshAfterMs: 50, ${
      options.cacheFile ? `cacheFile: ${JSON.stringify(options.cacheFile)}` : ''
    } });
    console.log(JSON.stringify({ cache, where: exports.where(), f7: exports.f7(3) }));
    if (${options.stayMs ?? 0} > 0) { exports.callAll(); await new Promise((r) => setTimeout(r, ${options.stayMs ?? 0})); }
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim()) as Loaded);
      },
    );
  });
}

describe('bin/run-bundle.js', () => {
  it('writes a cache when there is none, uses it next time, and gives the bundle CommonJS globals', async () => {
    const file = join(dir, 'first.cjs');
    await writeFile(file, BUNDLE);
    const first = await load(file);
    expect(first).toEqual({ cache: 'absent', where: ['first.cjs', dir.split('/').pop()], f7: 21 });
    expect((await stat(cacheOf(file))).size).toBeGreaterThan(0);
    expect((await load(file)).cache).toBe('used');
  });

  it('refuses a cache made for other source, and replaces it', async () => {
    const file = join(dir, 'edited.cjs');
    await writeFile(file, BUNDLE);
    await load(file);
    await writeFile(file, `${BUNDLE}\nexports.added = 1;`);
    expect((await load(file)).cache).toBe('rejected');
    expect((await load(file)).cache).toBe('used');
  });

  it('refuses a cache of another build of the same length (V8 itself checks only the length)', async () => {
    const file = join(dir, 'same-length.cjs');
    await writeFile(file, BUNDLE);
    // A longer run: the cache then holds f7 compiled.
    await load(file, { stayMs: 300 });
    expect((await load(file)).f7).toBe(21);
    const edited = BUNDLE.replace('s += k * 7;', 's += k * 8;');
    expect(edited).not.toBe(BUNDLE);
    expect(edited.length).toBe(BUNDLE.length);
    await writeFile(file, edited);
    expect(await load(file)).toMatchObject({ cache: 'rejected', f7: 24 });
    expect(await load(file)).toMatchObject({ cache: 'used', f7: 24 });
  });

  it('grows a cache seeded by a short run once a longer run has compiled more', async () => {
    const file = join(dir, 'grows.cjs');
    await writeFile(file, BUNDLE);
    await load(file);
    const seeded = (await stat(cacheOf(file))).size;
    await load(file, { stayMs: 300 });
    const grown = (await stat(cacheOf(file))).size;
    expect(grown).toBeGreaterThan(seeded);
    // A run that compiles no more than the cache holds leaves it as it is.
    const before = await readFile(cacheOf(file));
    expect((await load(file, { stayMs: 300 })).cache).toBe('used');
    expect(Buffer.compare(await readFile(cacheOf(file)), before)).toBe(0);
  });

  it('runs without a cache where none can be written', async () => {
    const file = join(dir, 'nowhere.cjs');
    await writeFile(file, BUNDLE);
    const cacheFile = join(dir, 'no-such-dir', 'cache');
    expect((await load(file, { cacheFile })).cache).toBe('absent');
    expect((await load(file, { cacheFile })).cache).toBe('absent');
  });
});
