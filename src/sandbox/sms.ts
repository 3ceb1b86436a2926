/**
 * The SMS outbox: where the sandbox "texts" capture links (DocV `sendMessage`). Nothing leaves the
 * machine; testers read the outbox page or `GET /sandbox/sms` instead of a phone.
 */
export interface SmsMessage {
  to: string;
  body: string;
  /** ISO time on the sandbox clock. */
  at: string;
  token: string;
}

const MAX_MESSAGES = 1000;

/** `+13475550100` → `+1347*****00`: enough to tell numbers apart in a log, not enough to dial. */
export function maskPhone(number: string): string {
  if (number.length <= 7) return '*'.repeat(number.length);
  return `${number.slice(0, 5)}${'*'.repeat(number.length - 7)}${number.slice(-2)}`;
}

export class SmsOutbox {
  readonly #messages: SmsMessage[] = [];

  record(message: SmsMessage): void {
    this.#messages.push(message);
    if (this.#messages.length > MAX_MESSAGES) this.#messages.shift();
  }

  /** Newest first, optionally only those sent to one number. */
  list(to?: string): SmsMessage[] {
    // Digits only: in a query string a typed `+` arrives as a space.
    const digits = to?.replace(/\D/g, '');
    const out = digits
      ? this.#messages.filter((m) => m.to.replace(/\D/g, '') === digits)
      : [...this.#messages];
    return out.reverse();
  }
}
