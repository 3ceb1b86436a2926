// Runs a CommonJS bundle the way require() would, but compiled through V8's code cache: a start then skips
// compiling the 3.4 MB bundle and the functions its previous runs compiled (~110 ms of a ~350 ms start on
// Node 20, which has no compile cache of its own). A run that finds no usable cache (none, or one V8 refuses:
// another Node version, another build) writes one as it exits; a run still going 2 s after loading (a `start`)
// writes one when it holds more compiled functions than the cache it found, so a cache seeded by a short
// command grows to hold what a start compiles.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

/** When a long run refreshes the cache: after `start` is ready and has served its first requests. */
const REFRESH_CACHE_AFTER_MS = 2000;

const readIfThere = (file) => {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
};

/** Written beside the bundle through a rename, so a concurrent start reads a whole cache or none. */
function writeCache(data, cacheFile) {
  const temporary = `${cacheFile}.${process.pid}`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only install (a global package used by another account) runs without a cache.
    rmSync(temporary, { force: true });
  }
}

/** One cache per V8 version: a machine switching between Node versions keeps one for each instead of trading them. */
export const codeCacheFile = (file) => `${file}.${process.versions.v8}.v8-cache`;

/**
 * Loads `file` (CommonJS) with `cacheFile`; returns its exports and whether the cache was `used`,
 * `absent` or `rejected`.
 */
export function loadBundle(
  file,
  { cacheFile = codeCacheFile(file), refreshAfterMs = REFRESH_CACHE_AFTER_MS } = {},
) {
  const cachedData = readIfThere(cacheFile);
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
    { filename: file, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER },
  );
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const cache = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';

  const atExit = () => writeCache(script.createCachedData(), cacheFile);
  if (cache !== 'used') process.once('exit', atExit);
  const refresh = () => {
    process.off('exit', atExit);
    const data = script.createCachedData();
    if (cache !== 'used' || data.length > cachedData.length) writeCache(data, cacheFile);
  };
  setTimeout(refresh, refreshAfterMs).unref();
  return { exports: module.exports, cache };
}
