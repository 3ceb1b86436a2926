import { closeSync, createReadStream, existsSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { BitSet } from './bit-set.js';

/**
 * The batch journal: one JSON record a line, append-only, beside the output. It holds row (line) numbers,
 * referenceIds and results, never an input value. A row is marked `sent` before its call and `done` / `error`
 * after it, so a crash leaves a row either untouched (sent again on resume), finished (skipped), or
 * sent-but-unfinished (its outcome unknown: not sent again unless --rescore).
 */
export interface JournalHeader {
  v: 1;
  /** SHA-256 of the input file: a journal resumes only the input it was written for. */
  input: string;
  modules: string;
}

export interface ModuleResult {
  score?: number;
  codes: string[];
}

export type JournalRecord =
  | { l: number; s: 'sent' }
  | { l: number; s: 'done'; ref: string; decision?: string; m: Record<string, ModuleResult> }
  | { l: number; s: 'error'; kind: string; status?: number; ref?: string };

export interface JournalState {
  header: JournalHeader | undefined;
  sent: BitSet;
  /** A decision came back. */
  done: BitSet;
  /** The call failed for good (an error kind is recorded). */
  failed: BitSet;
  /** Decision counts of the rows done, for the progress display of a resumed run. */
  decisions: Record<string, number>;
}

/** Reads every record of a journal file, skipping a torn last line (a crash mid-write). */
export async function* journalRecords(path: string): AsyncGenerator<JournalHeader | JournalRecord> {
  if (!existsSync(path)) return;
  for await (const text of createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (text === '') continue;
    try {
      yield JSON.parse(text) as JournalHeader | JournalRecord;
    } catch {
      // an unfinished line: the row it describes is treated as if the record were not there
    }
  }
}

export async function loadJournal(path: string): Promise<JournalState> {
  const state: JournalState = {
    header: undefined,
    sent: new BitSet(),
    done: new BitSet(),
    failed: new BitSet(),
    decisions: {},
  };
  for await (const rec of journalRecords(path)) {
    if ('v' in rec) state.header = rec;
    else if (rec.s === 'sent') state.sent.add(rec.l);
    else if (rec.s === 'done') {
      state.done.add(rec.l);
      state.failed.delete(rec.l);
      const d = rec.decision ?? '(none)';
      state.decisions[d] = (state.decisions[d] ?? 0) + 1;
    } else if (rec.s === 'error') state.failed.add(rec.l);
  }
  return state;
}

/**
 * Rewrites the journal without the records of `drop` (the rows --rescore sends again), atomically: the new file
 * is fsync'd, then renamed over the old one.
 */
export async function compactJournal(path: string, drop: BitSet): Promise<void> {
  const next = `${path}.tmp`;
  const fd = openSync(next, 'w', 0o600);
  try {
    for await (const rec of journalRecords(path)) {
      if (!('v' in rec) && drop.has(rec.l)) continue;
      writeSync(fd, `${JSON.stringify(rec)}\n`);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(next, path);
}

const FSYNC_EVERY_RECORDS = 100;
const FSYNC_EVERY_MS = 1_000;

/**
 * Appends records with one write() each (so a killed process never leaves half a record of a finished write), and
 * fsyncs in batches: every 100 records or every second, and on close. A process crash loses nothing written;
 * a power cut can lose up to the last batch.
 */
export class JournalWriter {
  private readonly fd: number;
  private unsynced = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(path: string, header?: JournalHeader) {
    this.fd = openSync(path, 'a', 0o600);
    if (header) this.write(header);
    this.timer = setInterval(() => this.sync(), FSYNC_EVERY_MS);
    this.timer.unref();
  }

  append(record: JournalRecord): void {
    this.write(record);
    if (this.unsynced >= FSYNC_EVERY_RECORDS) this.sync();
  }

  private write(record: JournalHeader | JournalRecord): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.unsynced++;
  }

  sync(): void {
    if (this.unsynced === 0) return;
    fsyncSync(this.fd);
    this.unsynced = 0;
  }

  close(): void {
    clearInterval(this.timer);
    this.sync();
    closeSync(this.fd);
  }
}
