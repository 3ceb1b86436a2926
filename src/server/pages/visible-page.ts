import type { FlowNode } from '../../flows/definition.js';
import type { SessionChange, SessionRow } from '../../store/types.js';

/** The name of the "Just a moment" page. */
export const WORKING_PAGE = 'working';

type Row = Pick<SessionRow, 'status' | 'version'>;

/**
 * The page a session row renders, named: `end:<version>`, `screen:<version>` or `wait:<version>` (the version it
 * settled at: the same screen or wait reached again is another page, e.g. a new QR code), or `working` ("Just a
 * moment") for a session mid-step or parked where the person has nothing to do (a step's retry). A waiting page
 * reloads only when this name changes.
 */
export function pageOf(session: Row, node: Pick<FlowNode, 'type'>): string {
  if (session.status === 'completed') return endPage(session.version);
  if (session.status === 'input' && node.type === 'screen') return `screen:${session.version}`;
  if (session.status === 'waiting' && node.type === 'wait') return `wait:${session.version}`;
  return WORKING_PAGE;
}

/**
 * The page to tell an open waiting page about: none while the session runs a step. Those steps are between
 * pages (the ID+ fetch after a wait takes milliseconds): a page that reloaded for them would show "Just a moment"
 * and reload again at once.
 */
export function settledPageOf(session: Row, node: Pick<FlowNode, 'type'>): string | undefined {
  return session.status === 'running' ? undefined : pageOf(session, node);
}

/**
 * The page a change notification names on its own, or undefined when it takes the session's row (its node): an
 * end needs only its version, so a waiting page hears of the result without a read of the session.
 */
export function pageOfChange(change: Pick<SessionChange, 'status' | 'version'>): string | undefined {
  return change.status === 'completed' ? endPage(change.version) : undefined;
}

const endPage = (version: number) => `end:${version}`;
