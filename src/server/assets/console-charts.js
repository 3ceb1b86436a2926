// The console's charts: reads the page's data endpoint and draws it with chart.js (served by the service).
// The page's tables carry the same numbers, so nothing is lost without JavaScript or on paper.
(() => {
  const holder = document.getElementById('charts');
  if (!holder || typeof Chart === 'undefined') return;
  const palette = ['#1f5fbf', '#2e7d32', '#b3261e', '#a4460b', '#6a1b9a', '#00838f', '#5b6475', '#c2185b'];
  const colour = (i) => palette[i % palette.length];
  // Outcomes and decisions keep one colour each across charts: good green, bad red, wait amber, neutral grey.
  const MEANING = {
    verified: '#2e7d32',
    accept: '#2e7d32',
    rejected: '#b3261e',
    reject: '#b3261e',
    failed: '#7f1d1d',
    review: '#a4460b',
    refer: '#a4460b',
    resubmit: '#6a1b9a',
    expired: '#5b6475',
    cancelled: '#9aa0ab',
  };
  const colourOf = (name, i) => MEANING[String(name).toLowerCase()] ?? colour(i);
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    config.options = Object.assign(
      { animation: false, responsive: true, maintainAspectRatio: false },
      config.options,
    );
    new Chart(canvas, config);
  };
  fetch(holder.dataset.source, { credentials: 'same-origin', headers: { accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}`))))
    .then((data) => {
      draw('chart-outcomes', {
        type: 'bar',
        data: {
          labels: data.outcomesByDay.days,
          datasets: data.outcomesByDay.series.map((s, i) => ({
            label: s.outcome,
            data: s.counts,
            backgroundColor: colourOf(s.outcome, i),
          })),
        },
        options: {
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
      const stepNames = ['started', 'document submitted', 'decided'];
      draw('chart-funnel', {
        type: 'bar',
        data: {
          labels: data.funnel.map((f) => f.flow),
          datasets: stepNames.map((step, i) => ({
            label: step,
            backgroundColor: colour(i),
            data: data.funnel.map((f) => {
              const found = f.steps.find((s) => s.step === step);
              return found ? found.sessions : null;
            }),
          })),
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
      draw('chart-decisions', {
        type: 'doughnut',
        data: {
          labels: data.decisions.map((d) => d.decision),
          datasets: [
            {
              data: data.decisions.map((d) => d.count),
              backgroundColor: data.decisions.map((d, i) => colourOf(d.decision, i)),
            },
          ],
        },
      });
      draw('chart-latency', {
        type: 'bar',
        data: {
          labels: ['p50', 'p90', 'p99'],
          datasets: [
            {
              label: 'Socure latency (ms)',
              data: [data.socure.p50, data.socure.p90, data.socure.p99],
              backgroundColor: colour(0),
            },
          ],
        },
        options: { indexAxis: 'y', scales: { x: { beginAtZero: true } } },
      });
      holder.dataset.drawn = 'true';
    })
    .catch((err) => {
      holder.textContent = `The charts could not be drawn (${err.message}); the tables below hold the same numbers.`;
    });
})();
