import { readFileSync, writeFileSync } from 'node:fs';
import { MAGIC_INPUTS } from '../src/sandbox/index.js';

const START = /<!-- magic-inputs:start[^>]*-->\n/;
const END = '<!-- magic-inputs:end -->';
const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The README's magic-input table, generated from the sandbox's own list. */
export function magicInputsTable(): string {
  const rows = MAGIC_INPUTS.map((m) => `| \`${cell(m.field)}\` | ${cell(m.value)} | ${cell(m.effect)} |`);
  return ['| field | value | effect |', '|---|---|---|', ...rows, ''].join('\n');
}

/** The table currently between the README's markers. */
export function readmeMagicInputsTable(readme: string): string | undefined {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < 0) return undefined;
  return readme.slice(start.index + start[0].length, end);
}

// `npx tsx scripts/readme-magic-table.ts` rewrites the table in README.md.
if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync('README.md', 'utf8');
  const current = readmeMagicInputsTable(readme);
  if (current === undefined) throw new Error('README.md has no magic-inputs markers');
  writeFileSync('README.md', readme.replace(current, magicInputsTable()));
}
