import type { FrontEndScripts } from '../front-end-scripts.js';
import { html, type Raw } from './html.js';
import type { PageContext } from './page-context.js';

/**
 * The DocV Web SDK's part of a waiting page (a wait node with `docvSdk`): a hidden container that
 * assets/docv-sdk.js fills with Socure's capture (the sandbox's stand-in offline), and the script. The QR code
 * and link stay on the page as the fallback: without JavaScript, an SDK key, a token or a loadable script, the
 * person uses the phone hand-off as before. Only the public SDK key reaches the page.
 */
export function renderDocvSdk(
  ctx: PageContext,
  docv: FrontEndScripts['docv'],
  docvTransactionToken: string | undefined,
): Raw | undefined {
  if (!docv || !docvTransactionToken) return undefined;
  const { t } = ctx;
  return html`<section class="docv-sdk" hidden aria-label="${t('docvSdk.region')}" data-docv-sdk data-sdk-key="${docv.sdkKey}" data-token="${docvTransactionToken}" data-script="${docv.scriptUrl}">
<p>${t('docvSdk.intro')}</p>
<div id="docv-sdk-capture"></div>
<p><button type="button" class="button secondary" data-docv-use-phone>${t('docvSdk.usePhone')}</button></p>
</section>
<script src="/assets/docv-sdk.js" defer></script>`;
}
