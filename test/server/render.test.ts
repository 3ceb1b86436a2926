import { describe, expect, it } from 'vitest';
import { pageContextOf } from '../../src/server/pages/page-context.js';
import { renderEnd, renderWait } from '../../src/server/pages/render.js';
import type { SessionRow } from '../../src/store/types.js';

const session = (returnUrl: string | null): SessionRow => ({
  id: 'sess-1',
  flowId: 'docv-qr',
  status: 'completed',
  nodeId: 'end',
  version: 3,
  leaseOwner: null,
  leaseUntil: null,
  customerUserId: null,
  returnUrl,
  language: null,
  wakeAt: null,
  waitToken: null,
  waitReferenceId: null,
  waitCustomerUserId: null,
  waitEvents: null,
  challengeId: null,
  outcome: 'failed',
  createdAt: 0,
  updatedAt: 0,
  expiresAt: 0,
});
const ctx = pageContextOf(undefined, undefined);
const links = { page: '/s/sess-1/sig', csrf: 'csrf-token' };

describe('page texts come from the flow', () => {
  it('the retry button of a failed end uses retryLabel, escaped', () => {
    const html = renderEnd(
      ctx,
      'failed',
      { title: 'Oops', retryLabel: 'Try <again>' },
      undefined,
      session(null),
      'tok',
    );
    expect(html).toContain('Try &lt;again&gt;');
    expect(html).not.toContain('Start again');
  });

  it('the continue button goes to returnUrl with the session id and uses continueLabel', () => {
    const html = renderEnd(
      ctx,
      'failed',
      { title: 'Done', continueLabel: 'Back to the shop' },
      undefined,
      session('https://app.example.com/back?x=1'),
      'tok',
    );
    expect(html).toContain('href="https://app.example.com/back?x=1&amp;session_id=sess-1"');
    expect(html).toContain('Back to the shop');
    expect(html).not.toContain('Start again');
  });

  it('the waiting status line is the flow’s statusText', () => {
    const html = renderWait(
      ctx,
      { title: 'Wait', statusText: 'Still checking…' },
      session(null),
      links,
      'wait:3',
    );
    expect(html).toContain('Still checking…');
    expect(html).not.toContain('Waiting…');
  });
});
