/** The pages' brand from the BRAND_* settings: name in the header and titles, logo, colour, extra stylesheet. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastWithWhite, loadBrand } from '../../../src/server/branding/brand.js';
import { resolveServiceSettings } from '../../../src/server/config.js';
import { settingsErrorOf } from '../../support/settings-error.js';
import { createSession, startTestService, type TestService } from '../helpers.js';

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
const csp = (headers: Record<string, unknown>) => String(headers['content-security-policy']);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'brand-'));
  writeFileSync(join(dir, 'logo.png'), PNG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a branded service', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({
      brandName: 'Acme Bank',
      brandLogoFile: join(dir, 'logo.png'),
      brandPrimaryColor: '#0b5d3b',
      brandStylesheetUrl: 'https://cdn.acme.example/brand/verify.css',
    });
  });
  afterAll(() => t?.close());

  it('every page names the brand: header and title, the index and a session page', async () => {
    const index = await t.http('/');
    expect(title(index.text)).toBe('Acme Bank');
    expect(index.text).toContain('<span class="brand-name">Acme Bank</span>');
    const { path } = await createSession(t, { flow: 'idplus-score' });
    const page = await t.http(path);
    expect(title(page.text)).toMatch(/^.+ · Acme Bank$/);
    expect(page.text).toContain('<img class="brand-logo" src="/assets/brand-logo" alt="">');
    const missing = await t.http('/nothing-here');
    expect(title(missing.text)).toBe('Page not found · Acme Bank');
  });

  it('the logo file is served with its type; the theme sets the primary colour', async () => {
    const logo = await t.http('/assets/brand-logo');
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toBe('image/png');
    const bytes = Buffer.from(await (await fetch(`${t.service.url}/assets/brand-logo`)).arrayBuffer());
    expect(bytes.equals(PNG)).toBe(true);
    const theme = await t.http('/assets/theme.css');
    expect(theme.headers['content-type']).toMatch(/^text\/css/);
    expect(theme.text).toContain('--accent: #0b5d3b;');
    const index = await t.http('/');
    expect(index.text).toContain('<link rel="stylesheet" href="/assets/theme.css">');
  });

  it('the extra stylesheet is linked after ours and its origin, only, is allowed by the CSP', async () => {
    const index = await t.http('/');
    const ours = index.text.indexOf('href="/assets/style.css"');
    const theirs = index.text.indexOf('href="https://cdn.acme.example/brand/verify.css"');
    expect(ours).toBeGreaterThan(0);
    expect(theirs).toBeGreaterThan(ours);
    expect(csp(index.headers)).toContain("style-src 'self' https://cdn.acme.example;");
    expect(csp(index.headers)).toContain("script-src 'self'");
    expect(csp(index.headers)).not.toContain('cdn.acme.example/brand');
  });
});

describe('brand settings', () => {
  it('a logo URL is linked and its origin allowed as an image source', async () => {
    const t = await startTestService({ brandLogoUrl: 'https://static.acme.example/logo.svg' });
    try {
      const index = await t.http('/');
      expect(index.text).toContain('src="https://static.acme.example/logo.svg"');
      expect(csp(index.headers)).toContain("img-src 'self' data: https://static.acme.example;");
      expect((await t.http('/assets/brand-logo')).status).toBe(404);
      expect(index.text).not.toContain('/assets/theme.css');
    } finally {
      await t.close();
    }
  });

  it('without brand settings the pages keep the project name and the strict policy', async () => {
    const t = await startTestService();
    try {
      const index = await t.http('/');
      expect(title(index.text)).toBe('socure-connector');
      expect(csp(index.headers)).toContain("style-src 'self';");
      expect(csp(index.headers)).toContain("img-src 'self' data:;");
    } finally {
      await t.close();
    }
  });

  it('come from the environment and the flags (a flag wins)', () => {
    const settings = resolveServiceSettings(
      {
        BRAND_NAME: 'Acme Bank',
        BRAND_LOGO_URL: 'https://static.acme.example/logo.svg',
        BRAND_PRIMARY_COLOR: '#0B5D3B',
        BRAND_STYLESHEET_URL: 'https://cdn.acme.example/a.css',
      },
      { brandName: 'Acme' },
    );
    expect(settings).toMatchObject({
      brandName: 'Acme',
      brandLogoUrl: 'https://static.acme.example/logo.svg',
      brandPrimaryColor: '#0b5d3b',
      brandStylesheetUrl: 'https://cdn.acme.example/a.css',
    });
    expect(resolveServiceSettings({ BRAND_LOGO_FILE: '/srv/acme.png' }).brandLogoFile).toBe('/srv/acme.png');
  });

  it.each([
    [{ BRAND_PRIMARY_COLOR: 'green' }, 'BRAND_PRIMARY_COLOR', 'hex colour'],
    [{ BRAND_LOGO_URL: 'javascript:alert(1)' }, 'BRAND_LOGO_URL', 'https URL'],
    [{ BRAND_STYLESHEET_URL: 'http://cdn.example.com/x.css' }, 'BRAND_STYLESHEET_URL', 'https URL'],
    [{ BRAND_NAME: '   ' }, 'BRAND_NAME', 'must not be empty'],
  ])('%j is refused naming the variable', (env, variable, message) => {
    const err = settingsErrorOf(() => resolveServiceSettings(env));
    expect(err.setting).toBe(variable);
    expect(err.message).toContain(message);
  });

  it('a logo file that is missing, of another type, or too big is refused at start', () => {
    const big = join(dir, 'big.png');
    writeFileSync(big, Buffer.alloc(600 * 1024));
    writeFileSync(join(dir, 'logo.gif'), PNG);
    for (const [file, message] of [
      [join(dir, 'none.png'), 'ENOENT'],
      [join(dir, 'logo.gif'), 'must be a .png'],
      [big, 'at most'],
    ] as const) {
      expect(() => loadBrand({ brandLogoFile: file }), file).toThrow(message);
    }
    expect(() =>
      loadBrand({ brandLogoFile: join(dir, 'logo.png'), brandLogoUrl: 'https://x.example/l.png' }),
    ).toThrow('use one');
  });

  it('a primary colour white text is hard to read on gives a warning, shown on /readyz', async () => {
    expect(contrastWithWhite('#ffffff')).toBeCloseTo(1, 5);
    expect(contrastWithWhite('#000')).toBeCloseTo(21, 5);
    expect(loadBrand({ brandPrimaryColor: '#1f4fd1' }).warnings).toEqual([]);
    const t = await startTestService({ brandPrimaryColor: '#ffd700' });
    try {
      const ready = (await t.http('/readyz')).json<{ warnings?: string[] }>();
      expect(ready.warnings?.join('\n')).toMatch(/BRAND_PRIMARY_COLOR #ffd700 has a contrast of 1\.\d:1/);
    } finally {
      await t.close();
    }
  });
});
