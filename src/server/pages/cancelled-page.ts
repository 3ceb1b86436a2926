/** The end page of a session the app cancelled (POST /api/sessions/{id}/cancel). */
import type { FlowNode } from '../../flows/definition.js';
import type { SessionRow } from '../../store/types.js';
import type { Translate } from '../i18n/translate.js';

/**
 * Whether the session shows the cancelled page: it was cancelled, and does not stand at a flow end of its own
 * that says "cancelled" (a cancel commits where the session stood: a wait, a form, even an end node a dead
 * runner never finished, whose own page would tell another outcome).
 */
export function showsCancelledPage(session: SessionRow, node: FlowNode): boolean {
  return (
    session.status === 'completed' &&
    session.outcome === 'cancelled' &&
    !(node.type === 'end' && node.outcome === 'cancelled')
  );
}

export function cancelledPage(t: Translate): { title: string; message: string } {
  return { title: t('end.cancelled.title'), message: t('end.cancelled.message') };
}
