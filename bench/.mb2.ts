import { evaluateIdPlus } from '../src/sandbox/idplus/engine.js';
import { validateIdPlusRequest } from '../src/sandbox/idplus/validate.js';
import { STOCK_PERSONA } from '../src/socure/stock-persona.js';
const body = { modules: ['kyc', 'fraud', 'emailrisk', 'phonerisk', 'addressrisk', 'decision'], ...STOCK_PERSONA };
const text = JSON.stringify(body);
const other = JSON.stringify({ ...body, surName: 'Smith', firstName: 'Ana' });
const N = Number(process.env.N ?? 100000);
function bench(name: string, fn: () => unknown) {
  for (let i = 0; i < N / 5; i++) fn();
  const c = process.cpuUsage();
  for (let i = 0; i < N; i++) fn();
  console.log(name.padEnd(20), ((process.cpuUsage(c).user + process.cpuUsage(c).system) / N).toFixed(2), 'µs');
}
const run = (t: string) => () => {
  const v = validateIdPlusRequest(JSON.parse(t));
  if (!v.ok) throw new Error(v.msg);
  return evaluateIdPlus(v.input);
};
const vi = (t: string) => { const v = validateIdPlusRequest(JSON.parse(t)); if (!v.ok) throw new Error(); return v.input; };
const a = vi(text), b = vi(other);
bench('validate stock', () => validateIdPlusRequest(JSON.parse(text)));
bench('evaluate stock', () => evaluateIdPlus(a));
bench('evaluate other', () => evaluateIdPlus(b));
bench('all stock', run(text));
