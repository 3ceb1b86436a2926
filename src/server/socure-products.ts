import type { SocureClient } from '../socure/index.js';

/** The Socure products a service is set up for, each with the base URL it calls (absent: not configured). */
export interface SocureProducts {
  /** ID+ and DocV (SOCURE_ID_PLUS_KEY). */
  idPlus?: string;
  /** RiskOS (SOCURE_RISKOS_KEY). */
  riskOs?: string;
}

/** What the client can call: `sandboxUrl` replaces both URLs on the embedded sandbox (its address for a person). */
export function productsOf(client: SocureClient, idPlusUrl: string, sandboxUrl?: string): SocureProducts {
  return {
    ...(client.hasIdPlus ? { idPlus: idPlusUrl } : {}),
    ...(client.hasRiskOs ? { riskOs: sandboxUrl ?? client.riskos.baseUrl } : {}),
  };
}

/** One line for the start banner and log: which products, and how to add the one missing. */
export function describeProducts(products: SocureProducts): string {
  const names = [products.idPlus && 'ID+ and DocV', products.riskOs && 'RiskOS'].filter(Boolean);
  const missing = !products.idPlus
    ? ' (no SOCURE_ID_PLUS_KEY: ID+ and DocV steps are refused)'
    : !products.riskOs
      ? ' (no SOCURE_RISKOS_KEY: RiskOS steps are refused)'
      : '';
  return `${names.join(', ')}${missing}`;
}
