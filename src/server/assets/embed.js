// socure-connector in your app. Include <script src="https://<connector>/embed.js"></script>, then:
//   const handle = SocureConnector.open(sessionUrl, {
//     mode: 'iframe' | 'popup',          // default 'iframe'
//     container: element or CSS selector, // iframe mode: where the frame goes
//     onComplete(result) {},              // { sessionId, status, outcome }, once, when the session ended
//     onClose() {},                       // the frame or popup went away before that
//   });
//   handle.close();
// Only messages from the session URL's origin, from the frame or popup this call opened, about this session, count.
// The connector must list your page's origin in FRAME_ANCESTORS. Popup mode: call open() in a click handler.
(() => {
  const ENDED = 'socure-connector:session-ended';
  // /s/<session id>/<signature>, possibly under a base path.
  const SESSION_PATH = /\/s\/([0-9a-f-]{36})\/[^/]+\/?$/;

  function containerOf(container) {
    const element = typeof container === 'string' ? document.querySelector(container) : container;
    if (!element || typeof element.appendChild !== 'function')
      throw new Error('SocureConnector.open: iframe mode needs a container (an element or a CSS selector)');
    return element;
  }

  function open(sessionUrl, options) {
    const opts = options || {};
    const url = new URL(sessionUrl, window.location.href);
    const sessionId = (SESSION_PATH.exec(url.pathname) || [])[1];
    if (!sessionId) throw new Error('SocureConnector.open: not a session URL (…/s/<id>/<signature>)');
    const mode = opts.mode || 'iframe';
    if (mode !== 'iframe' && mode !== 'popup')
      throw new Error("SocureConnector.open: mode must be 'iframe' or 'popup'");

    let frame = null;
    let popup = null;
    let watcher;
    let finished = false;

    const stop = () => {
      finished = true;
      window.removeEventListener('message', onMessage);
      clearInterval(watcher);
    };
    const source = () => (frame ? frame.contentWindow : popup);

    function onMessage(event) {
      // Another origin (any other site or frame) is never believed, nor another window of the connector.
      if (finished || event.origin !== url.origin || event.source !== source()) return;
      const data = event.data;
      if (!data || data.type !== ENDED || data.sessionId !== sessionId) return;
      stop();
      if (opts.onComplete)
        opts.onComplete({ sessionId: data.sessionId, status: data.status, outcome: data.outcome });
    }

    function closed() {
      if (finished) return;
      stop();
      if (opts.onClose) opts.onClose();
    }

    window.addEventListener('message', onMessage);
    if (mode === 'iframe') {
      const parent = containerOf(opts.container);
      frame = document.createElement('iframe');
      frame.src = url.href;
      frame.title = opts.title || 'Identity verification';
      // The Web SDK's document capture runs inside the page: it needs the camera.
      frame.allow = 'camera';
      frame.style.border = '0';
      frame.style.width = opts.width || '100%';
      frame.style.height = opts.height || '720px';
      parent.appendChild(frame);
    } else {
      popup = window.open(url.href, 'socure-connector', 'popup,width=480,height=760');
      if (!popup) {
        stop();
        throw new Error('SocureConnector.open: the popup was blocked (call open() from a click handler)');
      }
      watcher = setInterval(() => {
        if (popup.closed) closed();
      }, 500);
    }

    return {
      /** The iframe element (iframe mode) or the popup window. */
      element: frame || popup,
      close() {
        if (frame) frame.remove();
        if (popup && !popup.closed) popup.close();
        closed();
      },
    };
  }

  window.SocureConnector = Object.freeze({ open });
})();
