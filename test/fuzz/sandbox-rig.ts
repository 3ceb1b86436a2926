import { expect } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { type RawAnswer, type RawRequest, send } from './http.js';

/** Webhooks of the fuzzed sandbox go to a closed loopback port: refused at once, never off the machine. */
export const DEAD_END = 'http://127.0.0.1:9/hook';

/**
 * A standalone sandbox on a free port, and what generated requests refer to by placeholder: `$KEY` (the
 * sandbox ID+ key), `$SDK` (its SDK key), `$PROD` (the production ID+ key), `$TOKEN` (a live DocV transaction)
 * and `$SUB` (a webhook subscription).
 */
export class SandboxRig {
  private tokens: string[] = [];
  private subscription = '';
  private constructor(readonly sandbox: RunningSandbox) {}

  static async start(): Promise<SandboxRig> {
    const rig = new SandboxRig(await startSandbox({ port: 0, deliveryRetryBaseMs: 50 }));
    rig.subscription = (await rig.sandbox.addWebhook({ url: DEAD_END, name: 'fuzz' })).id;
    for (let i = 0; i < 3; i++) await rig.newTransaction();
    return rig;
  }

  /** A fresh DocV transaction (the fuzzer drives the old ones to their end, or expires them). */
  async newTransaction(): Promise<void> {
    const res = await send(this.sandbox.url, {
      method: 'POST',
      path: '/api/5.0/documents/request',
      headers: {
        authorization: `SocureApiKey ${this.sandbox.keys.sandbox.idPlusKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ config: { documentType: 'license' }, customerUserId: 'fuzz', surName: 'Fuzz' }),
    });
    expect(res.status, res.text).toBe(200);
    this.tokens.unshift(
      (JSON.parse(res.text) as { data: { docvTransactionToken: string } }).data.docvTransactionToken,
    );
    this.tokens.length = Math.min(this.tokens.length, 3);
  }

  resolve(text: string, pick: number): string {
    const values: Record<string, string> = {
      KEY: this.sandbox.keys.sandbox.idPlusKey,
      SDK: this.sandbox.keys.sandbox.sdkKey,
      PROD: this.sandbox.keys.production.idPlusKey,
      TOKEN: this.tokens[pick % this.tokens.length]!,
      SUB: this.subscription,
    };
    return text.replace(/(?:\$|%24)(KEY|SDK|PROD|TOKEN|SUB)/g, (_, name: string) => values[name]!);
  }

  async send(req: RawRequest, pick: number): Promise<{ req: RawRequest; res: RawAnswer }> {
    const r = (s: string) => this.resolve(s, pick);
    const resolved: RawRequest = {
      method: req.method,
      path: r(req.path),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, r(v)])),
      body: typeof req.body === 'string' ? r(req.body) : req.body,
    };
    return { req: resolved, res: await send(this.sandbox.url, resolved) };
  }

  /** Still answering: the reason-code catalogue with the key. */
  async expectHealthy(): Promise<void> {
    const res = await send(this.sandbox.url, {
      method: 'GET',
      path: '/api/3.0/reasoncodes',
      headers: { authorization: `SocureApiKey ${this.sandbox.keys.sandbox.idPlusKey}` },
    });
    expect(res.status).toBe(200);
  }

  close() {
    return this.sandbox.close();
  }
}
