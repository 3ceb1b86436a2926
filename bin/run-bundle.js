// Runs a CommonJS bundle the way require() would, but compiled through V8's code cache: a start then skips
// compiling the 3.4 MB bundle and the functions its previous runs compiled (~110 ms of a ~350 ms start on
// Node 20, which has no compile cache of its own). A run that finds no usable cache (none, one of another build,
// or one V8 refuses: another Node version) writes one as it exits; a run still going 2 s after loading (a
// `start`) writes one when it holds more compiled functions than the cache it found, so a cache seeded by a short
// command grows to hold what a start compiles.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * The first line of a cache: which bundle file it was made from. V8 checks only the source's length, so a rebuilt
 * bundle of the same length would run with the old build's compiled functions; a rebuild writes a new file (new
 * mtime), which this line tells apart without hashing 3.4 MB at every start.
 */
function identityOf(file) {
  const { size, mtimeMs, ino } = statSync(file);
  return Buffer.from(`socure-connector code cache ${process.versions.v8} ${size} ${mtimeMs} ${ino}\n`);
}

/** Written beside the bundle through a rename, so a concurrent start reads a whole cache or none. */
function writeCache(identity, data, cacheFile) {
  const temporary = `${cacheFile}.${process.pid}`;
  try {
    writeFileSync(temporary, Buffer.concat([identity, data]));
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only install (a global package used by another account) runs without a cache.
    rmSync(temporary, { force: true });
  }
}

/** One cache per V8 version: a machine switching between Node versions keeps one for each instead of trading them. */
export const codeCacheFile = (file) => `${file}.${process.versions.v8}.v8-cache`;

/**
 * Loads `file` (CommonJS) with `cacheFile`; returns its exports and whether the cache was `used`, `absent` or
 * `rejected` (made from another build of the file, or refused by V8).
 */
export function loadBundle(
  file,
  { cacheFile = codeCacheFile(file), refreshAfterMs = REFRESH_CACHE_AFTER_MS } = {},
) {
  const identity = identityOf(file);
  const stored = readIfThere(cacheFile);
  const ours = stored?.subarray(0, identity.length).equals(identity) === true;
  const cachedData = ours ? stored.subarray(identity.length) : undefined;
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
    { filename: file, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER },
  );
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const cache = stored === undefined ? 'absent' : !ours || script.cachedDataRejected ? 'rejected' : 'used';

  const atExit = () => writeCache(identity, script.createCachedData(), cacheFile);
  if (cache !== 'used') process.once('exit', atExit);
  const refresh = () => {
    process.off('exit', atExit);
    const data = script.createCachedData();
    if (cache !== 'used' || data.length > cachedData.length) writeCache(identity, data, cacheFile);
  };
  setTimeout(refresh, refreshAfterMs).unref();
  return { exports: module.exports, cache };
}
