// temp: golden outputs of sandbox + client request/response handling (deleted afterwards)
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { buildSandboxApp } from '../src/sandbox/index.js';
import { buildIdPlusRequest } from '../src/socure/idplus/request.js';
import { parseIdPlusResponse } from '../src/socure/idplus/resource.js';
import { STOCK_PERSONA } from '../src/socure/stock-persona.js';

let s = 12345;
const rnd = () => { s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return s / 2 ** 32; };
const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
const MODS = ['kyc','fraud','synthetic','emailrisk','phonerisk','addressrisk','decision','alertlist','watchliststandard','watchlistpremier','watchlistplus','devicerisk','documentverification','social','digitalintelligence','accountintelligence','bogus','KYC',' Fraud '];
const FIELDS: Record<string, unknown[]> = {
  firstName: ['Ana','Dwayne','Ben','Dmitri','dwayne ',' Ben  X','', 5, null],
  surName: ['Smith','Denver','Accept','Reject','Refer','Review','Resubmit','Sanctioned','Politician','Synthetic','  garcia'],
  dob: ['1975-04-02','1990-02-30','2999-01-01','1988/07/14','07/14/1988','1899-12-31', '19880714'],
  nationalId: ['400013784','078-05-1120','000123456','1234','12-34','666123456','123 45 6789'],
  email: ['a@example.com','x@mailinator.com','bad@','y@alertlist.example','A.B@Yopmail.COM',' z@ex.org '],
  mobileNumber: ['+13475550100','+15555550100','347 555 0100','+1 347-555-0100','12','(202) 555-0147'],
  physicalAddress: ['1301 Main Street','PO Box 12','P.O. box 5', '42 Elm St'],
  physicalAddress2: ['Apt 2', undefined, 'Unit 5'],
  city: ['Brownsville','Austin'],
  state: ['TN','tx','US-NY','Texas'],
  zip: ['38012','38012-1234','380121234','1234','SW1A 1AA', 38012],
  country: ['US','us','US','GB','USA'],
  deviceSessionId: ['risky-device','abc', 'Risky-Device'],
  customerUserId: ['u1', 42, 'fault-badscore', 'fault-baddecision', 'fault-noreference', 'fault-503-x1-a', 'x'.repeat(120)],
  userId: ['uid'],
  docvTransactionToken: ['tok-1'],
  payments: [{ account: { accountNumber: '1', routingNumber: '2' } }, 'nope'],
  userConsent: [true, false, null],
  returnSignals: [true, 'yes'],
  watchlistFilters: [{}, 3],
  ipAddress: ['1.2.3.4', 'nope'],
  lastName: ['oops'],
};
function randomBody(): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  const n = 1 + Math.floor(rnd() * 5);
  const mods: string[] = [];
  for (let i = 0; i < n; i++) mods.push(rnd() < 0.9 ? MODS[Math.floor(rnd() * 16)]! : pick(MODS));
  if (rnd() < 0.4) mods.splice(0, mods.length, 'kyc', 'fraud', 'emailrisk', 'phonerisk', 'addressrisk', 'decision');
  if (rnd() < 0.95) b.modules = rnd() < 0.02 ? 'kyc' : mods;
  const base = rnd() < 0.5 ? { ...STOCK_PERSONA } : {};
  Object.assign(b, base);
  for (const [k, vs] of Object.entries(FIELDS)) {
    const p = k === 'lastName' || k === 'ipAddress' || k === 'returnSignals' || k === 'userConsent' || k === 'watchlistFilters' || k === 'customerUserId' ? 0.05 : 0.6;
    if (rnd() < p) b[k] = rnd() < 0.85 ? vs[Math.floor(rnd() * Math.min(3, vs.length))] : pick(vs);
  }
  return b;
}
const out: unknown[] = [];
const app = buildSandboxApp({ seed: 1 });
await app.ready();
const key = 'a1b234cd-75e1-9e01-f234-56abcdef6789';
const strip = (t: string) => t.replace(/"referenceId":"[0-9a-f-]{36}"/g, '"referenceId":"X"');
const authCases: Array<string | undefined> = [undefined, 'SocureApiKey', `SocureApiKey ${key}`, `socureapikey   ${key}  `, 'SocureApiKey d450e856-9e01-75e1-8cec-64efe8eef39b', 'SocureApiKey c3a7f1e2-0000-4c00-8000-000000000001', 'SocureApiKey nope', `Bearer ${key}`, 'SocureApiKey 9e0d2b4a-0000-4f00-8000-000000000002'];
for (const a of authCases) {
  const r = await app.inject({ method: 'POST', url: '/api/3.0/EmailAuthScore', headers: { ...(a ? { authorization: a } : {}), 'content-type': 'application/json' }, payload: JSON.stringify({ modules: ['kyc'], ...STOCK_PERSONA }) });
  out.push(['auth', a, r.statusCode, r.headers['content-type'], strip(r.body)]);
}
for (const [ct, body] of [['text/plain', '{}'], ['application/json', ''], ['application/json', '{bad'], ['application/vnd.x+json; charset=utf-8', '[]'], ['application/json', '"x"']] as const) {
  const r = await app.inject({ method: 'POST', url: '/api/3.0/EmailAuthScore', headers: { authorization: `SocureApiKey ${key}`, 'content-type': ct }, payload: body });
  out.push(['ct', ct, body, r.statusCode, strip(r.body)]);
}
const FN = ['Ana','Ben','Chloe','Dmitri','Ebony','Farid','Grace','Hiro','Dwayne'];
const LN = ['Smith','Garcia','Nguyen','Okafor','Denver','Accept','Reject','Refer','Review','Resubmit','Sanctioned','Politician','Synthetic'];
function validBody(): Record<string, unknown> {
  const mods = new Set<string>();
  const n = 1 + Math.floor(rnd() * 8);
  const pool = ['kyc','fraud','synthetic','emailrisk','phonerisk','addressrisk','decision','alertlist','devicerisk','social','digitalintelligence','accountintelligence','documentverification', pick(['watchliststandard','watchlistpremier','watchlistplus'])];
  for (let i = 0; i < n; i++) mods.add(pick(pool));
  mods.add('kyc');
  const b: Record<string, unknown> = {
    modules: [...mods],
    firstName: pick(FN), surName: pick(LN), dob: rnd() < 0.3 ? '1975-04-02' : `19${50 + Math.floor(rnd() * 49)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`,
    nationalId: pick(['400013784','078051120','523456789','6789','000123456']),
    email: `${pick(['a','b.c','dw'])}${Math.floor(rnd() * 100)}@${pick(['example.com','mailinator.com','alertlist.example','ex.org'])}`,
    mobileNumber: pick(['+13475550100','+15555550100','+12025550147', `+1202555${1000 + Math.floor(rnd() * 8999)}`]),
    physicalAddress: pick(['1301 Main Street','PO Box 12','42 Elm St', `${Math.floor(rnd() * 999)} Oak Ave`]),
    city: 'Austin', state: 'TX', zip: pick(['78701','38012-1234']), country: 'US',
    deviceSessionId: pick(['risky-device', 'dev-' + Math.floor(rnd() * 50)]),
    payments: { account: { accountNumber: String(Math.floor(rnd() * 1e6)), routingNumber: '021000021' } },
    docvTransactionToken: 'tok-x',
  };
  if (rnd() < 0.3) b.physicalAddress2 = 'Apt 3';
  if (rnd() < 0.3) b.customerUserId = pick(['c1', 77, 'fault-badscore', 'fault-baddecision', 'fault-noreference', 'fault-malformed']);
  return b;
}
for (let i = 0; i < 5000; i++) {
  const body = i % 2 ? validBody() : randomBody();
  const r = await app.inject({ method: 'POST', url: '/api/3.0/EmailAuthScore', headers: { authorization: `SocureApiKey ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  out.push(['sb', i, r.statusCode, r.headers['content-type'], r.headers['content-length'] !== undefined, strip(r.body)]);
  let client: unknown;
  try { client = buildIdPlusRequest(body as never); } catch (e) { client = ['err', (e as Error).name, (e as Error).message, (e as { field?: string }).field]; }
  out.push(['cl', i, client]);
  if (r.statusCode === 200) {
    let json: unknown; try { json = JSON.parse(r.body); } catch { json = undefined; }
    let parsed: unknown;
    try { parsed = parseIdPlusResponse(json, r.body); } catch (e) { parsed = ['err', (e as Error).name, (e as Error).message, (e as { issues?: unknown }).issues]; }
    out.push(['pr', i, typeof parsed === 'object' ? strip(JSON.stringify(parsed)) : parsed]);
  }
}
// other routes
for (const url of ['/api/3.0/reasoncodes', '/nope']) {
  const r = await app.inject({ method: 'GET', url, headers: { authorization: `SocureApiKey ${key}` } });
  out.push(['get', url, r.statusCode, r.headers['content-type'], strip(r.body).slice(0, 2000)]);
}
await app.close();
const text = JSON.stringify(out, null, 1);
writeFileSync(process.argv[2]!, text);
console.log(createHash('sha256').update(text).digest('hex'), out.length);
