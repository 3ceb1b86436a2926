import type { FlowEngine } from '../flows/engine.js';
import type { Store } from '../store/types.js';
import type { BrandAssets } from './branding/brand.js';
import type { FrontEndScripts } from './front-end-scripts.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import type { Brand } from './pages/page-context.js';
import type { CspAllowances } from './security-headers.js';
import type { Signer } from './signing.js';
import type { TrustProxy } from './trust-proxy.js';

/** What the routes need; built once by the service. */
export interface ServerDeps {
  engine: FlowEngine;
  store: Store;
  signer: Signer;
  publicUrl: string;
  /** The unguessable path segment of this instance's Socure webhook URL. */
  webhookPath: string;
  webhookSecrets: string[];
  apiKey: string;
  /** The operator console's key (OPERATOR_API_KEY); unset: `apiKey`. */
  operatorApiKey?: string;
  /** Whether /console answers clients off the loopback interface (CONSOLE_ALLOW_REMOTE). Default false. */
  consoleAllowRemote?: boolean;
  /** Requests per minute per client IP on pages and anonymous calls. Default 600. */
  rateLimitPagesPerMinute?: number;
  /** Unauthenticated Socure deliveries per minute per client IP (authenticated ones are not limited). Default 6000. */
  rateLimitWebhookPerMinute?: number;
  /** Open event streams (waiting pages) per client IP, and in all; past them pages poll. Defaults 20, 10,000. */
  sseMaxPerClient?: number;
  sseMaxStreams?: number;
  /** Requests per minute per client IP on the sessions API with a valid key. Default 6000. */
  rateLimitApiPerMinute?: number;
  /** Which X-Forwarded-For entries to believe (proxies in front of us); false: none. */
  trustProxy?: TrustProxy;
  /**
   * True when Socure is the embedded offline sandbox (no Socure key configured): result pages then show Socure's
   * scores and reason codes (a flow's `showScoreDetails` decides otherwise). Default false: with a real key they
   * are shown only by a flow that sets `showScoreDetails: true`.
   */
  embeddedSandbox?: boolean;
  /**
   * Whether anyone may start a flow from the hosted pages (PUBLIC_FLOWS): others are not listed on `/`, and
   * `/flows/<id>` and its start answer 404. The sessions API starts any flow. Default: every flow.
   */
  isPublicFlow?: (flowId: string) => boolean;
  /** What an operator must fix before production (e.g. no webhook secret with real Socure), shown on /readyz. */
  warnings?: string[];
  /** Origins the pages' Content-Security-Policy allows beyond our own (branding, FRAME_ANCESTORS, Web SDK). */
  csp?: CspAllowances;
  /** Socure's front-end scripts the pages load (DocV Web SDK, Sigma Device) and the public SDK key they take. */
  frontEnd?: FrontEndScripts;
  /** How the pages present themselves (BRAND_* settings); default: the project's name, our colours. */
  brand?: Brand;
  /** The brand's files under /assets/ (theme.css, brand-logo). */
  brandAssets?: BrandAssets;
  /** Prometheus metrics served at GET /metrics (src/server/metrics); none: no route, no hook. */
  metrics?: ServiceMetrics;
  /** Bearer token /metrics requires (METRICS_TOKEN); unset: loopback clients only. */
  metricsToken?: string;
}

export const sessionPath = (deps: Pick<ServerDeps, 'signer'>, id: string) =>
  `/s/${id}/${deps.signer.sessionSignature(id)}`;
