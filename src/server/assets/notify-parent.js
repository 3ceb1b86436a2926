// The end page inside the integrator's app (FRAME_ANCESTORS): tells the window that framed or opened it that the
// session ended. Only the session id, status and outcome (never the result or what the person typed), and only to
// the listed origins: postMessage hands a message to a window of the named origin only, so no other site reads it.
(() => {
  const notice = document.querySelector('[data-embed-notice]');
  if (!notice) return;
  const message = {
    type: 'socure-connector:session-ended',
    sessionId: notice.getAttribute('data-session-id'),
    status: notice.getAttribute('data-status'),
    outcome: notice.getAttribute('data-outcome'),
  };
  const allowed = (notice.getAttribute('data-origins') || '').split(' ').filter(Boolean);
  const post = (target, origins) => {
    for (const origin of origins) {
      try {
        target.postMessage(message, origin);
      } catch {
        // A closed opener: nobody to tell.
      }
    }
  };
  if (window.parent !== window) {
    // Chromium and Safari name the framing page's origin: post to it alone (when listed); others get every origin
    // listed, and the browser hands the message only to the one that matches.
    const parentOrigin = window.location.ancestorOrigins?.[0];
    post(window.parent, parentOrigin ? allowed.filter((o) => o === parentOrigin) : allowed);
  }
  // A popup does not know its opener's origin: every origin listed (the opener must be one of them).
  if (window.opener && window.opener !== window) post(window.opener, allowed);
})();
