import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { idPlusResponseSchema } from '../../src/socure/idplus/response.js';
import { call, idPlus, STOCK, seeded, withoutReference } from './helpers.js';

const CASES = 320;
const schema = JSON.parse(
  readFileSync(new URL('./fixtures/seed-004-idplus-response.schema.json', import.meta.url), 'utf8'),
);
const validateSeed004 = new Ajv2020.default({ allErrors: true }).compile(schema);

const FIRST = [
  'Ana',
  'Ben',
  'Chloe',
  'Dmitri',
  'Ebony',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jamal',
  'Keiko',
  'Liam',
  'Mei',
];
const LAST = [
  'Smith',
  'Garcia',
  'Nguyen',
  'Okafor',
  'Kowalski',
  'Haddad',
  'Johansson',
  'Patel',
  'Brown',
  'Rossi',
];
const MAGIC_SURNAMES = [
  'Accept',
  'Reject',
  'Refer',
  'Review',
  'Resubmit',
  'Sanctioned',
  'Politician',
  'Synthetic',
  'sanctioned',
];
const DOMAINS = [
  'example.com',
  'example.org',
  'mail.test',
  'mailinator.com',
  'yopmail.com',
  'alertlist.example',
];
const STREETS = ['Main Street', 'Oak Ave', 'Elm St', 'Harbor Blvd', 'Cedar Lane'];
const PLACES = [
  ['Springfield', 'IL', '62704'],
  ['Austin', 'TX', '78701'],
  ['Portland', 'OR', '97205'],
  ['Brownsville', 'TN', '38012'],
] as const;
const CORE = [
  'kyc',
  'fraud',
  'synthetic',
  'emailrisk',
  'phonerisk',
  'addressrisk',
  'alertlist',
  'devicerisk',
];
const RARE = ['documentverification', 'social', 'digitalintelligence', 'accountintelligence'];
const TIERS = ['watchliststandard', 'watchlistpremier', 'watchlistplus'];

type Rng = ReturnType<typeof seeded>;
type Body = Record<string, unknown>;
const pad = (n: number, w: number) => String(n).padStart(w, '0');

function nationalId(r: Rng): string {
  const roll = r.next();
  if (roll < 0.08) return '078-05-1120';
  if (roll < 0.16) return r.pick(['000-12-3456', '666-01-2345', '950-12-3456', '123-00-4567', '123-45-0000']);
  if (roll < 0.28) return pad(r.int(1, 9999), 4);
  const ssn = `${pad(r.int(1, 665), 3)}-${pad(r.int(1, 99), 2)}-${pad(r.int(1, 9999), 4)}`;
  return r.chance(0.5) ? ssn : ssn.replace(/-/g, '');
}

/** A full, valid, plausible person; some are magic. */
function person(r: Rng, i: number): Body {
  const extras = {
    deviceSessionId: r.chance(0.15) ? 'risky-device' : `dev-${i}`,
    docvTransactionToken: `tok-${i}-${r.int(0, 1e6)}`,
    payments: { account: { accountNumber: pad(r.int(0, 1e9), 12), routingNumber: '021000021' } },
  };
  if (r.chance(0.08)) return { ...STOCK, ...extras };
  const [city, state, zip] = r.pick(PLACES);
  const first = r.pick(FIRST);
  const last = r.chance(0.25) ? r.pick(MAGIC_SURNAMES) : r.pick(LAST);
  return {
    firstName: first,
    surName: last,
    dob: `${r.int(1940, 2005)}-${pad(r.int(1, 12), 2)}-${pad(r.int(1, 28), 2)}`,
    nationalId: nationalId(r),
    email: `${first}.${last}${i}@${r.chance(0.6) ? 'example.com' : r.pick(DOMAINS)}`.toLowerCase(),
    mobileNumber: r.chance(0.08)
      ? '+15555550100'
      : `+1${r.int(2, 9)}${pad(r.int(0, 99), 2)}555${pad(r.int(0, 9999), 4)}`,
    physicalAddress: r.chance(0.1) ? `PO Box ${r.int(1, 999)}` : `${r.int(1, 9999)} ${r.pick(STREETS)}`,
    ...(r.chance(0.2) ? { physicalAddress2: `Apt ${r.int(1, 40)}` } : {}),
    city,
    state,
    zip: r.chance(0.2) ? `${zip}-${pad(r.int(0, 9999), 4)}` : zip,
    country: r.chance(0.9) ? 'US' : 'us',
    ...extras,
  };
}

/** A module list that obeys the rules: ≥ 1 module, at most one watchlist tier, decision never alone. */
function modules(r: Rng): string[] {
  const out = CORE.filter(() => r.chance(0.35));
  for (const m of RARE) if (r.chance(0.08)) out.push(m);
  if (r.chance(0.3)) out.push(r.pick(TIERS));
  if (out.length === 0) out.push(r.pick([...CORE, ...TIERS]));
  if (r.chance(0.6)) out.push('decision');
  return out;
}

/** Drops optional inputs at random, keeping what the chosen modules need (socure-api.md §2.2). */
function request(r: Rng, i: number): Body {
  const full = person(r, i);
  const mods = modules(r);
  const body: Body = { modules: mods };
  for (const [k, v] of Object.entries(full)) if (r.chance(0.65)) body[k] = v;
  const need = (...fields: string[]) => {
    for (const f of fields) body[f] ??= full[f];
  };
  const hasAny = (...fields: string[]) => fields.some((f) => body[f] !== undefined);
  const fullAddress = () =>
    body.physicalAddress !== undefined && (body.zip !== undefined || (body.city && body.state));
  for (const m of mods) {
    if (['kyc', 'fraud', 'synthetic', 'addressrisk', ...TIERS].includes(m)) need('firstName', 'surName');
    if (['kyc', 'fraud', 'synthetic', 'addressrisk', 'phonerisk'].includes(m)) need('country');
    if (m === 'kyc' && !fullAddress() && !hasAny('nationalId', 'dob')) need('dob');
    if (m === 'fraud' && !fullAddress() && !hasAny('mobileNumber', 'email')) need('email');
    if (m === 'synthetic' && !fullAddress() && !hasAny('mobileNumber', 'email', 'nationalId', 'dob'))
      need('nationalId');
    if (m === 'emailrisk') need('email');
    if (m === 'phonerisk') need('mobileNumber');
    if (m === 'addressrisk') need('physicalAddress', 'zip');
    if (m === 'alertlist' && !hasAny('nationalId', 'email', 'mobileNumber')) need('email');
    if (m === 'social' && !hasAny('email', 'mobileNumber')) need('email');
    if (m === 'devicerisk' || m === 'digitalintelligence') need('deviceSessionId');
    if (m === 'documentverification') need('docvTransactionToken');
    if (m === 'accountintelligence') need('payments');
  }
  if (r.chance(0.3)) body.customerUserId = `gen-${i}`;
  if (r.chance(0.1)) body.userId = `user-${i}`;
  return body;
}

const RISK_HIGH_CODE: Record<string, RegExp> = {
  emailRisk: /^R520$/,
  phoneRisk: /^R620$/,
  addressRisk: /^R720$/,
  deviceRisk: /^R406$/,
  fraud: /^R2\d\d$/,
  synthetic: /^R2\d\d$/,
};

/** Every 0..1 score: keys ending in score (not the 0..100 watchlist matchScore) and field validations. */
function scoresIn(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) scoresIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'number' && /score$/i.test(k) && k !== 'matchScore') out.push(v);
      else if (k === 'fieldValidations') out.push(...(Object.values(v as object) as number[]));
      else scoresIn(v, out);
    }
  }
  return out;
}

describe(`generated ID+ requests (${CASES}, seeded, real sockets)`, () => {
  let sandbox: RunningSandbox;
  let docvToken: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    // ID+ only knows tokens of real DocV transactions: generated bodies use this finished one.
    const created = await call(sandbox, '/api/5.0/documents/request', { body: {} });
    docvToken = created.json.data.docvTransactionToken;
    await call(sandbox, `/sandbox/transactions/${docvToken}/trigger`, {
      body: { scenario: 'complete-accept' },
    });
  });
  afterAll(() => sandbox.close());

  it('every answer is a 200 that satisfies the client zod schema and seed 004’s JSON Schema', async () => {
    const r = seeded(20240607);
    const decisions: Record<string, number> = {};
    const deadline = Date.now() + 45_000;
    let done = 0;
    for (let i = 0; i < CASES && Date.now() < deadline; i++, done++) {
      const req = request(r, i);
      if (req.docvTransactionToken !== undefined) req.docvTransactionToken = docvToken;
      const res = await idPlus(sandbox, req);
      const where = `case ${i}: ${JSON.stringify(req)}\n→ ${res.text}`;
      expect(res.status, where).toBe(200);
      const body = res.json;

      const zod = idPlusResponseSchema.safeParse(body);
      expect(zod.success, `${where}\nzod: ${zod.error?.message}`).toBe(true);
      expect(validateSeed004(body), `${where}\najv: ${JSON.stringify(validateSeed004.errors)}`).toBe(true);

      for (const s of scoresIn(body)) {
        expect(s, where).toBeGreaterThanOrEqual(0);
        expect(s, where).toBeLessThanOrEqual(1);
        expect(Math.round(s * 1000) / 1000, where).toBe(s);
      }
      for (const [key, high] of Object.entries(RISK_HIGH_CODE)) {
        const block = body[key];
        const score = block?.score ?? block?.scores?.[0]?.score;
        if (score >= 0.8)
          expect(
            block.reasonCodes.some((c: string) => high.test(c)),
            `${where}\n${key}`,
          ).toBe(true);
      }
      const mods = req.modules as string[];
      expect('decision' in body).toBe(mods.includes('decision'));
      expect('kyc' in body).toBe(mods.includes('kyc'));
      expect('globalWatchlist' in body).toBe(mods.some((m) => TIERS.includes(m)));
      if (req.customerUserId) expect(body.customerProfile.customerUserId).toBe(req.customerUserId);
      if (body.decision) decisions[body.decision.value] = (decisions[body.decision.value] ?? 0) + 1;

      if (i % 10 === 0) {
        const again = await idPlus(sandbox, req);
        expect(withoutReference(again.json), where).toEqual(withoutReference(body));
      }
    }
    expect(done, 'ran out of time').toBe(CASES);
    // The generator reaches every decision value.
    expect(Object.keys(decisions).sort()).toEqual(['accept', 'refer', 'reject', 'resubmit', 'review']);
  }, 60_000);
});
