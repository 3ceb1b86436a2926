/**
 * A query kysely builds and compiles once, then runs many times with other values: compiling a query (the
 * operation tree walk) was a sixth of a webhook delivery's CPU. Build it with `slot(i)` where value `i` goes;
 * `run` swaps the slots in the compiled parameters for the values of this call, and keeps the rest (literals
 * the builder turned into parameters, like `status = 'waiting'`).
 */
import { CompiledQuery, type Kysely } from 'kysely';

const SLOT_PREFIX = '\u0000slot:';

/** The placeholder for value `index` in a query built for `compileTemplate`. */
export const slot = (index: number): string => `${SLOT_PREFIX}${index}`;

export interface QueryTemplate<Row> {
  run(db: Kysely<unknown>, values: readonly unknown[]): Promise<Row[]>;
}

export function compileTemplate<Row>(compiled: CompiledQuery<Row>): QueryTemplate<Row> {
  // For each parameter: the index of the value it takes, or -1 to keep the compiled one.
  const sources = compiled.parameters.map((p) =>
    typeof p === 'string' && p.startsWith(SLOT_PREFIX) ? Number(p.slice(SLOT_PREFIX.length)) : -1,
  );
  return {
    async run(db, values) {
      const parameters = sources.map((source, i) => (source < 0 ? compiled.parameters[i] : values[source]));
      const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
      return result.rows;
    },
  };
}

/** Templates by a key (e.g. a batch's row count), compiled on first use. */
export class TemplateCache<Row> {
  readonly #templates = new Map<number, QueryTemplate<Row>>();
  constructor(private readonly build: (key: number) => CompiledQuery<Row>) {}
  get(key: number): QueryTemplate<Row> {
    let template = this.#templates.get(key);
    if (!template) {
      template = compileTemplate(this.build(key));
      this.#templates.set(key, template);
    }
    return template;
  }
}
