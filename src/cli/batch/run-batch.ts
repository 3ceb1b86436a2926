import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { SocureClient } from '../../socure/client.js';
import { SocureInputError, SocureRateLimitError } from '../../socure/errors.js';
import { buildIdPlusRequest, type IdPlusRequest } from '../../socure/idplus/request.js';
import { UsageError } from '../errors.js';
import { BitSet } from './bit-set.js';
import { ColumnResolver, parseMapFlags, toIdPlusInput } from './field-map.js';
import { formatOf, type InputFormat, readRows } from './input-rows.js';
import { compactJournal, type JournalHeader, JournalWriter, loadJournal } from './journal.js';
import { createProgress } from './progress.js';
import { RateLimiter } from './rate-limiter.js';
import { type BatchSummary, writeResults } from './results-file.js';
import { doneRecord, errorRecord, isFatal } from './row-result.js';

export interface BatchOptions {
  input: string;
  out: string;
  modules: string[];
  concurrency: number;
  /** Milliseconds between two call starts; 0 for no limit. */
  rateIntervalMs: number;
  map: string[];
  rescore: boolean;
  client: SocureClient;
  /** Where the progress bar / lines go. Default stderr. */
  progressStream?: NodeJS.WriteStream;
}

export interface BatchReport extends BatchSummary {
  rejected: number;
  /** Rows sent during this run. */
  sent: number;
  /** Valid rows skipped because an earlier run finished them (or sent them without an answer). */
  skipped: number;
  interrupted: boolean;
  /** How long this run's scoring took (after validation), and its pace: rows sent per second. */
  scoringSeconds: number;
  rowsPerSecond: number;
  /** Set when a failure every row would hit (a refused key) stopped the batch. */
  stoppedBy?: string;
  output: string;
  rejects: string;
  journal: string;
  ignoredColumns: string[];
}

/** A 429 is refused before any processing, so re-sending it is safe: up to this many more times per row. */
const RATE_LIMIT_RESENDS = 3;

export const journalPathFor = (out: string) => `${out}.journal`;
export const rejectsPathFor = (out: string) => `${out}.rejects.csv`;

/**
 * Pass 1 streams the input and validates every row with the client's own request rules (nothing is sent if the
 * file has unreadable columns); bad rows go to the rejects file with their line numbers. Pass 2 streams it again
 * and scores the valid rows the journal has not seen, `concurrency` at a time, no faster than the rate.
 */
export async function runBatch(opts: BatchOptions): Promise<BatchReport> {
  const inputFormat = formatOf(opts.input, 'input');
  const outFormat: InputFormat = formatOf(opts.out, '--out');
  const journalPath = journalPathFor(opts.out);
  const rejectsPath = rejectsPathFor(opts.out);
  const resolver = new ColumnResolver(parseMapFlags(opts.map));
  const modulesKey = opts.modules.join(',');

  // Pass 1: validate.
  const hash = createHash('sha256');
  const rejected = new BitSet();
  let valid = 0;
  let header: string[] | undefined;
  const rejectsFd = openSync(rejectsPath, 'w', 0o600);
  try {
    writeSync(rejectsFd, stringify([['line', 'field', 'reason']]));
    const reject = (line: number, field: string, reason: string) => {
      rejected.add(line);
      writeSync(rejectsFd, stringify([[line, field, reason]]));
    };
    for await (const row of readRows(opts.input, inputFormat, {
      hash,
      onHeader: (columns) => {
        header = columns;
      },
    })) {
      if (header) {
        resolver.checkHeader(header);
        header = undefined;
      }
      if ('problem' in row) {
        reject(row.line, '(row)', row.problem);
        continue;
      }
      if (inputFormat === 'jsonl') {
        const clash = resolver.conflict(Object.keys(row.record));
        if (clash) {
          reject(row.line, clash.field, `both "${clash.columns[0]}" and "${clash.columns[1]}" map to it`);
          continue;
        }
      }
      try {
        buildIdPlusRequest(toIdPlusInput(row.record, resolver, opts.modules) as IdPlusRequest);
        valid++;
      } catch (err) {
        if (!(err instanceof SocureInputError)) throw err;
        reject(row.line, err.field, err.reason);
      }
    }
    if (header) resolver.checkHeader(header);
  } finally {
    closeSync(rejectsFd);
  }

  // The journal: resume what it has, for this input only.
  const inputHash = hash.digest('hex');
  const state = await loadJournal(journalPath);
  if (state.header && (state.header.input !== inputHash || state.header.modules !== modulesKey)) {
    throw new UsageError(
      `${journalPath} was written for another input file or other --modules: delete it to start over, or choose another --out`,
    );
  }
  if (opts.rescore) {
    // Sent without a recorded decision (unknown) or failed: forget those records, so the rows go out again.
    const again = new BitSet();
    for (const line of state.sent.values()) if (!state.done.has(line)) again.add(line);
    if (again.size > 0) {
      await compactJournal(journalPath, again);
      for (const line of again.values()) {
        state.sent.delete(line);
        state.failed.delete(line);
      }
    }
  }
  const journalHeader: JournalHeader | undefined = state.header
    ? undefined
    : { v: 1, input: inputHash, modules: modulesKey };
  const journal = new JournalWriter(journalPath, journalHeader);

  // Pass 2: score.
  const limiter = new RateLimiter(opts.rateIntervalMs);
  const alreadyHandled = state.sent.size;
  const progress = createProgress(valid, opts.progressStream);
  const decisions: Record<string, number> = { ...state.decisions };
  progress.update(alreadyHandled, decisions);
  let finished = alreadyHandled;
  let sent = 0;
  let stopping = false;
  let interrupted = false;
  let stoppedBy: string | undefined;
  const inFlight = new Set<Promise<void>>();
  /** Wakes the reading loop when a call ends and a slot is free again. */
  let slotFreed: (() => void) | undefined;
  const scoringStarted = performance.now();
  let scoringMs = 0;

  const onSigint = () => {
    if (interrupted) {
      // A second Ctrl-C: leave now. Rows in flight stay "sent" in the journal (unknown on resume).
      journal.close();
      process.exit(130);
    }
    interrupted = true;
    stopping = true;
    process.stderr.write(
      `\nstopping: finishing ${inFlight.size} row(s) in flight (Ctrl-C again to quit now)\n`,
    );
  };
  // SIGTERM (a service manager, `kill`) stops the same way as Ctrl-C.
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const score = async (line: number, input: IdPlusRequest) => {
    for (let resend = 0; ; resend++) {
      await limiter.acquire();
      if (stopping) return; // never marked sent: the next run sends it
      if (resend === 0) {
        journal.append({ l: line, s: 'sent' });
        state.sent.add(line);
        sent++;
      }
      try {
        const res = await opts.client.idplus.evaluate(input);
        const rec = doneRecord(line, res);
        journal.append(rec);
        state.done.add(line);
        const d = res.decision?.value ?? '(none)';
        decisions[d] = (decisions[d] ?? 0) + 1;
        break;
      } catch (err) {
        if (err instanceof SocureRateLimitError) {
          // Every row would meet the same limit: hold all calls back, then send this one again.
          limiter.pauseFor(err.retryAfterMs ?? 1_000);
          if (resend < RATE_LIMIT_RESENDS && !stopping) continue;
        }
        journal.append(errorRecord(line, err));
        state.failed.add(line);
        if (isFatal(err) && !stopping) {
          stopping = true;
          stoppedBy = err instanceof Error ? err.message : String(err);
        }
        break;
      }
    }
    finished++;
    progress.update(finished, decisions);
  };

  try {
    for await (const row of readRows(opts.input, inputFormat)) {
      if (stopping) break;
      if ('problem' in row || rejected.has(row.line) || state.sent.has(row.line)) continue;
      const input = toIdPlusInput(row.record, resolver, opts.modules) as IdPlusRequest;
      const task: Promise<void> = score(row.line, input).finally(() => {
        inFlight.delete(task);
        slotFreed?.();
      });
      inFlight.add(task);
      while (inFlight.size >= opts.concurrency)
        await new Promise<void>((resolve) => {
          slotFreed = resolve;
        });
    }
    await Promise.all(inFlight);
    scoringMs = performance.now() - scoringStarted;
  } finally {
    progress.stop();
    journal.close();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }

  const summary = await writeResults(journalPath, state, opts.out, outFormat);
  return {
    ...summary,
    rejected: rejected.size,
    sent,
    skipped: alreadyHandled,
    interrupted,
    scoringSeconds: Math.round(scoringMs) / 1000,
    rowsPerSecond: scoringMs > 0 ? Math.round((sent * 10_000) / scoringMs) / 10 : 0,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
    output: opts.out,
    rejects: rejectsPath,
    journal: journalPath,
    ignoredColumns: [...resolver.ignored],
  };
}
