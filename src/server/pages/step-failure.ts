import type { FlowNode } from '../../flows/definition.js';
import type { LocalizedField } from '../../flows/localized.js';
import type { StepError } from '../../flows/step-errors.js';
import type { PageContext } from './page-context.js';

export interface StepFailure {
  /** The error a capability step left (`errorFrom`), if it failed. */
  failed: StepError | undefined;
  /** That capability node: its input says which form field fed the refused request field. */
  capability: FlowNode | undefined;
  /** The screen shown again. */
  screenId: string;
  fields: readonly LocalizedField[];
  /** Messages beside fields by name; a field Socure refused is added here. */
  shown: Record<string, string>;
  sessionId: string;
}

/**
 * The banner of a screen shown again: "correct the fields marked below" when a field is marked (a field Socure
 * refused is marked beside it, by its label — never by the request's field name such as `nationalId`); else,
 * after a failed step, a plain sentence with the support reference (the cause is in the log and the timeline).
 */
export function stepFailureNotice(ctx: PageContext, f: StepFailure): string | undefined {
  const { t } = ctx;
  const refused = f.failed?.field ? formFieldOf(f, f.failed.field) : undefined;
  if (refused && !f.shown[refused.name]) {
    f.shown[refused.name] = f.failed?.reason
      ? t('form.refused', { label: refused.label, reason: f.failed.reason })
      : t('step.checkField', { label: refused.label });
  }
  if (Object.keys(f.shown).length > 0) return t('form.correctFields');
  if (!f.failed) return undefined;
  const sentence = f.failed.field ? t('step.checkDetails') : t('step.failed');
  return `${sentence} ${t('end.supportReference')} ${f.sessionId}`;
}

/** The form field behind a request field: same name, or the capability input `{{<screen>.<field>}}` it came from. */
function formFieldOf(f: StepFailure, requestField: string): LocalizedField | undefined {
  const byName = f.fields.find((field) => field.name === requestField);
  if (byName) return byName;
  if (f.capability?.type !== 'capability') return undefined;
  const source = f.capability.input[requestField];
  if (typeof source !== 'string') return undefined;
  const ref = /^\{\{\s*([\w-]+)\.(\w+)\s*\}\}$/.exec(source);
  return ref && ref[1] === f.screenId ? f.fields.find((field) => field.name === ref[2]) : undefined;
}
