/** The charts' arithmetic: percentiles, the days of a period, the funnel's steps and drop-off. */
import { describe, expect, it } from 'vitest';
import { chartData, percentile } from '../../src/server/console/charts.js';
import type { OperatorStats } from '../../src/store/operator-types.js';

const DAY = 86_400_000;

describe('console charts', () => {
  it('takes nearest-rank percentiles of ascending durations', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 90)).toBe(90);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('fills every day of the period, and counts drop-off between funnel steps', () => {
    const from = Date.UTC(2026, 0, 1);
    const stats: OperatorStats = {
      outcomesByDay: [
        { day: from / DAY, outcome: 'verified', count: 3 },
        { day: from / DAY + 2, outcome: null, count: 1 },
      ],
      funnel: [
        { flowId: 'docv-qr', started: 10, resumed: 6, decided: 5 },
        { flowId: 'idplus-score', started: 4, resumed: 0, decided: 4 },
      ],
      decisions: [{ decision: 'accept', count: 5 }],
      reasonCodes: [
        { code: 'I556', count: 2 },
        { code: 'X999', count: 1 },
      ],
      socureCalls: { count: 4, errors: 1, durationsMs: [10, 20, 30, 400] },
    };
    const data = chartData({ from, to: from + 3 * DAY }, stats, (flow) => flow === 'docv-qr');
    expect(data.outcomesByDay.days).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(data.outcomesByDay.series).toEqual([
      { outcome: 'open', counts: [0, 0, 1] },
      { outcome: 'verified', counts: [3, 0, 0] },
    ]);
    expect(data.funnel[0]!.steps).toEqual([
      { step: 'started', sessions: 10, dropOff: 0 },
      { step: 'document submitted', sessions: 6, dropOff: 4 },
      { step: 'decided', sessions: 5, dropOff: 1 },
    ]);
    expect(data.funnel[1]!.steps.map((s) => s.step)).toEqual(['started', 'decided']);
    expect(data.reasonCodes[0]!.description).toBe('Email address resolves to the person');
    expect(data.reasonCodes[1]!.description).toBe('not in the reason code table');
    expect(data.socure).toMatchObject({ calls: 4, errors: 1, errorRate: 0.25, p50: 20, p99: 400 });
  });
});
