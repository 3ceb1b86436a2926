import { randomUUID } from 'node:crypto';
import { type DeliveryKnobs, NO_KNOBS } from '../docv/types.js';
import { SANDBOX_ENVIRONMENTS, type SandboxEnvironment } from '../keys.js';

/** DocV notifications (socure-api.md §6), or RiskOS events (§10: evaluation_completed, case_notes_added…). */
export const SUBSCRIPTION_TYPES = ['Document Verification', 'RiskOS'] as const;
export type SubscriptionType = (typeof SUBSCRIPTION_TYPES)[number];
const MAX_SUBSCRIPTIONS = 100;

/** A webhook of the seed's Developer > Webhook screen, per environment. */
export interface WebhookSubscription {
  id: string;
  environment: SandboxEnvironment;
  subscriptionType: SubscriptionType;
  /** "Subscription Channel Name". */
  name: string;
  url: string;
  /** Sent in `Authorization` when set; the seed leaves it blank. */
  secret?: string;
  /** RiskOS only: with a user name the secret goes as Basic credentials, else as a Bearer token. */
  username?: string;
  /** The seed leaves "Choose certificate" blank; the sandbox has no mutual TLS. */
  certificate: null;
  knobs: DeliveryKnobs;
  createdAt: string;
}

/** What the admin API and pages show: never the secret itself. */
export type PublicSubscription = Omit<WebhookSubscription, 'secret'> & { hasSecret: boolean };
export function publicSubscription({ secret, ...rest }: WebhookSubscription): PublicSubscription {
  return { ...rest, hasSecret: secret !== undefined };
}

export type CreateResult =
  | { ok: true; subscription: WebhookSubscription }
  | { ok: false; msg: string; parameters: string[] };

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined);

function checkUrl(v: string | undefined): string | undefined {
  if (!v) return 'url is required (the receiver’s http(s) URL)';
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'url must be an http(s) URL';
  } catch {
    return 'url must be an absolute http(s) URL';
  }
  return undefined;
}

export class SubscriptionStore {
  readonly #subs = new Map<string, WebhookSubscription>();

  /** Validates form or JSON input (`environment`, `subscriptionType`, `name`, `url`, `secret`). */
  create(input: Record<string, unknown>): CreateResult {
    const problems: Array<[string, string]> = [];
    const environment = (text(input.environment) || 'sandbox').toLowerCase();
    if (!(SANDBOX_ENVIRONMENTS as readonly string[]).includes(environment)) {
      problems.push(['environment', `environment must be one of ${SANDBOX_ENVIRONMENTS.join(', ')}`]);
    }
    const type = text(input.subscriptionType) || 'Document Verification';
    if (!(SUBSCRIPTION_TYPES as readonly string[]).includes(type)) {
      problems.push([
        'subscriptionType',
        `subscriptionType must be one of ${SUBSCRIPTION_TYPES.map((t) => `"${t}"`).join(', ')}`,
      ]);
    }
    const url = text(input.url);
    const urlProblem = checkUrl(url);
    if (urlProblem) problems.push(['url', urlProblem]);
    const name = text(input.name) || (url ? `webhook ${this.#subs.size + 1}` : '');
    if (name.length > 100) problems.push(['name', 'name must be at most 100 characters']);
    const secret = text(input.secret) || undefined;
    if (input.secret !== undefined && typeof input.secret !== 'string') {
      problems.push(['secret', 'secret must be a string']);
    } else if (secret && (/\s/.test(secret) || secret.length > 256)) {
      problems.push(['secret', 'secret must be at most 256 characters without spaces']);
    }
    const username = text(input.username) || undefined;
    if (username && (type !== 'RiskOS' || username.includes(':') || username.length > 100)) {
      problems.push([
        'username',
        'username is for RiskOS Basic authentication: at most 100 characters, no ":"',
      ]);
    }
    if (input.certificate !== undefined && input.certificate !== null && input.certificate !== '') {
      problems.push(['certificate', 'certificates are not supported by the sandbox; leave it blank']);
    }
    if (problems.length === 0 && this.#subs.size >= MAX_SUBSCRIPTIONS) {
      problems.push(['environment', `at most ${MAX_SUBSCRIPTIONS} subscriptions`]);
    }
    if (problems.length > 0) {
      return {
        ok: false,
        msg: problems.map(([, m]) => m).join('; '),
        parameters: problems.map(([p]) => p),
      };
    }
    const subscription: WebhookSubscription = {
      id: randomUUID(),
      environment: environment as SandboxEnvironment,
      subscriptionType: type as SubscriptionType,
      name,
      url: url!,
      ...(secret ? { secret } : {}),
      ...(username ? { username } : {}),
      certificate: null,
      knobs: { ...NO_KNOBS },
      createdAt: new Date().toISOString(),
    };
    this.#subs.set(subscription.id, subscription);
    return { ok: true, subscription };
  }

  list(environment?: SandboxEnvironment, type?: SubscriptionType): WebhookSubscription[] {
    const all = [...this.#subs.values()];
    return all.filter(
      (s) => (!environment || s.environment === environment) && (!type || s.subscriptionType === type),
    );
  }

  get(id: string): WebhookSubscription | undefined {
    return this.#subs.get(id);
  }

  delete(id: string): boolean {
    return this.#subs.delete(id);
  }
}
