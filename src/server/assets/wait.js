// Waiting pages: reload as soon as the session changes. Server-Sent Events first, with a slow poll beside
// them (a change notification lost between instances costs seconds, never a stuck page); a fast poll if
// EventSource is missing or fails.
(() => {
  const root = document.querySelector('[data-session-events]');
  if (!root) return;
  const version = root.getAttribute('data-version');
  // Change events can arrive in a burst: reload once, or the second reload aborts the first.
  let reloading = false;
  let events;
  const reload = () => {
    if (reloading) return;
    reloading = true;
    events?.close();
    window.location.reload();
  };
  let timer;
  const poll = (everyMs) => {
    clearInterval(timer);
    timer = setInterval(async () => {
      try {
        const res = await fetch(root.getAttribute('data-session-status'), { cache: 'no-store' });
        const state = await res.json();
        if (String(state.version) !== version) reload();
      } catch {
        /* keep polling */
      }
    }, everyMs);
  };
  if (!('EventSource' in window)) return poll(3000);
  poll(10000);
  events = new EventSource(root.getAttribute('data-session-events'));
  events.addEventListener('change', (e) => {
    if (String(JSON.parse(e.data).version) !== version) reload();
  });
  events.onerror = () => {
    events.close();
    poll(3000);
  };
})();
