// DocV inside the waiting page with Socure's Web SDK (on the embedded sandbox, its stand-in): load the script the
// page names, launch the capture into the container with the public SDK key and the transaction token, and hide
// the QR code and link while it runs. When anything fails (the script is blocked or unreachable, the key or the
// launch is refused, the person asks for the phone) the QR code and link come back. The SDK's success does not move
// the page on: Socure's webhook ends the wait, and wait.js reloads the page then.
(() => {
  const root = document.querySelector('[data-docv-sdk]');
  if (!root) return;
  const link = document.querySelector('main a.link');
  const handoff = [document.querySelector('main img.qr'), link ? link.closest('p') : null].filter(Boolean);
  // The person's capture ended (declined, failed, expired): the capture shows it, the webhook moves the page.
  const ENDED = new Set(['CONSENT_DECLINED', 'DOCUMENTS_UPLOAD_FAILED', 'TOKEN_EXPIRED']);
  let state = 'loading';
  const mark = (next) => {
    state = next;
    root.setAttribute('data-docv-sdk-state', next);
  };
  const fallBack = (why) => {
    if (state.startsWith('fallback')) return;
    mark(`fallback:${why}`);
    root.hidden = true;
    for (const el of handoff) el.hidden = false;
    try {
      window.SocureDocVSDK?.reset?.();
    } catch {
      /* nothing to tear down */
    }
  };
  const show = () => {
    if (state !== 'loading') return;
    mark('launched');
    root.hidden = false;
    for (const el of handoff) el.hidden = true;
  };
  mark('loading');

  const script = document.createElement('script');
  const timer = setTimeout(() => fallBack('timeout'), 15000);
  script.src = root.getAttribute('data-script');
  script.async = true;
  script.onerror = () => {
    clearTimeout(timer);
    fallBack('script');
  };
  script.onload = () => {
    clearTimeout(timer);
    const sdk = window.SocureDocVSDK;
    if (!sdk || typeof sdk.launch !== 'function') return fallBack('no-sdk');
    const config = {
      onProgress: show,
      onSuccess: show,
      onError: (e) => {
        const status = e && typeof e.status === 'string' ? e.status : 'error';
        if (ENDED.has(status)) show();
        else fallBack(status);
      },
      qrCodeNeeded: true,
      disableSmsInput: true,
    };
    try {
      const launched = sdk.launch(
        root.getAttribute('data-sdk-key'),
        root.getAttribute('data-token'),
        '#docv-sdk-capture',
        config,
      );
      if (launched && typeof launched.then === 'function') launched.then(show, () => fallBack('launch'));
      else show();
    } catch {
      fallBack('launch');
    }
  };
  document.head.appendChild(script);
  root.querySelector('[data-docv-use-phone]')?.addEventListener('click', () => fallBack('person'));
})();
