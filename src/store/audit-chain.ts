/**
 * The audit trail's hash chain: each entry's hash covers its fields as stored and the previous entry's hash, so
 * an entry edited or deleted (or inserted) anywhere but at the very end breaks every hash after it.
 */
import { createHash } from 'node:crypto';
import type { AuditRecord } from './types.js';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainFields {
  seq: number;
  at: number;
  type: string;
  actor: string;
  detailText: string;
}

export function auditHash(prevHash: string, f: ChainFields): string {
  // JSON of an array: unambiguous field boundaries whatever the fields hold.
  return createHash('sha256')
    .update(JSON.stringify([prevHash, f.seq, f.at, f.type, f.actor, f.detailText]))
    .digest('hex');
}

export type ChainBreak =
  | { seq: number; problem: 'gap'; expectedSeq: number }
  | { seq: number; problem: 'prev-hash' }
  | { seq: number; problem: 'hash' };

/** Walks entries in seq order; `state` carries the last good position across pages. */
export class ChainVerifier {
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  checked = 0;

  /** The first break in this page, or undefined when every entry holds. */
  check(records: readonly AuditRecord[]): ChainBreak | undefined {
    for (const r of records) {
      if (r.seq !== this.#expectedSeq) return { seq: r.seq, problem: 'gap', expectedSeq: this.#expectedSeq };
      if (r.prevHash !== this.#prevHash) return { seq: r.seq, problem: 'prev-hash' };
      if (auditHash(r.prevHash, r) !== r.hash) return { seq: r.seq, problem: 'hash' };
      this.#expectedSeq++;
      this.#prevHash = r.hash;
      this.checked++;
    }
    return undefined;
  }

  get lastHash(): string {
    return this.#prevHash;
  }
}

export function describeBreak(b: ChainBreak): string {
  switch (b.problem) {
    case 'gap':
      return `entry ${b.expectedSeq} is missing (the next entry is ${b.seq}): an entry was deleted`;
    case 'prev-hash':
      return `entry ${b.seq} does not follow entry ${b.seq - 1}: the entry before it was edited, replaced or deleted`;
    case 'hash':
      return `entry ${b.seq} was edited: its hash does not match its content`;
  }
}
