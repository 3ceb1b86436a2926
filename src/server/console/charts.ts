/**
 * The charts' data (from the store's aggregations) and their page. The page holds tables with every number (so
 * it reads and prints without JavaScript); console-charts.js draws the same data with chart.js from the JSON
 * answer of /console/charts/data.
 */

import { describeReasonCode } from '../../socure/reason-codes-table.js';
import type { OperatorStats, StatsRange } from '../../store/operator-types.js';
import { consolePage, html } from './layout.js';

const DAY_MS = 86_400_000;
const REASON_CODES_SHOWN = 10;
export const REASON_CODE_LIMIT = REASON_CODES_SHOWN;

export interface ChartData {
  period: { from: string; to: string };
  /** One entry per day of the period (UTC dates), with a count per outcome ('open': not ended). */
  outcomesByDay: { days: string[]; series: Array<{ outcome: string; counts: number[] }> };
  funnel: Array<{
    flow: string;
    steps: Array<{ step: string; sessions: number; dropOff: number }>;
  }>;
  decisions: Array<{ decision: string; count: number }>;
  reasonCodes: Array<{ code: string; count: number; description: string }>;
  socure: {
    calls: number;
    errors: number;
    errorRate: number;
    p50: number | null;
    p90: number | null;
    p99: number | null;
  };
}

const dayString = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * @param hasDocument whether a flow has a wait step (a document submitted, a webhook resolving it): flows
 *   without one have no such funnel step.
 */
export function chartData(
  range: StatsRange,
  stats: OperatorStats,
  hasDocument: (flowId: string) => boolean,
): ChartData {
  const first = Math.floor(range.from / DAY_MS);
  const last = Math.floor((range.to - 1) / DAY_MS);
  const days = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const outcomes = [...new Set(stats.outcomesByDay.map((r) => r.outcome ?? 'open'))].sort();
  const series = outcomes.map((outcome) => ({
    outcome,
    counts: days.map((day) =>
      stats.outcomesByDay
        .filter((r) => r.day === day && (r.outcome ?? 'open') === outcome)
        .reduce((n, r) => n + r.count, 0),
    ),
  }));
  const funnel = stats.funnel.map((f) => {
    const raw = [
      { step: 'started', sessions: f.started },
      ...(hasDocument(f.flowId) ? [{ step: 'document submitted', sessions: f.resumed }] : []),
      { step: 'decided', sessions: f.decided },
    ];
    return {
      flow: f.flowId,
      steps: raw.map((s, i) => ({ ...s, dropOff: i === 0 ? 0 : raw[i - 1]!.sessions - s.sessions })),
    };
  });
  const { count, errors, durationsMs } = stats.socureCalls;
  return {
    period: { from: dayString(first), to: dayString(last) },
    outcomesByDay: { days: days.map(dayString), series },
    funnel,
    decisions: stats.decisions,
    reasonCodes: stats.reasonCodes.map((r) => ({
      ...r,
      description: describeReasonCode(r.code) ?? 'not in the reason code table',
    })),
    socure: {
      calls: count,
      errors,
      errorRate: count === 0 ? 0 : errors / count,
      p50: percentile(durationsMs, 50),
      p90: percentile(durationsMs, 90),
      p99: percentile(durationsMs, 99),
    },
  };
}

const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);

export function chartsPage(csrf: string, data: ChartData, query: string, problem?: string): string {
  const body = html`
<form method="get" action="/console/charts" class="search">
<label for="f-from">From (UTC)</label><input id="f-from" name="from" type="date" value="${data.period.from}">
<label for="f-to">To (UTC)</label><input id="f-to" name="to" type="date" value="${data.period.to}">
<button type="submit">Show</button>
</form>
${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
<p>Period: ${data.period.from} to ${data.period.to} (UTC, inclusive).</p>
<div id="charts" data-source="/console/charts/data?${query}"></div>

<section class="chart"><h2>Sessions by outcome per day</h2>
<div class="chart-box"><canvas id="chart-outcomes" role="img" aria-label="Sessions by outcome per day"></canvas></div>
<table class="list"><thead><tr><th>Day</th>${data.outcomesByDay.series.map((s) => html`<th>${s.outcome}</th>`)}</tr></thead>
<tbody>${data.outcomesByDay.days.map(
    (day, i) =>
      html`<tr><td>${day}</td>${data.outcomesByDay.series.map((s) => html`<td class="num">${s.counts[i]}</td>`)}</tr>`,
  )}</tbody></table></section>

<section class="chart"><h2>Funnel of each flow</h2>
<div class="chart-box"><canvas id="chart-funnel" role="img" aria-label="Funnel of each flow"></canvas></div>
<table class="list funnel"><thead><tr><th>Flow</th><th>Step</th><th>Sessions</th><th>Drop-off</th></tr></thead>
<tbody>${data.funnel.flatMap((f) =>
    f.steps.map(
      (s) =>
        html`<tr><td>${f.flow}</td><td>${s.step}</td><td class="num">${s.sessions}</td><td class="num">${s.dropOff}</td></tr>`,
    ),
  )}</tbody></table></section>

<section class="chart"><h2>Decision mix</h2>
<div class="chart-box"><canvas id="chart-decisions" role="img" aria-label="Decision mix"></canvas></div>
<table class="list"><thead><tr><th>Decision</th><th>Sessions</th></tr></thead>
<tbody>${data.decisions.map((d) => html`<tr><td>${d.decision}</td><td class="num">${d.count}</td></tr>`)}</tbody></table>
<h3>Most frequent reason codes</h3>
<table class="list reason-codes"><thead><tr><th>Code</th><th>Sessions</th><th>Meaning</th></tr></thead>
<tbody>${data.reasonCodes.map(
    (r) => html`<tr><td>${r.code}</td><td class="num">${r.count}</td><td>${r.description}</td></tr>`,
  )}</tbody></table></section>

<section class="chart"><h2>Socure calls</h2>
<div class="chart-box"><canvas id="chart-latency" role="img" aria-label="Socure latency percentiles"></canvas></div>
<table class="list socure"><tbody>
<tr><th>Calls</th><td class="num">${data.socure.calls}</td></tr>
<tr><th>Errors (no answer, or HTTP 4xx/5xx)</th><td class="num">${data.socure.errors} (${(data.socure.errorRate * 100).toFixed(1)}%)</td></tr>
<tr><th>p50</th><td class="num">${ms(data.socure.p50)}</td></tr>
<tr><th>p90</th><td class="num">${ms(data.socure.p90)}</td></tr>
<tr><th>p99</th><td class="num">${ms(data.socure.p99)}</td></tr>
</tbody></table></section>`;
  return consolePage({
    title: 'Charts',
    section: 'charts',
    csrf,
    body,
    scripts: ['chart.js', 'console-charts.js'],
  });
}
