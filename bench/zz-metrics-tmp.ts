import { ServiceMetrics } from '/work/main/src/server/metrics/service-metrics.ts';
import { timedStore } from '/work/main/src/server/metrics/store-timing.ts';

const m = new ServiceMetrics();
const routes = ['/s/:id/:sig', '/api/sessions', '/webhooks/socure/:path', '/s/:id/:sig/status', 'unmatched'];
function time(label: string, n: number, fn: (i: number) => void) {
  for (let i = 0; i < 10000; i++) fn(i);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  console.log(`${label}: ${((ms * 1e6) / n).toFixed(0)} ns/op wall, ${(((c.user + c.system) * 1000) / n).toFixed(0)} ns/op cpu`);
}
time('httpRequest (hook body)', 1_000_000, (i) => m.httpRequest(routes[i % 5]!, 'GET', 200, 0.003));
time('storeCall', 1_000_000, (i) => m.storeCall(i % 2 ? 'getSession' : 'commitStep', 0.001));
time('socureCall', 200_000, (i) => m.socureCall({ method: 'POST', endpoint: '/api/3.0/EmailAuthScore', status: 200, referenceId: 'x', attempts: 1 + (i % 2), durationMs: 120 }));
time('webhookCommitted', 500_000, () => m.webhookCommitted('VERIFICATION_COMPLETED', 'inserted'));

// The store proxy: an async method, direct vs through timedStore.
const raw = { async getSession(id: string) { return id; }, dialect: 'sqlite' } as never;
const timed = timedStore(raw, m) as unknown as { getSession(id: string): Promise<string> };
const direct = raw as unknown as { getSession(id: string): Promise<string> };
async function timeAsync(label: string, n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 10000; i++) await fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  console.log(`${label}: ${((ms * 1e6) / n).toFixed(0)} ns/op wall, ${(((c.user + c.system) * 1000) / n).toFixed(0)} ns/op cpu`);
}
await timeAsync('store call direct', 300_000, () => direct.getSession('a'));
await timeAsync('store call timed', 300_000, () => timed.getSession('a'));
m.readBacklogFrom(async () => ({ sessions: { running: 1, input: 2, waiting: 3 }, inboxUnconsumed: 1, inboxUncorrelated: 0, callbacksPending: 0, callbacksFailed: 0 }));
await timeAsync('render (scrape, backlog stubbed)', 500, () => m.render());
const body = (await m.render()).body;
console.log('exposition bytes', body.length, 'lines', body.split('\n').length);
