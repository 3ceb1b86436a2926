/**
 * The hosted pages in the person's language: the session's (`language` on POST /api/sessions), else the browser's
 * Accept-Language, else English — built-in texts from the catalogue, flow texts per language, `lang` on the page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSession,
  hiddenValue,
  PERSONA_FORM,
  sessionPathOf,
  startTestService,
  submitScreen,
  type TestService,
} from '../helpers.js';

const ES = { 'accept-language': 'es-MX,es;q=0.9' };
const EN = { 'accept-language': 'en-US,en;q=0.9' };
const langOf = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];
const h1 = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];

/** A custom flow: texts per language, and a form field (`ssn`) feeding ID+'s `nationalId`. */
const CUSTOM_FLOW = {
  id: 'custom-lang',
  title: { en: 'Custom check', es: 'Verificación propia' },
  start: 'form',
  nodes: {
    form: {
      type: 'screen',
      title: { en: 'Your details', es: 'Sus datos' },
      fields: [
        { name: 'first', label: { en: 'Given name', es: 'Nombre de pila' }, required: true },
        { name: 'last', label: 'Apellido / Last name', required: true },
        { name: 'ssn', label: { en: 'Social Security number', es: 'Número de Seguro Social' } },
      ],
      submitLabel: { en: 'Check', es: 'Verificar' },
      errorFrom: 'score',
      next: 'score',
    },
    score: {
      type: 'capability',
      capability: 'getScore',
      input: {
        modules: ['kyc'],
        firstName: '{{form.first}}',
        surName: '{{form.last}}',
        nationalId: '{{form.ssn}}',
        country: 'US',
      },
      next: 'done',
      onError: 'form',
    },
    done: { type: 'end', outcome: 'verified', title: { en: 'Done', es: 'Listo' } },
  },
};

let t: TestService;
let flowsDir: string;
beforeAll(async () => {
  flowsDir = mkdtempSync(join(tmpdir(), 'lang-flows-'));
  writeFileSync(join(flowsDir, 'custom-lang.json'), JSON.stringify(CUSTOM_FLOW));
  t = await startTestService({ flowsDir });
});
afterAll(async () => {
  await t?.close();
  rmSync(flowsDir, { recursive: true, force: true });
});

describe('the language of a page', () => {
  it('the index follows Accept-Language, with lang set and flow titles in that language', async () => {
    const es = await t.http('/', { headers: ES });
    expect(langOf(es.text)).toBe('es');
    expect(h1(es.text)).toBe('Flujos de verificación de identidad');
    expect(es.text).toContain('Verificación propia');
    expect(es.text).toContain('>Iniciar</button>');
    const en = await t.http('/', { headers: EN });
    expect(langOf(en.text)).toBe('en');
    expect(h1(en.text)).toBe('Identity verification flows');
    expect(en.text).toContain('Custom check');
    const none = await t.http('/', { headers: { 'accept-language': 'de-DE' } });
    expect(langOf(none.text)).toBe('en');
  });

  it('error pages too (an unknown address in Spanish)', async () => {
    const res = await t.http('/no-such-page', { headers: ES });
    expect(res.status).toBe(404);
    expect(langOf(res.text)).toBe('es');
    expect(h1(res.text)).toBe('Página no encontrada');
  });

  it('a session created with language "es" shows Spanish to an English browser, and the API reports it', async () => {
    const { id, path } = await createSession(t, { flow: 'custom-lang', language: 'es' });
    const page = await t.http(path, { headers: EN });
    expect(langOf(page.text)).toBe('es');
    expect(h1(page.text)).toBe('Sus datos');
    expect(page.text).toContain('Nombre de pila');
    expect(page.text).toContain('Apellido / Last name');
    expect(page.text).toContain('>Verificar</button>');
    const api = (await t.api(`/api/sessions/${id}`)).json<{ language: string }>();
    expect(api.language).toBe('es');
  });

  it('a session without a language takes the first browser’s, and keeps it', async () => {
    const { id, path } = await createSession(t, { flow: 'custom-lang' });
    expect((await t.api(`/api/sessions/${id}`)).json<{ language: string | null }>().language).toBeNull();
    const first = await t.http(path, { headers: ES });
    expect(h1(first.text)).toBe('Sus datos');
    expect((await t.api(`/api/sessions/${id}`)).json<{ language: string }>().language).toBe('es');
    // The same browser later sends English: the session's language stays.
    const again = await t.http(path, { headers: EN });
    expect(langOf(again.text)).toBe('es');
  });

  it('a session started from the public page takes the starting browser’s language', async () => {
    const browser = t.browser();
    const index = await browser('/flows/custom-lang', { headers: ES });
    const csrf = hiddenValue(index.text, 'csrf')!;
    const started = await browser('/flows/custom-lang/start', { form: { csrf }, headers: ES });
    expect(started.status).toBe(303);
    const id = sessionPathOf(String(started.headers.location)).split('/')[2]!;
    expect((await t.service.store.getSession(id))?.language).toBe('es');
  });

  it('form errors are in the page’s language and name the field by its label', async () => {
    const { path } = await createSession(t, { flow: 'custom-lang', language: 'es' });
    const res = await submitScreen(t, path, { first: '', last: 'Denver', ssn: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Nombre de pila es obligatorio');
    expect(res.text).toContain('Corrija los campos marcados a continuación.');
    expect(res.text).not.toContain('first is required');
  });

  it('a field Socure refuses is marked beside the form field that fed it, by its label, not the request field', async () => {
    const { path } = await createSession(t, { flow: 'custom-lang' });
    // Nine digits are needed: the ID+ client refuses `nationalId` before any network call.
    const res = await submitScreen(t, path, { first: 'Dwayne', last: PERSONA_FORM.surName, ssn: '12' });
    expect(res.status).toBe(303);
    const page = await t.http(path, { headers: EN });
    expect(page.text).toMatch(/<p class="field-error" id="f-ssn-error">Social Security number: [^<]+<\/p>/);
    expect(page.text).toContain('Please correct the fields marked below.');
    expect(page.text).not.toContain('nationalId');
  });

  it('the shipped flows come in Spanish, and DocV gets the language: the capture app speaks it too', async () => {
    const { path } = await createSession(t, { flow: 'docv-qr', language: 'es', customerUserId: 'cu-lang' });
    const wait = await t.http(path, { headers: EN });
    expect(h1(wait.text)).toBe('Verifique su identidad en su teléfono');
    expect(wait.text).toContain('Abrir el enlace de verificación');
    const link = /<a class="link" href="([^"]+)"/.exec(wait.text)?.[1];
    expect(link).toMatch(/\/capture\//);
    const capture = await t.http(link!.replace(/&amp;/g, '&'));
    expect(langOf(capture.text)).toBe('es');
    expect(h1(capture.text)).toBe('Verifique su identidad');
    // Without a language (and no browser yet when DocV was created): Socure's default, English.
    const plain = await createSession(t, { flow: 'docv-qr', customerUserId: 'cu-lang-2' });
    const plainWait = await t.http(plain.path, { headers: ES });
    expect(h1(plainWait.text)).toBe('Verifique su identidad en su teléfono');
    const plainLink = /<a class="link" href="([^"]+)"/.exec(plainWait.text)![1]!;
    expect(langOf((await t.http(plainLink.replace(/&amp;/g, '&'))).text)).toBe('en');
  });

  it('POST /api/sessions refuses a language we do not ship, naming the field', async () => {
    for (const language of ['fr', 'english', 'es_MX!', 7]) {
      const res = await t.api('/api/sessions', { json: { flow: 'custom-lang', language } });
      expect(res.status, String(language)).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(/^language: /);
    }
    const ok = await createSession(t, { flow: 'custom-lang', language: 'ES-mx' });
    expect((await t.service.store.getSession(ok.id))?.language).toBe('es-mx');
  });
});
