/**
 * The browser scripts the sandbox serves in place of Socure's own (socure-api.md §5.3). They are plain
 * strings, not compiled TypeScript, so what a browser receives is exactly what is read here.
 */

/** Statuses the capture frame reports that end the capture with an error (onError). */
export const ERROR_STATUSES = ['CONSENT_DECLINED', 'DOCUMENTS_UPLOAD_FAILED', 'TOKEN_EXPIRED'] as const;

/** The message tag of the capture frame, so the SDK ignores anything else the page receives. */
export const BRIDGE_SOURCE = 'socure-sandbox-capture';

/**
 * Stand-in for https://websdk.socure.com/bundle.js: `SocureDocVSDK.launch(sdkKey, docvTransactionToken,
 * selector, config)` and `SocureDocVSDK.reset()`. Launch asks the sandbox to check the key, the token and the
 * page's origin, then shows the sandbox capture app in an iframe inside the container; the frame reports each
 * page it shows with postMessage, checked here by origin, source window and token. Callback payloads:
 * `{ docvTransactionToken, status, key }`.
 */
export const WEB_SDK_JS = `/* Socure sandbox stand-in of the DocV Web SDK v5 (not Socure's code). */
(() => {
  'use strict';
  const script = document.currentScript;
  const sandbox = new URL(script ? script.src : location.href).origin;
  const ERRORS = new Set(${JSON.stringify(ERROR_STATUSES)});
  let current;

  const call = (fn, payload) => {
    if (typeof fn !== 'function') return;
    try {
      fn(payload);
    } catch (err) {
      setTimeout(() => { throw err; });
    }
  };

  function reset() {
    if (!current) return;
    window.removeEventListener('message', current.listener);
    current.frame.remove();
    current = undefined;
  }

  async function launch(sdkKey, docvTransactionToken, selector, config) {
    const cfg = config || {};
    const payload = (status) => ({ docvTransactionToken, status, key: sdkKey });
    const fail = (status) => call(cfg.onError, payload(status));
    reset();
    const container = typeof selector === 'string' ? document.querySelector(selector) : selector;
    if (!container) return fail('INVALID_CONTAINER');
    let answer;
    try {
      const res = await fetch(sandbox + '/websdk/launch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sdkKey, docvTransactionToken }),
        credentials: 'omit',
        cache: 'no-store',
      });
      answer = await res.json().catch(() => ({}));
      if (!res.ok) return fail(answer.error || 'SESSION_INITIATION_FAILED');
    } catch {
      return fail('NO_INTERNET_CONNECTION');
    }
    const frame = document.createElement('iframe');
    // The capture path is the sandbox's: resolved against it, never against the embedding page.
    frame.src = new URL(answer.captureUrl, sandbox).href;
    frame.title = 'Document capture (Socure sandbox)';
    frame.allow = 'camera';
    frame.className = 'socure-docv-capture';
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.style.minHeight = '28rem';
    const listener = (event) => {
      if (event.origin !== sandbox || event.source !== frame.contentWindow) return;
      const data = event.data;
      if (!data || data.source !== '${BRIDGE_SOURCE}' || data.docvTransactionToken !== docvTransactionToken) return;
      if (typeof data.height === 'number' && data.height > 0) frame.style.height = Math.ceil(data.height) + 'px';
      const p = payload(String(data.status));
      if (data.status === 'DOCUMENTS_UPLOADED') call(cfg.onSuccess, p);
      else if (ERRORS.has(data.status)) call(cfg.onError, p);
      else call(cfg.onProgress, p);
    };
    window.addEventListener('message', listener);
    container.replaceChildren(frame);
    current = { frame, listener };
    call(cfg.onProgress, payload('WAITING_FOR_UPLOAD'));
  }

  window.SocureDocVSDK = { launch, reset };
})();
`;

/**
 * Runs in the capture app's pages when the Web SDK framed them: tells the embedding page (only its origin,
 * named by the sandbox, never a wildcard) which page shows, and how tall it is.
 */
export const CAPTURE_BRIDGE_JS = `/* Socure sandbox: reports the capture app's state to the page that framed it. */
(() => {
  'use strict';
  const el = document.getElementById('socure-sdk-bridge');
  if (!el || window.parent === window) return;
  window.parent.postMessage(
    {
      source: '${BRIDGE_SOURCE}',
      docvTransactionToken: el.getAttribute('data-token'),
      status: el.getAttribute('data-status'),
      height: document.documentElement.scrollHeight,
    },
    el.getAttribute('data-parent-origin'),
  );
})();
`;

/**
 * Stand-in for Socure's Sigma Device script: loaded with \`data-public-key\` (the SDK key), it defines
 * \`SigmaDeviceManager.getDeviceSessionId()\` → Promise<string>, a device session registered with the sandbox.
 * One id per page load, as a real collector keeps one per visit.
 */
export const SIGMA_DEVICE_JS = `/* Socure sandbox stand-in of the Sigma Device collector (not Socure's code). */
(() => {
  'use strict';
  const script = document.currentScript;
  const sandbox = new URL(script ? script.src : location.href).origin;
  const publicKey = script ? script.getAttribute('data-public-key') : null;
  let pending;

  function getDeviceSessionId() {
    if (!pending) {
      pending = fetch(sandbox + '/device/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ publicKey }),
        credentials: 'omit',
        cache: 'no-store',
      }).then(async (res) => {
        const body = await res.json().catch(() => ({}));
        if (!res.ok || typeof body.deviceSessionId !== 'string') {
          throw new Error(body.msg || 'device session refused (' + res.status + ')');
        }
        return body.deviceSessionId;
      });
      pending.catch(() => { pending = undefined; });
    }
    return pending;
  }

  window.SigmaDeviceManager = { getDeviceSessionId };
})();
`;
