/** The sandbox capture app speaks the DocV transaction's config.language: Spanish for es…, else English. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_TEXTS } from '../../src/sandbox/capture/texts.js';
import { docvRequest, http, postForm, type Rig, startRig } from './docv-support.js';

const h1 = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
const lang = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];

describe('capture app language', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig.close());

  const captureUrl = async (language?: string) => {
    const res = await docvRequest(rig, {
      config: { useCaseKey: 'socure_default', ...(language ? { language } : {}) },
    });
    expect(res.status, res.text).toBe(200);
    return (res.json as { data: { url: string } }).data.url;
  };

  it.each([
    ['es', 'es'],
    ['es-mx', 'es'],
    ['en-us', 'en'],
    [undefined, 'en'],
    ['zh-cn', 'en'],
  ])('config.language %s → pages in %s', async (language, expected) => {
    const url = await captureUrl(language);
    const page = await http(url);
    expect(page.status).toBe(200);
    expect(lang(page.text)).toBe(expected);
    expect(h1(page.text)).toBe(CAPTURE_TEXTS[expected as 'en' | 'es']['consent.title']);
  });

  it('in Spanish, every step and refusal is Spanish', async () => {
    const url = await captureUrl('es');
    const refused = await postForm(`${url}/consent`, { consent: 'maybe' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Elija Aceptar o Rechazar.');
    expect(lang(refused.text)).toBe('es');
    await postForm(`${url}/consent`, { consent: 'accept' });
    const next = await http(url);
    expect(h1(next.text)).toBe('Elija su documento');
    expect(next.text).toContain('Paso 2 de');
    expect(next.text).toContain('Licencia de conducir o identificación estatal');
    expect(next.text).not.toMatch(/Driver’s license|Continue</);
  });

  it('the two catalogues have the same keys and placeholders, and Spanish is not English', () => {
    const { en, es } = CAPTURE_TEXTS;
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
      expect(es[key], key).not.toBe(en[key]);
    }
  });
});
