/**
 * A wait node's `resend` option: the person asks for the message (e.g. the SMS with the capture link) again,
 * or for it to go to another number. Both re-run a capability node (a new DocV transaction: Socure has no
 * "resend" call) and move the wait onto the new transaction's keys. Rate-limited per session and wait node.
 */
import type { Flow, FormField, NodeOf } from './definition.js';
import { type FieldError, validateForm } from './form.js';
import type { Scope } from './references.js';

/** A wait node's `resend` option (its schema is in definition.ts). */
export type ResendOptions = NonNullable<NodeOf<'wait'>['resend']>;

/** Where a wait's sends are counted in the session's outputs: not a node id (those start with a letter). */
export const resendStateKey = (waitNodeId: string) => `_resend_${waitNodeId}`;

export interface ResendState {
  /** Sends after the first. */
  count: number;
  /** When the latest send (or the wait) began, ms. */
  lastAt: number;
}

export function resendStateOf(scope: Scope, waitNodeId: string, waitingSince: number): ResendState {
  const s = scope[resendStateKey(waitNodeId)] as Partial<ResendState> | undefined;
  return {
    count: typeof s?.count === 'number' ? s.count : 0,
    lastAt: typeof s?.lastAt === 'number' ? s.lastAt : waitingSince,
  };
}

/** Why a send is refused now: the limit, or too soon (with when it may be tried again). */
export type ResendRefusal = { refused: 'limit' } | { refused: 'too-soon'; retryAt: number };

export function checkResend(
  options: ResendOptions,
  state: ResendState,
  now: number,
): ResendRefusal | undefined {
  if (state.count >= options.max) return { refused: 'limit' };
  const retryAt = state.lastAt + options.interval;
  return now < retryAt ? { refused: 'too-soon', retryAt } : undefined;
}

/** The screen field holding the number, when the wait offers "Change number". */
export function phoneFieldOf(flow: Flow, options: ResendOptions): FormField | undefined {
  if (!options.phone) return undefined;
  const screen = flow.nodes[options.phone.screen];
  return screen?.type === 'screen' ? screen.fields.find((f) => f.name === options.phone!.field) : undefined;
}

/** A new number checked like the form's field: the screen's output with it, or the refusal. */
export function withNewPhone(
  field: FormField,
  screenOutput: unknown,
  submitted: unknown,
): { output: Record<string, unknown> } | { error: FieldError } {
  // Required here whatever the form says: changing to no number makes no sense.
  const { values, errors } = validateForm([{ ...field, required: true }], { [field.name]: submitted });
  const error = errors[field.name];
  if (error) return { error };
  const earlier = screenOutput && typeof screenOutput === 'object' ? screenOutput : {};
  return { output: { ...earlier, [field.name]: values[field.name] } };
}

/** Problems with a wait node's `resend` option, as [field, message] for the loader. */
export function resendProblems(flow: Flow, wait: NodeOf<'wait'>): Array<[string, string]> {
  const options = wait.resend;
  if (!options) return [];
  const problems: Array<[string, string]> = [];
  if (flow.nodes[options.node]?.type !== 'capability')
    problems.push(['resend.node', `"${options.node}" is not a capability node`]);
  if (options.phone) {
    const screen = flow.nodes[options.phone.screen];
    if (screen?.type !== 'screen')
      problems.push(['resend.phone.screen', `"${options.phone.screen}" is not a screen node`]);
    else if (phoneFieldOf(flow, options)?.type !== 'tel')
      problems.push(['resend.phone.field', `the screen has no tel field "${options.phone.field}"`]);
  }
  return problems;
}
