import type { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { UsageError } from '../errors.js';

export type InputFormat = 'csv' | 'jsonl';

export function formatOf(path: string, flag: string): InputFormat {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw new UsageError(`${flag} ${path}: expected a .csv or .jsonl file`);
}

/** One input record and the line it starts on (1 = the CSV header or the first JSONL line). */
export type InputRow = { line: number; record: Record<string, unknown> } | { line: number; problem: string };

/**
 * Streams the rows of a file, one at a time (memory flat in the number of rows). A row that cannot be read
 * (bad JSON, a field count that differs from the header) comes back as a `problem`, never with its values.
 * `onHeader` sees a CSV file's columns before the first row; `hash` is fed every byte read.
 */
export async function* readRows(
  path: string,
  format: InputFormat,
  options: { onHeader?: (columns: string[]) => void; hash?: ReturnType<typeof createHash> } = {},
): AsyncGenerator<InputRow> {
  const stream = createReadStream(path);
  if (options.hash) {
    const hash = options.hash;
    stream.on('data', (chunk) => hash.update(chunk));
  }
  if (format === 'jsonl') {
    let line = 0;
    for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      line++;
      if (text.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch {
        yield { line, problem: 'not valid JSON' };
        continue;
      }
      if (!record || typeof record !== 'object' || Array.isArray(record))
        yield { line, problem: 'not a JSON object' };
      else yield { line, record: record as Record<string, unknown> };
    }
    return;
  }
  let width = 0;
  const parser = stream.pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      columns: (header: string[]) => {
        width = header.length;
        options.onHeader?.(header);
        return header;
      },
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number; error?: unknown };
  }>) {
    // info.lines is the line the record ends on; a quoted field may span lines, so count back its newlines.
    const spans = Object.values(record).reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
    const line = info.lines - spans;
    // With relax_column_count, csv-parse marks (not throws) a row whose field count differs from the header.
    if (info.error !== undefined || Object.keys(record).length !== width)
      yield { line, problem: `has a different number of fields than the header (${width})` };
    else yield { line, record };
  }
}
