// Device data for ID+ (the devicerisk module): load Socure's device collector (on the embedded sandbox, its
// stand-in) with the public SDK key, and put the device session id it gives into the form's hidden
// deviceSessionId field. A quick submit waits a few seconds at most for it; then the form goes as it is.
(() => {
  const root = document.querySelector('[data-device-session]');
  const form = root?.closest('form');
  const field = form?.querySelector('input[name="deviceSessionId"]');
  if (!root || !form || !field) return;
  const mark = (state) => root.setAttribute('data-device-state', state);
  mark('loading');
  const collected = new Promise((resolve) => {
    const script = document.createElement('script');
    script.src = root.getAttribute('data-script');
    script.setAttribute('data-public-key', root.getAttribute('data-public-key'));
    script.async = true;
    script.onerror = () => {
      mark('unavailable');
      resolve();
    };
    script.onload = () => {
      const manager = window.SigmaDeviceManager;
      if (!manager || typeof manager.getDeviceSessionId !== 'function') {
        mark('unavailable');
        return resolve();
      }
      Promise.resolve()
        .then(() => manager.getDeviceSessionId())
        .then((id) => {
          if (typeof id === 'string' && id !== '') {
            field.value = id;
            mark('collected');
          } else mark('unavailable');
        })
        .catch(() => mark('unavailable'))
        .finally(resolve);
    };
    document.head.appendChild(script);
  });
  let waited = false;
  form.addEventListener('submit', (event) => {
    if (waited || field.value) return;
    event.preventDefault();
    waited = true;
    const submitter = event.submitter;
    Promise.race([collected, new Promise((resolve) => setTimeout(resolve, 3000))]).then(() =>
      form.requestSubmit(submitter ?? undefined),
    );
  });
})();
