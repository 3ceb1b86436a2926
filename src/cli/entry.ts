import { run } from './program.js';

/**
 * The CLI as a function: what `main.ts` runs under tsx, and what the bundle exports to the bin
 * (dist/bundle/cli.cjs is CommonJS, so it can be compiled with V8's code cache: no top-level await).
 */
export async function main(argv: string[]): Promise<void> {
  // `socure-connector … | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const code = await run(argv);
  if (code !== 0) process.exitCode = code;
}
