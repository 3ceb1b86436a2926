import { Allowlist, DEFAULT_ALLOWLIST } from './allowlist.js';
import { SandboxClock } from './clock.js';
import { DeviceSessionStore } from './device/sessions.js';
import { DocvLifecycle } from './docv/lifecycle.js';
import { TransactionStore } from './docv/transactions.js';
import type { SandboxKeys } from './keys.js';
import { DEFAULT_TRANSACTION_TTL_MS, type SandboxOptions } from './options.js';
import { RiskOsController } from './riskos/controller.js';
import { SmsOutbox } from './sms.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, DEFAULT_RETRY_BASE_MS, DeliveryQueue } from './webhooks/delivery.js';
import { DeliveryLog } from './webhooks/delivery-log.js';
import { SubscriptionStore } from './webhooks/subscriptions.js';
import { EmbedStore } from './websdk/embeds.js';

/**
 * Everything a running sandbox remembers, in memory, shared by its plugins. One object per app, so
 * two sandboxes in one process (tests) never see each other's transactions or webhooks.
 */
export interface SandboxState {
  keys: SandboxKeys;
  clock: SandboxClock;
  transactions: TransactionStore;
  lifecycle: DocvLifecycle;
  subscriptions: SubscriptionStore;
  deliveryLog: DeliveryLog;
  delivery: DeliveryQueue;
  /** RiskOS evaluations, and the bridge from their DocV step-ups (riskos/controller.ts). */
  riskOs: RiskOsController;
  outbox: SmsOutbox;
  allowlist: Allowlist;
  /** Capture apps launched inside a page by the stand-in Web SDK. */
  embeds: EmbedStore;
  /** Device sessions registered by the stand-in Sigma Device collector. */
  deviceSessions: DeviceSessionStore;
  transactionTtlMs: number;
  log: ((line: string) => void) | undefined;
  /** Base of capture links: the publicUrl option, else the listen URL, else the request's own origin. */
  publicUrl(fallbackOrigin: string): string;
  /** Set by startSandbox once the port is known. */
  setListenUrl(url: string): void;
  close(): Promise<void>;
}

export function createSandboxState(options: SandboxOptions, keys: SandboxKeys): SandboxState {
  const clock = new SandboxClock();
  const transactions = new TransactionStore(options.maxTransactions);
  const subscriptions = new SubscriptionStore();
  const deliveryLog = new DeliveryLog();
  const delivery = new DeliveryQueue({
    subscriptions,
    log: deliveryLog,
    authScheme: options.authScheme ?? 'bare',
    retryBaseMs: options.deliveryRetryBaseMs ?? DEFAULT_RETRY_BASE_MS,
    timeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    logLine: options.log,
  });
  const riskOs = new RiskOsController({ clock, delivery });
  const lifecycle = new DocvLifecycle({
    clock,
    store: transactions,
    // A RiskOS step-up's events become RiskOS events; the others go to the DocV subscriptions.
    deliver: (events, tx) => {
      if (!riskOs.onDocvEvents(events, tx)) delivery.enqueue(events, tx.knobs);
    },
  });
  for (const w of options.webhooks ?? []) {
    const created = subscriptions.create({ ...w, name: w.name ?? 'webhook from options' });
    if (!created.ok) throw new Error(`sandbox: webhooks: ${created.msg}`);
  }
  let listenUrl: string | undefined;
  const trim = (u: string) => u.replace(/\/+$/, '');
  return {
    keys,
    clock,
    transactions,
    lifecycle,
    subscriptions,
    deliveryLog,
    delivery,
    riskOs,
    outbox: new SmsOutbox(),
    allowlist: new Allowlist([...DEFAULT_ALLOWLIST, ...(options.allowlist ?? [])]),
    embeds: new EmbedStore(),
    deviceSessions: new DeviceSessionStore(),
    transactionTtlMs: options.transactionTtlMs ?? DEFAULT_TRANSACTION_TTL_MS,
    log: options.log,
    publicUrl: (fallbackOrigin) => trim(options.publicUrl ?? listenUrl ?? fallbackOrigin),
    setListenUrl: (url) => {
      listenUrl = url;
    },
    close: () => delivery.close(),
  };
}
