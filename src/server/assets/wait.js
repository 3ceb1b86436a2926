// Waiting pages: reload when the session shows another page than this one — once per page the person should see,
// never for the steps in between (the server names no page for those). Server-Sent Events first, with a slow poll
// beside them (a change notification lost between instances costs seconds, never a stuck page); a fast poll if
// EventSource is missing or fails.
(() => {
  const root = document.querySelector('[data-session-events]');
  if (!root) return;
  const shown = root.getAttribute('data-page');
  const moved = (state) => typeof state.page === 'string' && state.page !== shown;
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
  // A form sent from this page (the SMS resend controls) navigates by itself: a reload for the change it causes
  // would cancel that navigation and show this page again.
  document.addEventListener('submit', () => {
    reloading = true;
    events?.close();
    clearInterval(timer);
  });
  const poll = (everyMs) => {
    clearInterval(timer);
    timer = setInterval(async () => {
      try {
        const res = await fetch(root.getAttribute('data-session-status'), { cache: 'no-store' });
        if (moved(await res.json())) reload();
      } catch {
        /* keep polling */
      }
    }, everyMs);
  };
  if (!('EventSource' in window)) return poll(3000);
  poll(10000);
  events = new EventSource(root.getAttribute('data-session-events'));
  events.addEventListener('change', (e) => {
    if (moved(JSON.parse(e.data))) reload();
  });
  events.onerror = () => {
    events.close();
    poll(3000);
  };
})();
