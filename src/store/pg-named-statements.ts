/**
 * A `pg` pool, as kysely's PostgresDialect sees it, that runs the store's queries as named prepared statements:
 * PostgreSQL parses and plans each query text once per connection instead of on every call (kysely sends
 * every query unnamed). Only plain DML is named, and only the first `MAX_NAMED` distinct texts: queries with an
 * `in (…)` list of varying length have many texts, and each named statement holds memory on every connection.
 */
import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

const MAX_NAMED = 500;
const DML = /^\s*(select|insert|update|delete|with)\b/i;

export function namedStatementPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string | undefined>();
  const nameOf = (text: string): string | undefined => {
    if (names.has(text)) return names.get(text);
    const name =
      names.size < MAX_NAMED && DML.test(text)
        ? `sc_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`
        : undefined;
    names.set(text, name);
    return name;
  };
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      return {
        query: ((textOrCursor: unknown, values?: readonly unknown[]) => {
          if (typeof textOrCursor !== 'string') return client.query(textOrCursor as pg.Submittable);
          const name = nameOf(textOrCursor);
          return name === undefined
            ? client.query(textOrCursor, values as unknown[])
            : client.query({ name, text: textOrCursor, values: values as unknown[] });
        }) as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}
