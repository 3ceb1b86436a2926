// Waiting pages: reload as soon as the session changes. Server-Sent Events first; polling if they fail.
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
  let polling = false;
  const poll = () => {
    if (polling) return;
    polling = true;
    setInterval(async () => {
      try {
        const res = await fetch(root.getAttribute('data-session-status'), { cache: 'no-store' });
        const state = await res.json();
        if (String(state.version) !== version) reload();
      } catch {
        /* keep polling */
      }
    }, 3000);
  };
  if (!('EventSource' in window)) return poll();
  events = new EventSource(root.getAttribute('data-session-events'));
  events.addEventListener('change', (e) => {
    if (String(JSON.parse(e.data).version) !== version) reload();
  });
  events.onerror = () => {
    events.close();
    poll();
  };
})();
