import type { SessionRow } from '../../store/types.js';
import { html, type Raw } from './html.js';

/**
 * What the end page tells the app that framed or opened it (assets/notify-parent.js posts it): the session, its
 * status and outcome — never the result or what the person typed. Only with FRAME_ANCESTORS set: the origins the
 * message may go to; without them the page holds nothing of this.
 */
export function embedNotice(
  session: SessionRow,
  outcome: string,
  origins: readonly string[] | undefined,
): Raw {
  if (!origins?.length) return html``;
  return html`<div hidden data-embed-notice data-origins="${origins.join(' ')}" data-session-id="${session.id}" data-status="${session.status}" data-outcome="${outcome}"></div>
<script src="/assets/notify-parent.js" defer></script>`;
}
