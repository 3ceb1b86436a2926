import type { CaptureStep } from '../docv/lifecycle.js';
import { magicOutcomeOf } from '../docv/magic.js';
import { DOCV_OUTCOMES, OUTCOME_SPECS } from '../docv/outcomes.js';
import type { DocvTransaction, UploadSide } from '../docv/types.js';
import { html, type SafeHtml } from '../html.js';
import { type CaptureLanguage, type CaptureText, captureLanguageOf, captureTexts } from './texts.js';

/**
 * The capture app's screens, server-rendered and script-free: each is a plain form that posts one
 * step, so it works on any phone browser, with or without JavaScript. They speak the transaction's
 * `config.language` (English or Spanish, texts.ts).
 */
export interface Page {
  title: string;
  body: SafeHtml;
  lang: CaptureLanguage;
}

const base = (tx: DocvTransaction) => `/capture/${encodeURIComponent(tx.token)}`;
/**
 * `q` on the pages below is the query every link and form of a page keeps: `?embed=<id>` when the stand-in Web
 * SDK framed the capture app (websdk/embeds.ts), else empty.
 */
const textsOf = (tx: DocvTransaction | undefined) => {
  const lang = captureLanguageOf(tx?.language);
  return { lang, t: captureTexts(lang) };
};
const sandboxNote = (t: CaptureText) => html`<p class="muted">${t('sandboxNote')}</p>`;

function stepsOf(tx: DocvTransaction): CaptureStep[] {
  const steps: CaptureStep[] = ['consent'];
  if (!tx.documentTypeFixed) steps.push('document-type');
  steps.push('front');
  if (tx.documentType !== 'passport') steps.push('back');
  steps.push('selfie', 'review');
  return steps;
}

const progress = (t: CaptureText, tx: DocvTransaction, step: CaptureStep) => {
  const steps = stepsOf(tx);
  return html`<p class="steps">${t('step', { n: steps.indexOf(step) + 1, total: steps.length })}</p>`;
};

function consent(tx: DocvTransaction, q = ''): Page {
  const { lang, t } = textsOf(tx);
  return {
    lang,
    title: t('consent.title'),
    body: html`<div class="card">${progress(t, tx, 'consent')}
<h1>${t('consent.title')}</h1>
<p>${t('consent.what')}</p>
<p>${t('consent.agree')}</p>
${sandboxNote(t)}
<form method="post" action="${base(tx)}/consent${q}">
<button type="submit" name="consent" value="accept">${t('consent.accept')}</button>
<button type="submit" name="consent" value="decline" class="secondary">${t('consent.decline')}</button>
</form></div>`,
  };
}

function documentType(tx: DocvTransaction, q = ''): Page {
  const { lang, t } = textsOf(tx);
  return {
    lang,
    title: t('documentType.title'),
    body: html`<div class="card">${progress(t, tx, 'document-type')}
<h1>${t('documentType.title')}</h1>
<form method="post" action="${base(tx)}/document-type${q}">
<fieldset><legend>${t('documentType.legend')}</legend>
<label class="inline" for="type-license"><input type="radio" id="type-license" name="documentType" value="license" checked> ${t('documentType.license')}</label>
<label class="inline" for="type-passport"><input type="radio" id="type-passport" name="documentType" value="passport"> ${t('documentType.passport')}</label>
</fieldset>
<button type="submit">${t('continue')}</button>
</form></div>`,
  };
}

const CAPTURE: Record<UploadSide, string> = { front: 'environment', back: 'environment', selfie: 'user' };

function upload(tx: DocvTransaction, side: UploadSide, error?: string, q = ''): Page {
  const { lang, t } = textsOf(tx);
  return {
    lang,
    title: t(`${side}.title`),
    body: html`<div class="card">${progress(t, tx, side)}
<h1>${t(`${side}.title`)}</h1>
${error ? html`<p class="bad" role="alert">${error}</p>` : ''}
<p>${side === 'selfie' ? t('upload.selfieHint') : t('upload.documentHint')}</p>
<form method="post" action="${base(tx)}/${side}${q}" enctype="multipart/form-data">
<label for="image">${t(`${side}.label`)}</label>
<input type="file" id="image" name="image" accept="image/*" capture="${CAPTURE[side]}" required>
<button type="submit">${t('upload.button')}</button>
</form></div>`,
  };
}

function review(tx: DocvTransaction, q = ''): Page {
  const { lang, t } = textsOf(tx);
  const auto = OUTCOME_SPECS[magicOutcomeOf(tx.pii)].label;
  const sizes = (['front', 'back', 'selfie'] as const)
    .filter((s) => tx.uploads[s])
    .map(
      (s) => html`<li>${t('review.received', { side: t(`${s}.short`), bytes: tx.uploads[s]!.bytes })}</li>`,
    );
  const type = tx.documentType === 'passport' ? t('documentType.passport') : t('review.license');
  return {
    lang,
    title: t('review.title'),
    body: html`<div class="card">${progress(t, tx, 'review')}
<h1>${t('review.title')}</h1>
<p>${t('review.document', { type })}</p>
<ul>${sizes}</ul>
<form method="post" action="${base(tx)}/submit${q}">
<div class="sandbox">
<label for="outcome">${t('review.outcome')}</label>
<select id="outcome" name="outcome">
<option value="auto" selected>${t('review.automatic', { outcome: auto })}</option>
${DOCV_OUTCOMES.map((o) => html`<option value="${o}">${OUTCOME_SPECS[o].label}</option>`)}
</select>
</div>
<button type="submit">${t('review.submit')}</button>
</form></div>`,
  };
}

function done(tx: DocvTransaction, q = ''): Page {
  const { lang, t } = textsOf(tx);
  // Framed in a page, there is nowhere to redirect to: the page that framed it goes on by itself.
  const r = q ? undefined : tx.redirect;
  let next: SafeHtml | string = '';
  if (r?.method === 'POST') {
    next = html`<form method="post" action="${r.url}">
<input type="hidden" name="referenceId" value="${tx.referenceId}">
<input type="hidden" name="docvTransactionToken" value="${tx.token}">
<button type="submit">${t('continue')}</button>
</form>`;
  } else if (r) {
    next = html`<p><a class="button" href="${redirectUrl(tx)}">${t('continue')}</a></p>`;
  }
  return {
    lang,
    title: t('done.title'),
    body: html`<div class="card"><h1>${t('done.title')}</h1>
<p class="ok">${t('done.message')}</p>
${next}</div>`,
  };
}

/** GET redirect target: the configured URL with `referenceId` and `docvTransactionToken` added. */
export function redirectUrl(tx: DocvTransaction): string {
  const u = new URL(tx.redirect!.url);
  u.searchParams.set('referenceId', tx.referenceId);
  u.searchParams.set('docvTransactionToken', tx.token);
  return u.href;
}

/** A page with a title and one sentence: `<name>.title` and `<name>.message` in the transaction's language. */
const ending =
  (name: 'declined' | 'expired' | 'failed' | 'notFound') =>
  (tx?: DocvTransaction): Page => {
    const { lang, t } = textsOf(tx);
    return {
      lang,
      title: t(`${name}.title`),
      body: html`<div class="card"><h1>${t(`${name}.title`)}</h1><p>${t(`${name}.message`)}</p></div>`,
    };
  };

export const PAGES = {
  consent,
  documentType,
  upload,
  review,
  done,
  declined: ending('declined'),
  expired: ending('expired'),
  failed: ending('failed'),
  notFound: ending('notFound'),
  outOfOrder: (tx: DocvTransaction, q = ''): Page => {
    const { lang, t } = textsOf(tx);
    return {
      lang,
      title: t('outOfOrder.title'),
      body: html`<div class="card"><h1>${t('outOfOrder.heading')}</h1>
<p>${t('outOfOrder.message')}</p>
<p><a class="button" href="${base(tx)}${q}">${t('outOfOrder.continue')}</a></p></div>`,
    };
  },
  /** A form sent without one of the choices offered. */
  badInput: (
    tx: DocvTransaction,
    problem: 'badInput.consent' | 'badInput.outcome' | 'badInput.documentType',
    q = '',
  ): Page => {
    const { lang, t } = textsOf(tx);
    return {
      lang,
      title: t('badInput.title'),
      body: html`<div class="card"><h1>${t('badInput.title')}</h1><p class="bad" role="alert">${t(problem)}</p>
<p><a class="button" href="${base(tx)}${q}">${t('badInput.back')}</a></p></div>`,
    };
  },
};
