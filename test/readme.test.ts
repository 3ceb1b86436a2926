import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { magicInputsTable, readmeMagicInputsTable } from '../scripts/readme-magic-table.js';
import { SETTINGS } from '../src/connector/settings.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the two commands a new user needs', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
  });

  it('holds the sandbox magic-input table as the sandbox defines it (npx tsx scripts/readme-magic-table.ts)', () => {
    expect(readmeMagicInputsTable(readme)).toBe(magicInputsTable());
  });

  it('documents every configuration variable and its flag', () => {
    for (const s of SETTINGS) {
      expect(readme).toContain(`\`${s.env}\``);
      expect(readme).toContain(`\`${s.flag}\``);
    }
  });
});
