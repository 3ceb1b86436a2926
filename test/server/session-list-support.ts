/** Helpers of the session list tests (SQLite and PostgreSQL): paging through GET /api/sessions. */
import { expect } from 'vitest';
import type { TestService } from './helpers.js';

export interface ListedSession {
  id: string;
  flow: string;
  status: string;
  outcome: string | null;
  customerUserId: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

export interface SessionPage {
  sessions: ListedSession[];
  nextCursor: string | null;
}

/** One page of the list; fails the test on any answer but 200. */
export async function listPage(t: TestService, query: Record<string, string>): Promise<SessionPage> {
  const res = await t.api(`/api/sessions?${new URLSearchParams(query)}`);
  expect(res.status, res.text).toBe(200);
  return res.json<SessionPage>();
}

/**
 * Every page of the list, following nextCursor; bounded: more than `maxPages` pages fails the test (a cursor
 * that never reaches the end would otherwise loop forever).
 */
export async function allPages(
  t: TestService,
  query: Record<string, string>,
  maxPages = 20,
): Promise<SessionPage[]> {
  const pages: SessionPage[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await listPage(t, cursor === null ? query : { ...query, cursor });
    pages.push(page);
    cursor = page.nextCursor;
    if (cursor === null) return pages;
  }
  throw new Error(`more than ${maxPages} pages of ${JSON.stringify(query)}`);
}

/** Newest first: created_at descending, then id descending (the tie-break). */
export function newestFirst(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
