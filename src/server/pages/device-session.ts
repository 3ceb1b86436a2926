import type { FrontEndScripts } from '../front-end-scripts.js';
import { html, type Raw } from './html.js';

/**
 * The device collector of a screen with `deviceSession` (Socure's Sigma Device, the sandbox's stand-in
 * offline): assets/device-session.js loads it with the public SDK key and puts the device session id into the
 * form's hidden `deviceSessionId` field. Without a collector (no SDK key, no SOCURE_DEVICE_SCRIPT_URL) the field
 * stays empty.
 */
export function renderDeviceCollector(
  device: FrontEndScripts['device'],
  screen: { deviceSession?: boolean },
): Raw | undefined {
  if (!screen.deviceSession || !device) return undefined;
  return html`<span hidden data-device-session data-script="${device.scriptUrl}" data-public-key="${device.publicKey}"></span>
<script src="/assets/device-session.js" defer></script>`;
}
