import { createHash, hash, randomUUID } from 'node:crypto';
import { evaluateIdPlus } from '/work/main/src/sandbox/idplus/engine.js';
import { validateIdPlusRequest } from '/work/main/src/sandbox/idplus/validate.js';
import { matchKey, resolveKeys } from '/work/main/src/sandbox/keys.js';
import { STOCK_PERSONA } from '/work/main/src/socure/stock-persona.js';
const body = { modules: ['kyc', 'fraud', 'emailrisk', 'phonerisk', 'addressrisk', 'decision'], ...STOCK_PERSONA };
const text = JSON.stringify(body);
const keys = resolveKeys();
function bench(name: string, fn: () => unknown, n = 200000) {
  for (let i = 0; i < n / 10; i++) fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  console.log(name.padEnd(20), (((performance.now() - t) * 1000) / n).toFixed(2), 'µs');
}
const v = validateIdPlusRequest(JSON.parse(text));
if (!v.ok) throw new Error();
const res = { referenceId: randomUUID(), ...evaluateIdPlus(v.input) };
bench('createHash', () => createHash('sha256').update('score:fraud\u0000dwayne\u0000denver').digest());
bench('hash oneshot', () => hash('sha256', 'score:fraud\u0000dwayne\u0000denver', 'buffer'));
bench('matchKey', () => matchKey(keys, 'a1b234cd-75e1-9e01-f234-56abcdef6789'), 50000);
bench('JSON.parse', () => JSON.parse(text));
bench('validate', () => validateIdPlusRequest(JSON.parse(text)), 50000);
bench('evaluate', () => evaluateIdPlus(v.input), 50000);
bench('stringify', () => JSON.stringify({ referenceId: randomUUID(), ...evaluateIdPlus(v.input) }), 50000);
bench('stringify only', () => JSON.stringify(res), 100000);
bench('uuid', () => randomUUID());
