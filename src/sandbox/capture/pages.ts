import type { CaptureStep } from '../docv/lifecycle.js';
import { magicOutcomeOf } from '../docv/magic.js';
import { DOCV_OUTCOMES, OUTCOME_SPECS } from '../docv/outcomes.js';
import type { DocvTransaction, UploadSide } from '../docv/types.js';
import { html, type SafeHtml } from '../html.js';

/**
 * The capture app's screens, server-rendered and script-free: each is a plain form that posts one
 * step, so it works on any phone browser, with or without JavaScript.
 */
export interface Page {
  title: string;
  body: SafeHtml;
}

const base = (tx: DocvTransaction) => `/capture/${encodeURIComponent(tx.token)}`;
/**
 * `q` on the pages below is the query every link and form of a page keeps: `?embed=<id>` when the stand-in Web
 * SDK framed the capture app (websdk/embeds.ts), else empty.
 */
const SANDBOX_NOTE = html`<p class="muted">Socure sandbox: nothing is verified for real. Photos are not stored;
only their size and a digest are kept in memory.</p>`;

function stepsOf(tx: DocvTransaction): CaptureStep[] {
  const steps: CaptureStep[] = ['consent'];
  if (!tx.documentTypeFixed) steps.push('document-type');
  steps.push('front');
  if (tx.documentType !== 'passport') steps.push('back');
  steps.push('selfie', 'review');
  return steps;
}

const progress = (tx: DocvTransaction, step: CaptureStep) => {
  const steps = stepsOf(tx);
  return html`<p class="steps">Step ${steps.indexOf(step) + 1} of ${steps.length}</p>`;
};

function consent(tx: DocvTransaction, q = ''): Page {
  return {
    title: 'Verify your identity',
    body: html`<div class="card">${progress(tx, 'consent')}
<h1>Verify your identity</h1>
<p>You will take a photo of your driver’s license or passport and a selfie. They are compared to confirm it is you.</p>
<p>By accepting, you agree that your images and data are processed to verify your identity.</p>
${SANDBOX_NOTE}
<form method="post" action="${base(tx)}/consent${q}">
<button type="submit" name="consent" value="accept">Accept and continue</button>
<button type="submit" name="consent" value="decline" class="secondary">Decline</button>
</form></div>`,
  };
}

function documentType(tx: DocvTransaction, q = ''): Page {
  return {
    title: 'Choose your document',
    body: html`<div class="card">${progress(tx, 'document-type')}
<h1>Choose your document</h1>
<form method="post" action="${base(tx)}/document-type${q}">
<fieldset><legend>Which document will you use?</legend>
<label class="inline" for="type-license"><input type="radio" id="type-license" name="documentType" value="license" checked> Driver’s license or state ID</label>
<label class="inline" for="type-passport"><input type="radio" id="type-passport" name="documentType" value="passport"> Passport</label>
</fieldset>
<button type="submit">Continue</button>
</form></div>`,
  };
}

const UPLOAD_TEXT: Record<UploadSide, { title: string; label: string; capture: string; short: string }> = {
  front: {
    title: 'Front of your document',
    label: 'Photo of the front of your document',
    capture: 'environment',
    short: 'Front',
  },
  back: {
    title: 'Back of your document',
    label: 'Photo of the back of your document',
    capture: 'environment',
    short: 'Back',
  },
  selfie: {
    title: 'Take a selfie',
    label: 'Selfie (a photo of your face)',
    capture: 'user',
    short: 'Selfie',
  },
};

function upload(tx: DocvTransaction, side: UploadSide, error?: string, q = ''): Page {
  const t = UPLOAD_TEXT[side];
  return {
    title: t.title,
    body: html`<div class="card">${progress(tx, side)}
<h1>${t.title}</h1>
${error ? html`<p class="bad" role="alert">${error}</p>` : ''}
<p>${side === 'selfie' ? 'Face the camera in good light, without glasses or a hat.' : 'Place it on a dark surface in good light, with all four corners visible.'}</p>
<form method="post" action="${base(tx)}/${side}${q}" enctype="multipart/form-data">
<label for="image">${t.label}</label>
<input type="file" id="image" name="image" accept="image/*" capture="${t.capture}" required>
<button type="submit">Upload</button>
</form></div>`,
  };
}

function review(tx: DocvTransaction, q = ''): Page {
  const auto = OUTCOME_SPECS[magicOutcomeOf(tx.pii)].label;
  const sizes = (['front', 'back', 'selfie'] as const)
    .filter((s) => tx.uploads[s])
    .map((s) => html`<li>${UPLOAD_TEXT[s].short}: photo received (${tx.uploads[s]!.bytes} bytes)</li>`);
  return {
    title: 'Review and submit',
    body: html`<div class="card">${progress(tx, 'review')}
<h1>Review and submit</h1>
<p>Document: ${tx.documentType === 'passport' ? 'Passport' : 'Driver’s license'}</p>
<ul>${sizes}</ul>
<form method="post" action="${base(tx)}/submit${q}">
<div class="sandbox">
<label for="outcome">Simulated outcome (sandbox only)</label>
<select id="outcome" name="outcome">
<option value="auto" selected>Automatic: ${auto}</option>
${DOCV_OUTCOMES.map((o) => html`<option value="${o}">${OUTCOME_SPECS[o].label}</option>`)}
</select>
</div>
<button type="submit">Submit</button>
</form></div>`,
  };
}

function done(tx: DocvTransaction, q = ''): Page {
  // Framed in a page, there is nowhere to redirect to: the page that framed it goes on by itself.
  const r = q ? undefined : tx.redirect;
  let next: SafeHtml | string = '';
  if (r?.method === 'POST') {
    next = html`<form method="post" action="${r.url}">
<input type="hidden" name="referenceId" value="${tx.referenceId}">
<input type="hidden" name="docvTransactionToken" value="${tx.token}">
<button type="submit">Continue</button>
</form>`;
  } else if (r) {
    next = html`<p><a class="button" href="${redirectUrl(tx)}">Continue</a></p>`;
  }
  return {
    title: 'Thank you',
    body: html`<div class="card"><h1>Thank you</h1>
<p class="ok">Your documents were submitted. You can return to where you started.</p>
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

const ending = (title: string, text: string): Page => ({
  title,
  body: html`<div class="card"><h1>${title}</h1><p>${text}</p></div>`,
});

export const PAGES = {
  consent,
  documentType,
  upload,
  review,
  done,
  declined: () =>
    ending('Verification declined', 'You declined. No photos were taken. You can close this page.'),
  expired: () =>
    ending(
      'Session expired',
      'This verification link has expired. Go back to where you started to get a new one.',
    ),
  failed: () =>
    ending(
      'Upload failed',
      'Your documents could not be uploaded. Go back to where you started and try again.',
    ),
  notFound: () =>
    ending('Link not valid', 'This verification link is not valid. Check that you opened the whole link.'),
  outOfOrder: (tx: DocvTransaction, q = ''): Page => ({
    title: 'Not yet',
    body: html`<div class="card"><h1>This step is not available yet</h1>
<p>Please finish the earlier steps first.</p>
<p><a class="button" href="${base(tx)}${q}">Continue where you left off</a></p></div>`,
  }),
  badInput: (tx: DocvTransaction, text: string, q = ''): Page => ({
    title: 'Please try again',
    body: html`<div class="card"><h1>Please try again</h1><p class="bad" role="alert">${text}</p>
<p><a class="button" href="${base(tx)}${q}">Back</a></p></div>`,
  }),
};
