import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CaptureStep, Position, StepResult } from '../docv/lifecycle.js';
import { isDocvOutcome } from '../docv/outcomes.js';
import type { DocvTransaction, UploadSide } from '../docv/types.js';
import { readFormOrJson } from '../form-body.js';
import { type FramedBy, sendPage } from '../html.js';
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

/** A capture page in the frame of the stand-in Web SDK: its `?embed=` query and whom it reports to. */
interface Framing {
  q: string;
  parentOrigin: string;
}

/** The Web SDK status (socure-api.md §5.3) a framed page reports where the transaction stands. */
const SDK_STATUS: Record<Position, string> = {
  consent: 'WAITING_FOR_UPLOAD',
  'document-type': 'WAITING_FOR_UPLOAD',
  front: 'WAITING_FOR_UPLOAD',
  back: 'WAITING_FOR_UPLOAD',
  selfie: 'WAITING_FOR_UPLOAD',
  review: 'WAITING_FOR_UPLOAD',
  done: 'DOCUMENTS_UPLOADED',
  declined: 'CONSENT_DECLINED',
  failed: 'DOCUMENTS_UPLOAD_FAILED',
  expired: 'TOKEN_EXPIRED',
};

function pageFor(tx: DocvTransaction, position: Position, q = ''): { status: number; page: Page } {
  switch (position) {
    case 'consent':
      return { status: 200, page: PAGES.consent(tx, q) };
    case 'document-type':
      return { status: 200, page: PAGES.documentType(tx, q) };
    case 'front':
    case 'back':
    case 'selfie':
      return { status: 200, page: PAGES.upload(tx, position, undefined, q) };
    case 'review':
      return { status: 200, page: PAGES.review(tx, q) };
    case 'done':
      return { status: 200, page: PAGES.done(tx, q) };
    case 'declined':
      return { status: 200, page: PAGES.declined(tx) };
    case 'expired':
      return { status: 410, page: PAGES.expired(tx) };
    case 'failed':
      return { status: 200, page: PAGES.failed(tx) };
  }
}

/**
 * The capture app a phone opens from the link or QR code: GET shows the step due now (and fires
 * APP_OPENED the first time); each step posts to its own URL and is answered 303 back to the link
 * (post/redirect/get), so reloads and repeated posts never fire an event twice.
 */
export const captureRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  const { transactions, lifecycle } = state;
  const back = (reply: FastifyReply, tx: DocvTransaction, framing: Framing | undefined) =>
    reply
      .code(303)
      .header('location', `/capture/${encodeURIComponent(tx.token)}${framing?.q ?? ''}`)
      .send();

  /** The Web SDK launch this request belongs to (`?embed=<id>` of this transaction), if any. */
  const framingOf = (request: FastifyRequest, tx: DocvTransaction): Framing | undefined => {
    const id = (request.query as Record<string, unknown> | undefined)?.embed;
    const embed = state.embeds.get(id, tx.token);
    return embed
      ? { q: `?embed=${encodeURIComponent(id as string)}`, parentOrigin: embed.origin }
      : undefined;
  };
  const show = (reply: FastifyReply, status: number, page: Page, tx?: DocvTransaction, framing?: Framing) => {
    const framedBy: FramedBy | undefined =
      tx && framing
        ? { parentOrigin: framing.parentOrigin, token: tx.token, status: SDK_STATUS[lifecycle.position(tx)] }
        : undefined;
    return sendPage(reply, status, page.title, page.body, framedBy, page.lang);
  };

  app.get<{ Params: { token: string } }>('/capture/:token', async (request, reply) => {
    const tx = transactions.get(request.params.token);
    if (!tx) return show(reply, 404, PAGES.notFound());
    const framing = framingOf(request, tx);
    lifecycle.open(tx);
    const { status, page } = pageFor(tx, lifecycle.position(tx), framing?.q);
    return show(reply, status, page, tx, framing);
  });

  app.post<{ Params: { token: string; step: string } }>(
    '/capture/:token/:step',
    { bodyLimit: MAX_UPLOAD_BYTES },
    async (request, reply) => {
      const tx = transactions.get(request.params.token);
      if (!tx) return show(reply, 404, PAGES.notFound());
      const step = POSTED_STEPS[request.params.step];
      if (!step) return show(reply, 404, PAGES.notFound());
      const framing = framingOf(request, tx);
      const q = framing?.q;
      const refused = lifecycle.check(tx, step);
      if (refused) return answerRefused(reply, tx, refused, framing);

      if (step === 'front' || step === 'back' || step === 'selfie') {
        const image = readUpload(request);
        if (!image.ok)
          return show(reply, 400, PAGES.upload(tx, step as UploadSide, image.msg, q), tx, framing);
        lifecycle.upload(tx, step, image);
        return back(reply, tx, framing);
      }
      const form = readFormOrJson(request);
      const fields = form.ok ? form.value : {};
      if (step === 'consent') {
        if (fields.consent !== 'accept' && fields.consent !== 'decline') {
          return show(reply, 400, PAGES.badInput(tx, 'badInput.consent', q), tx, framing);
        }
        lifecycle.consent(tx, fields.consent === 'accept');
        return back(reply, tx, framing);
      }
      if (step === 'document-type') {
        if (fields.documentType !== 'license' && fields.documentType !== 'passport') {
          return show(reply, 400, PAGES.badInput(tx, 'badInput.documentType', q), tx, framing);
        }
        lifecycle.chooseDocumentType(tx, fields.documentType);
        return back(reply, tx, framing);
      }
      const outcome = fields.outcome === undefined || fields.outcome === 'auto' ? undefined : fields.outcome;
      if (outcome !== undefined && !isDocvOutcome(outcome)) {
        return show(reply, 400, PAGES.badInput(tx, 'badInput.outcome', q), tx, framing);
      }
      lifecycle.submit(tx, outcome);
      // Framed, the frame stays on "Thank you": the Web SDK's onSuccess, not a redirect, moves the page on.
      if (tx.redirect?.method === 'GET' && !framing)
        return reply.code(303).header('location', redirectUrl(tx)).send();
      return back(reply, tx, framing);
    },
  );

  function answerRefused(
    reply: FastifyReply,
    tx: DocvTransaction,
    refused: StepResult,
    framing: Framing | undefined,
  ) {
    if (refused.kind === 'out-of-order')
      return show(reply, 409, PAGES.outOfOrder(tx, framing?.q), tx, framing);
    return back(reply, tx, framing); // already done, or the session is over: show where it stands
  }
};
