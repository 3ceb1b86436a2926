/**
 * A Spanish-speaking person on a branded service: every page in Spanish (the service's and the sandbox's capture
 * app, which DocV's config.language reaches), with the brand's name, logo and colour; and a session the app created
 * in Spanish shown in Spanish to an English browser.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { PERSONA_FORM } from '../test/server/helpers.js';
import { PHONE } from './support/browser.js';
import { completeCapture } from './support/capture.js';
import { useE2E, useRuns } from './support/env.js';
import { waitForOutcome } from './support/flow.js';
import { decodeQrElement } from './support/qr.js';

const brandDir = mkdtempSync(join(tmpdir(), 'e2e-brand-'));
const LOGO = join(brandDir, 'acme.svg');
writeFileSync(
  LOGO,
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32" viewBox="0 0 64 32"><rect width="64" height="32" rx="6" fill="#0b5d3b"/><text x="32" y="21" font-size="14" text-anchor="middle" fill="#fff" font-family="sans-serif">ACME</text></svg>',
);

const env = useE2E(() => ({
  brandName: 'Banco Acme',
  brandLogoFile: LOGO,
  brandPrimaryColor: '#0b5d3b',
}));
const newRun = useRuns(env);

const SPANISH = { locale: 'es-ES' };
const lang = (page: Page) => page.locator('html').getAttribute('lang');

describe('languages and branding', () => {
  test('docv-qr-es: a Spanish browser goes through the branded DocV flow in Spanish, capture app included', async ({
    task,
  }) => {
    const run = newRun(task.name, []);
    const desktop = await run.desktop(SPANISH);
    await desktop.goto(`${run.url}/`);
    await desktop.getByRole('heading', { name: 'Flujos de verificación de identidad' }).waitFor();
    expect(await lang(desktop)).toBe('es');
    expect(await desktop.title()).toBe('Banco Acme');
    // The brand: its name and logo in the header (the SVG drawn), its colour on the buttons.
    await expect.poll(() => desktop.locator('header.brand .brand-name').textContent()).toBe('Banco Acme');
    expect(
      await desktop.locator('img.brand-logo').evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).toBe(64);
    const start = desktop.locator('form[action="/flows/docv-qr/start"] button');
    expect(await start.textContent()).toBe('Iniciar');
    expect(await start.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(11, 93, 59)');
    await run.snap(desktop, 'index-es');

    await start.click();
    await desktop.waitForURL(/\/s\/[^/]+\/[^/]+$/);
    await desktop.getByRole('heading', { name: 'Verifique su identidad en su teléfono' }).waitFor();
    expect(await desktop.title()).toBe('Verifique su identidad en su teléfono · Banco Acme');
    await run.snap(desktop, 'qr-es');

    const link = await decodeQrElement(desktop.locator('img.qr'));
    const phone = await run.page('phone', { ...PHONE, locale: 'es-ES' });
    const seen = await completeCapture(run, phone, link, run.env.images, 'es');
    expect(seen[0]).toBe('Verifique su identidad');
    expect(await lang(phone)).toBe('es');

    expect(await waitForOutcome(desktop)).toBe('verificado');
    expect(await desktop.locator('h1').textContent()).toBe('Su identidad está verificada');
    await run.snap(desktop, 'result-es');
    await run.assertClean();
  });

  test('api-es: a session the app created in Spanish is Spanish in an English browser, form errors included', async ({
    task,
  }) => {
    // The refused form is answered 422 on purpose (the page with its errors): the browser logs that status.
    const refusedForm = {
      id: 'refused-form',
      pattern: /\b422\b.*\/submit/,
      note: 'the form refused on purpose',
    };
    const run = newRun(task.name, [refusedForm]);
    const { firstName: _, ...withoutFirstName } = PERSONA_FORM;
    const res = await fetch(`${run.url}/api/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${run.env.service.apiKey}`, 'content-type': 'application/json' },
      // Without a first name the form is not complete, so it is shown (skipIfComplete) pre-filled with the rest.
      body: JSON.stringify({ flow: 'idplus-score', language: 'es', input: withoutFirstName }),
    });
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    const desktop = await run.desktop(); // en-US
    // The API's URL is built on PUBLIC_URL; the test service listens on a port of its own.
    await desktop.goto(`${run.url}${new URL(url).pathname}`);
    expect(await lang(desktop)).toBe('es');
    await desktop.getByRole('heading', { name: 'Obtener un puntaje de ID+' }).waitFor();
    await desktop.getByRole('button', { name: 'Obtener mi puntaje' }).click();
    await desktop.getByRole('alert').waitFor();
    expect(await desktop.getByRole('alert').textContent()).toBe(
      'Corrija los campos marcados a continuación.',
    );
    expect(await desktop.locator('#f-firstName-error').textContent()).toBe('Nombre es obligatorio');
    await run.snap(desktop, 'form-error-es');
    await desktop.getByLabel('Nombre', { exact: true }).fill('Dwayne');
    await desktop.getByRole('button', { name: 'Obtener mi puntaje' }).click();
    expect(await waitForOutcome(desktop)).toBe('verificado');
    await run.snap(desktop, 'result-es');
    await run.assertClean();
  });
});
