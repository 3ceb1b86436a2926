import type { Flow, NodeOf } from '../../flows/definition.js';
import type { FieldErrorCode } from '../../flows/form.js';
import type { Scope } from '../../flows/references.js';
import { checkResend, phoneFieldOf, resendStateOf } from '../../flows/resend.js';
import type { SessionRow } from '../../store/types.js';
import type { MessageKey } from '../i18n/en.js';
import { html, type Raw } from './html.js';
import type { PageContext } from './page-context.js';

/**
 * What the last resend request did, carried to the page in `?sms=` (the forms post, then redirect: a waiting
 * page reloads itself, and reloading a POST's page would send it again).
 */
export const SMS_NOTICES = [
  'resent',
  'changed',
  'too-soon',
  'limit',
  'failed',
  'busy',
  'expired',
  'number-required',
  'number-tel',
  'number-tooLong',
  'number-mustBeText',
] as const;
export type SmsNotice = (typeof SMS_NOTICES)[number];

export const smsNoticeOf = (value: unknown): SmsNotice | undefined => SMS_NOTICES.find((n) => n === value);

export interface SmsControls {
  flow: Flow;
  node: NodeOf<'wait'>;
  session: SessionRow;
  scope: Scope;
  /** The signed session page, e.g. /s/<id>/<sig>, and the page's form token. */
  links: { page: string; csrf: string };
  notice?: SmsNotice;
  now?: number;
}

/** The last two digits of the number in use: enough for the person to spot a typo, not enough to dial. */
function lastDigits(scope: Scope, c: SmsControls): string | undefined {
  const phone = c.node.resend?.phone;
  if (!phone) return undefined;
  const value = (scope[phone.screen] as Record<string, unknown> | undefined)?.[phone.field];
  const digits = typeof value === 'string' ? value.replace(/\D/g, '') : '';
  return digits.length >= 4 ? digits.slice(-2) : undefined;
}

/**
 * "Resend the text message" and "Change number" under a waiting page whose node has `resend`; undefined for any
 * other wait. The limits are the engine's (it refuses what is over them): the page only words them.
 */
export function renderSmsControls(ctx: PageContext, c: SmsControls): Raw | undefined {
  const { t } = ctx;
  const options = c.node.resend;
  if (!options) return undefined;
  const now = c.now ?? Date.now();
  const state = resendStateOf(c.scope, c.session.nodeId, (c.session.wakeAt ?? now) - c.node.timeout);
  const refusal = checkResend(options, state, now);
  const field = phoneFieldOf(c.flow, options);
  const last = lastDigits(c.scope, c);
  const numberError = c.notice?.startsWith('number-')
    ? t(`form.${c.notice.slice('number-'.length) as FieldErrorCode}` as MessageKey, {
        label: t('sms.newNumber'),
        max: field?.maxLength ?? 200,
      })
    : undefined;
  const notice = noticeText(ctx, c.notice, refusal, now);
  const left = options.max - state.count;
  const csrf = html`<input type="hidden" name="csrf" value="${c.links.csrf}">`;
  const forms =
    refusal?.refused === 'limit'
      ? html`<p>${t('sms.limit')}</p>`
      : html`<form method="post" action="${c.links.page}/sms/resend" class="sms-resend">${csrf}<button type="submit" class="secondary">${t('sms.resend')}</button></form>
${
  field
    ? html`<form method="post" action="${c.links.page}/sms/number" class="sms-number" novalidate>${csrf}
<label for="sms-number">${t('sms.newNumber')}</label>
<input type="tel" id="sms-number" name="phoneNumber" required autocomplete="tel" maxlength="${field.maxLength}" aria-describedby="sms-number-help${numberError ? ' sms-number-error' : ''}"${numberError ? html` aria-invalid="true"` : ''}>
<p class="help" id="sms-number-help">${t('sms.newNumberHelp')}</p>
${numberError ? html`<p class="field-error" id="sms-number-error">${numberError}</p>` : ''}
<button type="submit" class="secondary">${t('sms.changeNumber')}</button>
</form>`
    : ''
}
<p class="muted">${left === 1 ? t('sms.leftOne') : t('sms.left', { left })}</p>`;
  return html`<section class="sms-controls" aria-labelledby="sms-help">
${last ? html`<p>${t('sms.sentTo', { last })}</p>` : ''}
${notice ? html`<p class="${notice.alert ? 'alert' : 'notice'}" role="${notice.alert ? 'alert' : 'status'}">${notice.text}</p>` : ''}
<h2 id="sms-help">${t('sms.help')}</h2>
${forms}
</section>`;
}

function noticeText(
  { t }: PageContext,
  notice: SmsNotice | undefined,
  refusal: ReturnType<typeof checkResend>,
  now: number,
): { text: string; alert: boolean } | undefined {
  switch (notice) {
    case 'resent':
      return { text: t('sms.resent'), alert: false };
    case 'changed':
      return { text: t('sms.changed'), alert: false };
    case 'too-soon': {
      // Worded from the state now: a page reloaded later no longer says to wait.
      if (refusal?.refused !== 'too-soon') return undefined;
      return { text: t('sms.tooSoon', { seconds: Math.ceil((refusal.retryAt - now) / 1000) }), alert: true };
    }
    case 'failed':
      return { text: t('sms.failed'), alert: true };
    case 'busy':
      return { text: t('sms.busy'), alert: true };
    case 'expired':
      return { text: t('error.formExpired.message'), alert: true };
    case 'number-required':
    case 'number-tel':
    case 'number-tooLong':
    case 'number-mustBeText':
      return { text: t('form.correctFields'), alert: true };
    default:
      // 'limit' is said by the controls themselves.
      return undefined;
  }
}
