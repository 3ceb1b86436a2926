import { describe, expect, it } from 'vitest';
import { pageOf, pageOfChange, settledPageOf, WORKING_PAGE } from '../../src/server/pages/visible-page.js';
import type { SessionStatus } from '../../src/store/types.js';

const row = (status: SessionStatus, version = 7) => ({ status, version });
const node = (type: 'capability' | 'screen' | 'wait' | 'branch' | 'end') => ({ type });

describe('the page a session shows', () => {
  it('names ends, screens and waits by the version they were reached at', () => {
    expect(pageOf(row('completed'), node('end'))).toBe('end:7');
    expect(pageOf(row('input'), node('screen'))).toBe('screen:7');
    expect(pageOf(row('waiting'), node('wait'))).toBe('wait:7');
    // The same wait reached again (a new challenge) is another page.
    expect(pageOf(row('waiting', 9), node('wait'))).not.toBe(pageOf(row('waiting'), node('wait')));
  });

  it('an end outside an end node (expired, failed) is still an end', () => {
    expect(pageOf(row('completed'), node('capability'))).toBe('end:7');
  });

  it('a step in progress, or parked for its retry, is "Just a moment" whatever its version', () => {
    expect(pageOf(row('running', 3), node('capability'))).toBe(WORKING_PAGE);
    expect(pageOf(row('running', 4), node('wait'))).toBe(WORKING_PAGE);
    expect(pageOf(row('waiting', 5), node('capability'))).toBe(WORKING_PAGE);
    expect(pageOf(row('waiting', 6), node('capability'))).toBe(WORKING_PAGE);
  });

  it('open pages are told nothing while a step runs, and the same as a page load otherwise', () => {
    for (const type of ['capability', 'screen', 'wait', 'branch', 'end'] as const) {
      expect(settledPageOf(row('running'), node(type))).toBeUndefined();
      for (const status of ['input', 'waiting', 'completed'] as const)
        expect(settledPageOf(row(status), node(type))).toBe(pageOf(row(status), node(type)));
    }
  });

  it('a change notification names an end by itself, the same as its row; any other state takes the row', () => {
    expect(pageOfChange(row('completed', 9))).toBe(pageOf(row('completed', 9), node('end')));
    for (const status of ['running', 'input', 'waiting'] as const)
      expect(pageOfChange(row(status))).toBeUndefined();
  });
});
