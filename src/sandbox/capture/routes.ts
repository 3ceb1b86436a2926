import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { CaptureStep, Position, StepResult } from '../docv/lifecycle.js';
import { isDocvOutcome } from '../docv/outcomes.js';
import type { DocvTransaction, UploadSide } from '../docv/types.js';
import { readFormOrJson } from '../form-body.js';
import { sendPage } from '../html.js';
import type { SandboxState } from '../state.js';
import { PAGES, type Page, redirectUrl } from './pages.js';
import { MAX_UPLOAD_BYTES, readUpload } from './upload.js';

const POSTED_STEPS: Record<string, CaptureStep> = {
  consent: 'consent',
  'document-type': 'document-type',
  front: 'front',
  back: 'back',
  selfie: 'selfie',
  submit: 'review',
};

const show = (reply: FastifyReply, status: number, page: Page) =>
  sendPage(reply, status, page.title, page.body);

function pageFor(tx: DocvTransaction, position: Position): { status: number; page: Page } {
  switch (position) {
    case 'consent':
      return { status: 200, page: PAGES.consent(tx) };
    case 'document-type':
      return { status: 200, page: PAGES.documentType(tx) };
    case 'front':
    case 'back':
    case 'selfie':
      return { status: 200, page: PAGES.upload(tx, position) };
    case 'review':
      return { status: 200, page: PAGES.review(tx) };
    case 'done':
      return { status: 200, page: PAGES.done(tx) };
    case 'declined':
      return { status: 200, page: PAGES.declined() };
    case 'expired':
      return { status: 410, page: PAGES.expired() };
    case 'failed':
      return { status: 200, page: PAGES.failed() };
  }
}

/**
 * The capture app a phone opens from the link or QR code: GET shows the step due now (and fires
 * APP_OPENED the first time); each step posts to its own URL and is answered 303 back to the link
 * (post/redirect/get), so reloads and repeated posts never fire an event twice.
 */
export const captureRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  const { transactions, lifecycle } = state;
  const back = (reply: FastifyReply, tx: DocvTransaction) =>
    reply
      .code(303)
      .header('location', `/capture/${encodeURIComponent(tx.token)}`)
      .send();

  app.get<{ Params: { token: string } }>('/capture/:token', async (request, reply) => {
    const tx = transactions.get(request.params.token);
    if (!tx) return show(reply, 404, PAGES.notFound());
    lifecycle.open(tx);
    const { status, page } = pageFor(tx, lifecycle.position(tx));
    return show(reply, status, page);
  });

  app.post<{ Params: { token: string; step: string } }>(
    '/capture/:token/:step',
    { bodyLimit: MAX_UPLOAD_BYTES },
    async (request, reply) => {
      const tx = transactions.get(request.params.token);
      if (!tx) return show(reply, 404, PAGES.notFound());
      const step = POSTED_STEPS[request.params.step];
      if (!step) return show(reply, 404, PAGES.notFound());
      const refused = lifecycle.check(tx, step);
      if (refused) return answerRefused(reply, tx, refused);

      if (step === 'front' || step === 'back' || step === 'selfie') {
        const image = readUpload(request);
        if (!image.ok) return show(reply, 400, PAGES.upload(tx, step as UploadSide, image.msg));
        lifecycle.upload(tx, step, image);
        return back(reply, tx);
      }
      const form = readFormOrJson(request);
      const fields = form.ok ? form.value : {};
      if (step === 'consent') {
        if (fields.consent !== 'accept' && fields.consent !== 'decline') {
          return show(reply, 400, PAGES.badInput(tx, 'Choose Accept or Decline.'));
        }
        lifecycle.consent(tx, fields.consent === 'accept');
        return back(reply, tx);
      }
      if (step === 'document-type') {
        if (fields.documentType !== 'license' && fields.documentType !== 'passport') {
          return show(reply, 400, PAGES.badInput(tx, 'Choose a driver’s license or a passport.'));
        }
        lifecycle.chooseDocumentType(tx, fields.documentType);
        return back(reply, tx);
      }
      const outcome = fields.outcome === undefined || fields.outcome === 'auto' ? undefined : fields.outcome;
      if (outcome !== undefined && !isDocvOutcome(outcome)) {
        return show(reply, 400, PAGES.badInput(tx, 'Choose one of the listed outcomes.'));
      }
      lifecycle.submit(tx, outcome);
      if (tx.redirect?.method === 'GET') return reply.code(303).header('location', redirectUrl(tx)).send();
      return back(reply, tx);
    },
  );

  function answerRefused(reply: FastifyReply, tx: DocvTransaction, refused: StepResult) {
    if (refused.kind === 'out-of-order') return show(reply, 409, PAGES.outOfOrder(tx));
    return back(reply, tx); // already done, or the session is over: show where it stands
  }
};
