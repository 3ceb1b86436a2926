import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_TABLES, readmeTable } from '../scripts/readme-magic-table.js';
import { SETTINGS } from '../src/connector/settings.js';
import { SERVICE_SETTINGS } from '../src/server/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the two commands a new user needs', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
  });

  it.each(Object.keys(GENERATED_TABLES))(
    'holds the %s table as the sandbox defines it (npx tsx scripts/readme-magic-table.ts)',
    (name) => {
      expect(readmeTable(readme, name)).toBe(GENERATED_TABLES[name]!());
    },
  );

  it('documents every configuration variable and its flag', () => {
    for (const s of [...SETTINGS, ...SERVICE_SETTINGS]) {
      expect(readme).toContain(`\`${s.env}\``);
      if (s.flag) expect(readme).toContain(`\`${s.flag}\``);
    }
  });
});
