import { request } from 'undici';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { STOCK_PERSONA } from '../../src/socure/stock-persona.js';

export const ID_PLUS_PATH = '/api/3.0/EmailAuthScore';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when it is not JSON; loosely typed so tests can reach into it. */
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary response JSON
  json: any;
  ms: number;
}

/** One real HTTP call over a socket (undici), never throwing on a non-2xx. */
export async function call(
  sandbox: RunningSandbox,
  path: string,
  init: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  const key = init.key === undefined ? sandbox.keys.sandbox.idPlusKey : init.key;
  if (key !== null) headers.authorization = `SocureApiKey ${key}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const t0 = performance.now();
  const res = await request(`${sandbox.url}${path}`, {
    method: (init.method ?? (body === undefined ? 'GET' : 'POST')) as 'GET' | 'POST',
    headers,
    body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json, ms: performance.now() - t0 };
}

export const idPlus = (sandbox: RunningSandbox, body: unknown, key?: string | null) =>
  call(sandbox, ID_PLUS_PATH, { body, key });

/** A full clean identity (not the stock persona), every field valid. */
export const CLEAN_PERSON = {
  firstName: 'Maria',
  surName: 'Lopez',
  dob: '1988-07-14',
  nationalId: '523-45-6789',
  email: 'maria.lopez@example.org',
  mobileNumber: '+12025550147',
  physicalAddress: '42 Elm Street',
  city: 'Springfield',
  state: 'IL',
  zip: '62704',
  country: 'US',
};

export const STOCK = { ...STOCK_PERSONA };

export const ALL_CORE_MODULES = [
  'kyc',
  'fraud',
  'synthetic',
  'emailrisk',
  'phonerisk',
  'addressrisk',
  'alertlist',
  'watchliststandard',
  'decision',
];

/** Same body apart from the fresh referenceId. */
export const withoutReference = (body: Record<string, unknown>) => {
  const { referenceId: _ignored, ...rest } = body;
  return rest;
};

/** mulberry32, for generated inputs that are the same on every run. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
