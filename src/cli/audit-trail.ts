/** `audit verify` and `audit export`: walk the chained audit trail in pages. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ChainVerifier, describeBreak } from '../store/audit-chain.js';
import type { AuditListQuery, AuditRecord, Store } from '../store/index.js';
import { chainPendingAudit, withAdminStore } from './admin-store.js';
import type { DatabaseFlagValues } from './database-flags.js';
import { UsageError } from './errors.js';

const PAGE = 1000;

/** Every chained entry matching `query`, page by page (seq order). */
async function* auditPages(
  store: Store,
  query: Omit<AuditListQuery, 'limit' | 'afterSeq'> & { afterSeq?: number },
): AsyncGenerator<AuditRecord[]> {
  let afterSeq = query.afterSeq;
  for (;;) {
    const page = await store.listAudit({ ...query, afterSeq, limit: PAGE });
    if (page.length === 0) return;
    yield page;
    afterSeq = page.at(-1)!.seq;
    if (page.length < PAGE) return;
  }
}

export async function verifyAudit(flags: DatabaseFlagValues): Promise<void> {
  await withAdminStore(flags, async ({ store }) => {
    // Entries appended but not chained yet are chained first: verify covers everything written so far.
    await chainPendingAudit(store);
    const verifier = new ChainVerifier();
    for await (const page of auditPages(store, {})) {
      const broken = verifier.check(page);
      if (broken) {
        const good = verifier.checked;
        process.stdout.write(
          `audit trail broken at entry ${broken.seq}: ${describeBreak(broken)}\n` +
            (good > 0 ? `  entries 1–${good} verify (last good hash ${verifier.lastHash})\n` : ''),
        );
        process.exitCode = 1;
        return;
      }
    }
    process.stdout.write(
      `audit trail intact: ${verifier.checked} ${verifier.checked === 1 ? 'entry' : 'entries'}, last hash ${verifier.lastHash}\n`,
    );
  });
}

export type ExportFormat = 'jsonl' | 'csv';

export function parseFormat(value: string): ExportFormat {
  const format = value.trim().toLowerCase();
  if (format === 'jsonl' || format === 'csv') return format;
  throw new UsageError(`--format must be jsonl or csv (got ${JSON.stringify(value)})`);
}

/** `--since`: a seq (digits: entries after it) or an ISO 8601 time (entries at or after it). */
export function parseSince(value: string | undefined): { afterSeq?: number; since?: number } {
  if (value === undefined) return {};
  const v = value.trim();
  if (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return { afterSeq: Number(v) };
  const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--since must be an ISO 8601 time (2025-01-31 or 2025-01-31T12:00:00Z) or a seq number (got ${JSON.stringify(value)})`,
    );
  }
  return { since: ms };
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const COLUMNS = ['seq', 'at', 'type', 'actor', 'detail', 'prevHash', 'hash'] as const;

function csvRow(fields: ReadonlyArray<string | number>): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function formatRecord(r: AuditRecord, format: ExportFormat): string {
  const at = new Date(r.at).toISOString();
  if (format === 'csv') return csvRow([r.seq, at, r.type, r.actor, r.detailText, r.prevHash, r.hash]);
  const { seq, type, actor, detail, prevHash, hash } = r;
  return `${JSON.stringify({ seq, at, type, actor, detail, prevHash, hash })}\n`;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

export async function exportAudit(
  flags: DatabaseFlagValues & { format: string; since?: string; out?: string },
): Promise<void> {
  const format = parseFormat(flags.format);
  const query = parseSince(flags.since);
  await withAdminStore(flags, async ({ store }) => {
    await chainPendingAudit(store);
    // A file is written beside its name and renamed when complete: never half an export under the real name.
    const temp = flags.out === undefined ? undefined : `${flags.out}.${process.pid}.partial`;
    const out: Writable = temp === undefined ? process.stdout : createWriteStream(temp, { flags: 'wx' });
    let count = 0;
    try {
      if (temp !== undefined) await once(out, 'open');
      if (format === 'csv') await write(out, csvRow(COLUMNS));
      for await (const page of auditPages(store, query)) {
        let chunk = '';
        for (const r of page) chunk += formatRecord(r, format);
        await write(out, chunk);
        count += page.length;
      }
      if (temp !== undefined) {
        out.end();
        await once(out, 'finish');
        await rename(temp, flags.out!);
        process.stderr.write(`exported ${count} audit entries to ${flags.out}\n`);
      }
    } catch (err) {
      if (temp !== undefined) {
        out.destroy();
        await rm(temp, { force: true });
      }
      throw err;
    }
  });
}
