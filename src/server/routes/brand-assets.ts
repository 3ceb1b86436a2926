import type { FastifyInstance } from 'fastify';
import type { BrandAssets } from '../branding/brand.js';

/** The brand's files: /assets/theme.css (BRAND_PRIMARY_COLOR) and /assets/brand-logo (BRAND_LOGO_FILE). */
export function registerBrandAssets(app: FastifyInstance, assets: BrandAssets | undefined): void {
  const { themeCss, logo } = assets ?? {};
  if (themeCss)
    app.get('/assets/theme.css', (_req, reply) =>
      reply
        .header('content-type', 'text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(themeCss),
    );
  if (logo)
    app.get('/assets/brand-logo', (_req, reply) =>
      reply
        .header('content-type', logo.type)
        .header('cache-control', 'public, max-age=300')
        // An SVG opened on its own is a document of our origin: it may run nothing.
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(logo.body),
    );
}
